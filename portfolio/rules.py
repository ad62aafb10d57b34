"""Pure rules of which stage and status moves an initiative may make (ALLOWED_TRANSITIONS).

Plain values in, plain values out. Nothing here touches Django or the database, so the
services, the pages and the API all ask the same question and get the same answer. The
problem statement's rules are `portfolio.problem_statement_rules`.
"""

from __future__ import annotations

from portfolio.vocabulary import STAGE_IDS

# Which moves an initiative may make, as data: {"stage" | "status": {from: the allowed tos}}.
# Stages: any other stage. The gate workflow only ever moves one stage forward (its policies
# say from where to where), but a governance admin may also correct a stage, backwards included.
# Status: a hold pauses, a resume reactivates, a kill or a sunset stops; stopped is final.
ALLOWED_TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "stage": {stage: frozenset(STAGE_IDS) - {stage} for stage in STAGE_IDS},
    "status": {
        "active": frozenset({"paused", "stopped"}),
        "paused": frozenset({"active", "stopped"}),
        "stopped": frozenset(),
    },
}


def stage_change_problems(
    *,
    from_stage: str,
    to_stage: str,
    business_owner_named: bool,
    delivery_owner_named: bool,
) -> tuple[str, ...]:
    """Why an initiative may not move from `from_stage` to `to_stage`; empty when it may.

    Guarantees: an unknown stage and "no change" are refused, and so is any move not in
    ALLOWED_TRANSITIONS["stage"]; leaving exploration for any later stage requires both a named
    business owner and a named delivery owner (DOMAIN.md, Initiative). Moving back (e.g. scale
    to pilot) is allowed: an admin may correct a stage.
    """
    problems: list[str] = []
    if from_stage not in STAGE_IDS or to_stage not in STAGE_IDS:
        unknown = to_stage if to_stage not in STAGE_IDS else from_stage
        return (f"“{unknown}” is not a stage.",)
    if from_stage == to_stage:
        return ("The initiative is already in this stage.",)
    if to_stage not in ALLOWED_TRANSITIONS["stage"][from_stage]:
        return (f"An initiative cannot move from {from_stage} to {to_stage}.",)
    leaves_exploration = STAGE_IDS.index(to_stage) > STAGE_IDS.index("exploration")
    if leaves_exploration:
        if not business_owner_named:
            problems.append("Name a business owner before the initiative leaves exploration.")
        if not delivery_owner_named:
            problems.append("Name a delivery owner before the initiative leaves exploration.")
    return tuple(problems)


def status_change_problems(*, from_status: str, to_status: str) -> tuple[str, ...]:
    """Why an initiative that is `from_status` may not become `to_status`; empty when it may.

    Guarantees: only the moves in ALLOWED_TRANSITIONS["status"] (active → paused or stopped,
    paused → active or stopped); nothing leaves stopped, and "no change" is refused too.
    """
    if to_status not in ALLOWED_TRANSITIONS["status"].get(from_status, frozenset()):
        return (f"An initiative that is {from_status} cannot become {to_status}.",)
    return ()
