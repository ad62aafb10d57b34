"""Pure rules of gate policies: which criteria, quorum and seats a policy may name, and the
shipped policies document's shape (read by governance.gates.default_policies).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from governance.council.rules import SEAT_IDS
from governance.gates.criterion_rules import CRITERIA, CRITERION_PARAMS
from governance.gates.rules import must_be_hard
from portfolio.vocabulary import next_stage


def criteria_problems(criteria: object) -> list[str]:
    """What is wrong with a criteria list (empty when it is valid)."""
    if not isinstance(criteria, list | tuple):
        return ["Criteria must be a list of {id, params, hard} entries."]
    if not criteria:
        return ["A gate needs at least one criterion."]
    problems: list[str] = []
    seen: set[str] = set()
    for position, entry in enumerate(criteria, start=1):
        if not isinstance(entry, Mapping):
            problems.append(f"Criterion {position} must be an object with an id.")
            continue
        unknown_keys = sorted(set(entry) - {"id", "params", "hard"})
        if unknown_keys:
            problems.append(f"Criterion {position}: unknown keys {', '.join(unknown_keys)}.")
        if "hard" in entry and not isinstance(entry["hard"], bool):
            problems.append(f"Criterion {position}: hard must be true or false.")
        criterion_id = entry.get("id")
        if criterion_id not in CRITERIA:
            known = ", ".join(CRITERIA)
            problems.append(f"Criterion {position}: “{criterion_id}” is not one of: {known}.")
            continue
        params = entry.get("params")
        params = {} if params is None else params
        if not isinstance(params, Mapping):
            problems.append(f"{criterion_id}: params must be an object.")
            continue
        if entry.get("hard") is False and must_be_hard(criterion_id, params):
            problems.append(
                f"{criterion_id}: this criterion can never be overridden; it is always hard."
            )
        key = criterion_id + json.dumps(params, sort_keys=True, default=str)
        if key in seen:
            problems.append(f"{criterion_id} is listed twice with the same parameters.")
        seen.add(key)
        specs = CRITERION_PARAMS[criterion_id]
        for name in sorted(set(params) - set(specs)):
            problems.append(f"{criterion_id}: unknown parameter “{name}”.")
        for name, spec in specs.items():
            value = params.get(name, spec.default)
            if spec.kind is int:
                if isinstance(value, bool) or not isinstance(value, int):
                    problems.append(f"{criterion_id}: {name} must be a whole number.")
                elif spec.minimum is not None and value < spec.minimum:
                    problems.append(f"{criterion_id}: {name} must be at least {spec.minimum}.")
                elif spec.maximum is not None and value > spec.maximum:
                    problems.append(f"{criterion_id}: {name} must be at most {spec.maximum}.")
            elif not isinstance(value, str) or not value.strip():
                problems.append(f"{criterion_id}: {name} is required ({spec.help}).")
    return problems


def policy_problems(
    *, criteria: object, quorum: object, required_seats: object
) -> dict[str, list[str]]:
    """Field -> problems for a policy version's content (empty when valid)."""
    errors: dict[str, list[str]] = {}
    if problems := criteria_problems(criteria):
        errors["criteria"] = problems
    if isinstance(quorum, bool) or not isinstance(quorum, int) or quorum < 1:
        errors["quorum"] = ["Quorum must be a whole number of votes, at least 1."]
    if not isinstance(required_seats, list | tuple):
        errors["required_seats"] = ["Required seats must be a list."]
    else:
        unknown = [seat for seat in required_seats if seat not in SEAT_IDS]
        if unknown:
            errors["required_seats"] = [
                f"Unknown seat: {', '.join(map(str, unknown))}. Seats are: {', '.join(SEAT_IDS)}."
            ]
        elif len(set(required_seats)) != len(required_seats):
            errors["required_seats"] = ["A seat is listed twice."]
    return errors


@dataclass(frozen=True)
class PolicyDefinition:
    from_stage: str
    to_stage: str
    title: str
    criteria: tuple[Mapping[str, Any], ...]
    decider_roles: tuple[str, ...]
    quorum: int
    required_seats: tuple[str, ...]
    note: str = ""


def parse_policy_definitions(document: object, *, source: str) -> tuple[PolicyDefinition, ...]:
    """Validate a policies document ({"policies": [...]}) read from `source` (a file name).

    Raises ValueError naming the source, the transition and what is wrong.
    """
    entries = document.get("policies") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise ValueError(f'{source}: expected {{"policies": [...]}}')
    definitions: list[PolicyDefinition] = []
    for entry in entries:
        where = f"{source} {entry.get('from_stage')}→{entry.get('to_stage')}"
        if next_stage(entry.get("from_stage", "")) != entry.get("to_stage"):
            raise ValueError(f"{where}: a policy moves an initiative to the next stage")
        problems = policy_problems(
            criteria=entry.get("criteria"),
            quorum=entry.get("quorum"),
            required_seats=entry.get("required_seats"),
        )
        if problems:
            raise ValueError(f"{where}: {problems}")
        definitions.append(
            PolicyDefinition(
                from_stage=entry["from_stage"],
                to_stage=entry["to_stage"],
                title=entry["title"],
                criteria=tuple(entry["criteria"]),
                decider_roles=tuple(entry["decider_roles"]),
                quorum=entry["quorum"],
                required_seats=tuple(entry["required_seats"]),
                note=entry.get("note", ""),
            )
        )
    return tuple(definitions)
