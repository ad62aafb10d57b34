"""Reading the assessment form's POST into what the services take.

The assessment form is dynamic (its fields come from the template version), so instead of a
Django Form with declared fields this module names the inputs and parses them. Validation of
the values themselves (score 1–5, item in the template, text length) stays in the services,
whose errors name the item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from readiness.rules import AnswerType, TemplateDefinition

ANSWER_PREFIX = "answer-"
EVIDENCE_PREFIX = "evidence-"
COMMENT_PREFIX = "comment-"


@dataclass(frozen=True)
class AssessmentInput:
    """What one browser form holds: every item's answer, evidence and comment, and the
    revision of the draft it was loaded from."""

    revision: int
    answers: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.answers or self.evidence or self.comments)

    def value(self, kind: str, item_id: str) -> str:
        """The form's value of `kind` ("answers", "evidence", "comments") as text, "" if none."""
        value = getattr(self, kind).get(item_id)
        return "" if value is None else str(value)


def _answer_value(answer_type: AnswerType, raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    # Scores travel as text; a number becomes an int so the service checks its range, anything
    # else goes through unchanged so the service refuses it and names the item.
    if answer_type is AnswerType.SCORE_1_5 and raw.lstrip("-").isdigit():
        return int(raw)
    return raw


def read_assessment_post(template: TemplateDefinition, data: QueryDict) -> AssessmentInput:
    """Parse `answer-<item>`, `evidence-<item>`, `comment-<item>` and `revision`.

    Unknown item ids are kept, so the service's "not an item of template …" error reaches the
    user instead of the value being silently dropped. Raises ValidationError({"revision": …})
    when the revision is missing or not a number: without it a save could overwrite someone
    else's newer draft unnoticed.
    """
    try:
        revision = int(data.get("revision", ""))
    except ValueError:
        raise ValidationError(
            {
                "revision": "The form does not say which version of the draft it was loaded from; "
                "reload the page."
            }
        ) from None
    answers: dict[str, Any] = {}
    evidence: dict[str, str] = {}
    comments: dict[str, str] = {}
    for name, value in data.items():
        if name.startswith(ANSWER_PREFIX):
            parsed = _answer_value(template.answer_type, value)
            if parsed is not None:
                answers[name.removeprefix(ANSWER_PREFIX)] = parsed
        elif name.startswith(EVIDENCE_PREFIX):
            evidence[name.removeprefix(EVIDENCE_PREFIX)] = value
        elif name.startswith(COMMENT_PREFIX):
            comments[name.removeprefix(COMMENT_PREFIX)] = value
    return AssessmentInput(revision=revision, answers=answers, evidence=evidence, comments=comments)


def input_from_state(state: Mapping[str, Any], revision: int) -> AssessmentInput:
    """The form values a saved draft state (answers, evidence, comments) would fill in."""
    return AssessmentInput(
        revision=revision,
        answers=dict(state.get("answers") or {}),
        evidence=dict(state.get("evidence") or {}),
        comments=dict(state.get("comments") or {}),
    )
