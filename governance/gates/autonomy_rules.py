"""Pure rules of autonomy promotions: the five conditions a move up a level needs evidence for
(DOMAIN.md, "Autonomy levels"), which level comes next, and what is wrong with the evidence.

assistant → agent → automated workflow, one level at a time. The conditions are data: pages
show their explanations as help text, the API and the services name them by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from portfolio.vocabulary import AUTONOMY_ORDER, autonomy_rank

# Short names for sentences ("Request promotion to Agent"); the models' labels explain more.
AUTONOMY_LEVEL_NAMES: Final[dict[str, str]] = {
    "assistant": "Assistant",
    "agent": "Agent",
    "automated_workflow": "Automated workflow",
}

# Evidence shorter than this says nothing ("done", "see Jira", "n/a"): it is refused.
EVIDENCE_MIN_CHARS: Final = 20
EVIDENCE_MAX_CHARS: Final = 4000


@dataclass(frozen=True)
class AutonomyCondition:
    """One of the five conditions; `must_mention` are words the evidence has to contain
    (case-insensitive), so it speaks to what the condition is about."""

    id: str
    label: str
    explanation: str
    must_mention: tuple[str, ...] = ()


AUTONOMY_CONDITIONS: Final[tuple[AutonomyCondition, ...]] = (
    AutonomyCondition(
        "precision",
        "Precision",
        "It meets the quality bar on the eval set: name the eval set, the bar and the result.",
    ),
    AutonomyCondition(
        "safety",
        "Safety",
        "Redlines, data policy and audit logging are in place and verified: say how each was "
        "verified, and by whom.",
    ),
    AutonomyCondition(
        "stability",
        "Stability",
        "The error rate stayed within the error budget for two consecutive sprints: name both "
        "sprints, their error rates and the error budget.",
        must_mention=("sprint", "error budget"),
    ),
    AutonomyCondition(
        "observability",
        "Observability",
        "Any output can be traced to its inputs, prompts, versions and approvals: say where "
        "the trace is kept and how to follow it.",
    ),
    AutonomyCondition(
        "business_proof",
        "Business proof",
        "The KPI moved materially: give its baseline, its current value and when it was measured.",
    ),
)
AUTONOMY_CONDITION_IDS: Final[tuple[str, ...]] = tuple(c.id for c in AUTONOMY_CONDITIONS)


def level_name(level: str) -> str:
    return AUTONOMY_LEVEL_NAMES.get(level, level)


def next_autonomy_level(level: str) -> str | None:
    """The level above `level`, or None at the top level (or for an unknown one)."""
    rank = autonomy_rank(level)
    if rank < 0 or rank + 1 >= len(AUTONOMY_ORDER):
        return None
    return AUTONOMY_ORDER[rank + 1]


def promotion_target_problem(current: str, requested: str | None) -> str:
    """Why `current` cannot be promoted to `requested` ("" when it can).

    `requested` None means "the next level". Only one level up at a time, and nothing above
    the top level.
    """
    following = next_autonomy_level(current)
    if following is None:
        if autonomy_rank(current) < 0:
            return f"“{current}” is not an autonomy level."
        return (
            f"The initiative is already at the highest autonomy level ({level_name(current)}): "
            "there is no promotion to request."
        )
    if requested is None or requested == following:
        return ""
    if autonomy_rank(requested) < 0:
        known = ", ".join(AUTONOMY_ORDER)
        return f"“{requested}” is not an autonomy level. Choose one of: {known}."
    if autonomy_rank(requested) <= autonomy_rank(current):
        return (
            f"A promotion moves up: the initiative is at {level_name(current)}, so it can ask "
            f"for {level_name(following)}. Lowering the level is a plain edit of the initiative."
        )
    return (
        f"One level at a time: from {level_name(current)} the next level is "
        f"{level_name(following)}."
    )


def _plain(text: str) -> str:
    return " ".join(text.split())


def evidence_problems(evidence: object) -> dict[str, str]:
    """What is wrong with a promotion's evidence, by condition id (empty when it is complete).

    Evidence is {condition id: text}. Every one of the five conditions needs text of at least
    EVIDENCE_MIN_CHARS characters (whitespace collapsed) and at most EVIDENCE_MAX_CHARS,
    containing the words its condition must mention; ids that are not conditions are refused.
    A value that is not an object at all is reported under "evidence".
    """
    if not isinstance(evidence, Mapping):
        return {
            "evidence": (
                "Give the evidence as an object of condition id → text, for each of: "
                + ", ".join(AUTONOMY_CONDITION_IDS)
                + "."
            )
        }
    problems: dict[str, str] = {}
    for key in evidence:
        if key not in AUTONOMY_CONDITION_IDS:
            problems[str(key)] = (
                f"“{key}” is not one of the five conditions: {', '.join(AUTONOMY_CONDITION_IDS)}."
            )
    for condition in AUTONOMY_CONDITIONS:
        value = evidence.get(condition.id)
        if value is not None and not isinstance(value, str):
            problems[condition.id] = "Give the evidence as text."
            continue
        text = _plain(value or "")
        if not text:
            problems[condition.id] = f"Evidence is required. {condition.explanation}"
        elif len(text) < EVIDENCE_MIN_CHARS:
            problems[condition.id] = (
                f"“{text}” is too short to be evidence (at least "
                f"{EVIDENCE_MIN_CHARS} characters). {condition.explanation}"
            )
        elif len(text) > EVIDENCE_MAX_CHARS:
            problems[condition.id] = f"Keep the evidence under {EVIDENCE_MAX_CHARS} characters."
        else:
            missing = [word for word in condition.must_mention if word not in text.lower()]
            if missing:
                words = " and ".join(f"“{word}”" for word in missing)
                problems[condition.id] = (
                    f"The evidence does not mention {words}. {condition.explanation}"
                )
    return problems


def cleaned_evidence(evidence: Mapping[str, object]) -> dict[str, str]:
    """The five conditions' evidence as stored: in condition order, surrounding space removed.

    For evidence `evidence_problems` accepted (paragraphs inside the text are kept).
    """
    return {condition.id: str(evidence[condition.id]).strip() for condition in AUTONOMY_CONDITIONS}
