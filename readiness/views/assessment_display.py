"""What the assessment pages render: areas with their options, the summary box, errors and
conflict rows, built from a template version and the values of a form or a frozen result.

Pure presentation (no queries): the rules decide, these shapes only phrase the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from readiness.forms import AssessmentInput, input_from_state
from readiness.rules import AnswerType, TemplateDefinition, TemplateItem
from readiness.services import COMMENT_REQUIRED_AT_OR_BELOW

# DOMAIN.md, readiness scorecard: the meaning of each level of a 1–5 score.
SCORE_LEVEL_NAMES: Mapping[int, str] = {
    1: "Not in place",
    2: "Major gaps",
    3: "Partially ready",
    4: "Mostly ready",
    5: "Ready with confidence",
}
BINARY_OPTIONS: Mapping[AnswerType, tuple[tuple[str, str], ...]] = {
    AnswerType.YES_NO: (("yes", "Yes"), ("no", "No")),
    AnswerType.READY_NOT_READY: (("ready", "Ready"), ("not_ready", "Not ready")),
}
SCORECARD_QUESTION = "Ready to scale, or only ready to discuss?"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    guidance: str
    checked: bool


@dataclass(frozen=True)
class Area:
    """One item of the template with what the form (or the frozen assessment) holds for it."""

    number: int
    item: TemplateItem
    options: tuple[Option, ...]
    answer: str
    answer_label: str
    evidence: str
    comment: str
    critical_minimum: int | None
    error: str
    comment_note: str
    comment_missing: bool

    @property
    def guidance_text(self) -> str:
        """The single "what counts as yes / ready" sentence of a two-valued template."""
        return self.item.guidance if isinstance(self.item.guidance, str) else ""


@dataclass(frozen=True)
class Summary:
    """The live (draft) or frozen (submitted) result, phrased for people."""

    question: str
    total: int
    max_total: int
    band: Mapping[str, Any] | None
    recommended_action: str | None
    verdict: str
    tone: str
    complete: bool
    answered: int
    item_count: int
    missing: tuple[tuple[str, str], ...]
    blocking: tuple[str, ...]
    needing_review: tuple[str, ...]
    failed: tuple[str, ...]
    first_failed_gate: str | None
    ignored: tuple[str, ...]


def item_title(template: TemplateDefinition, item_id: str) -> str:
    try:
        return template.item(item_id).title
    except KeyError:
        return item_id


def answer_label(template: TemplateDefinition, value: Any) -> str:
    if value in (None, ""):
        return "Not answered"
    if template.answer_type is AnswerType.SCORE_1_5:
        try:
            return f"{int(value)} · {SCORE_LEVEL_NAMES[int(value)]}"
        except (KeyError, TypeError, ValueError):
            return str(value)
    return dict(BINARY_OPTIONS[template.answer_type]).get(str(value), str(value))


def summarize(template: TemplateDefinition, result: Mapping[str, Any]) -> Summary:
    """From `EvaluationResult.as_dict()`, live or frozen at submission (same shape)."""
    scores = {str(k): v for k, v in (result.get("item_scores") or {}).items()}
    blocking = tuple(
        f"{item_title(template, entry['item_id'])} is {entry['score']}: critical areas need at "
        f"least {entry['minimum']} before scale"
        for entry in result.get("blocking_items") or ()
    )
    needing_review = tuple(
        f"{item_title(template, item_id)} is {scores.get(item_id)}: an area at the lowest level "
        "needs an explicit review before more investment is approved"
        for item_id in result.get("items_needing_review") or ()
    )
    failed = ()
    if template.answer_type.is_binary:
        failed = tuple(item_title(template, i) for i, score in scores.items() if score == 0)
    gate = result.get("first_failed_gate")
    ready = bool(result.get("ready_to_scale")) or result.get("passed") is True
    stopped = bool(blocking or failed or needing_review)
    return Summary(
        question=SCORECARD_QUESTION if template.answer_type is AnswerType.SCORE_1_5 else "Outcome",
        total=result.get("total") or 0,
        max_total=result.get("max_total") or template.max_total,
        band=result.get("band"),
        recommended_action=result.get("recommended_action"),
        verdict=result.get("verdict") or "",
        tone="ok" if ready else ("bad" if stopped else "warn"),
        complete=bool(result.get("complete")),
        answered=len(scores) + len(result.get("ignored_items") or ()),
        item_count=len(template.items),
        missing=tuple((i, item_title(template, i)) for i in result.get("missing_items") or ()),
        blocking=blocking,
        needing_review=needing_review,
        failed=failed,
        first_failed_gate=item_title(template, gate) if gate else None,
        ignored=tuple(item_title(template, i) for i in result.get("ignored_items") or ()),
    )


def comment_note(template: TemplateDefinition, answer: Any, comment: str) -> tuple[str, bool]:
    """The live note under a comment box, and whether a required comment is missing."""
    if template.answer_type is not AnswerType.SCORE_1_5 or not isinstance(answer, int):
        return "", False
    if answer > COMMENT_REQUIRED_AT_OR_BELOW:
        return "", False
    if comment.strip():
        return f"Required for a score of {answer}: written.", False
    return (
        f"Required: a score of {answer} needs a comment saying what is missing and who closes it.",
        True,
    )


def build_areas(
    template: TemplateDefinition, values: AssessmentInput, errors: Mapping[str, str]
) -> list[Area]:
    areas = []
    for number, item in enumerate(template.items, start=1):
        answer = values.answers.get(item.id)
        answer_text = values.value("answers", item.id)
        if template.answer_type is AnswerType.SCORE_1_5:
            guidance = item.guidance if not isinstance(item.guidance, str) else {}
            choices = [
                (str(level), f"{level} · {name}", guidance.get(str(level), ""))
                for level, name in SCORE_LEVEL_NAMES.items()
            ]
        else:
            choices = [(value, label, "") for value, label in BINARY_OPTIONS[template.answer_type]]
        comment = values.value("comments", item.id)
        note, missing = comment_note(template, answer, comment)
        areas.append(
            Area(
                number=number,
                item=item,
                options=tuple(
                    Option(value, label, text, checked=value == answer_text)
                    for value, label, text in choices
                ),
                answer=answer_text,
                answer_label=answer_label(template, answer),
                evidence=values.value("evidence", item.id),
                comment=comment,
                critical_minimum=template.rules.critical_items.get(item.id),
                error=errors.get(item.id, ""),
                comment_note=note,
                comment_missing=missing,
            )
        )
    return areas


def item_errors(error: ValidationError) -> dict[str, str]:
    """{item id or "__all__": message} from a service error (its keys are item ids)."""
    if not hasattr(error, "error_dict"):
        return {"__all__": " ".join(error.messages)}
    return {
        key: " ".join(ValidationError(value).messages) for key, value in error.message_dict.items()
    }


def error_list(template: TemplateDefinition, errors: Mapping[str, str]) -> list[dict[str, str]]:
    """The error summary: which item (with a link to it) and why, in template order."""
    order = {item_id: index for index, item_id in enumerate(template.item_ids)}
    rows = []
    for key in sorted(errors, key=lambda k: (order.get(k, len(order)), k)):
        if key in order:
            rows.append(
                {
                    "anchor": f"area-{key}",
                    "label": item_title(template, key),
                    "message": errors[key],
                }
            )
        else:
            label = "" if key in ("__all__", "revision") else key
            rows.append({"anchor": "", "label": label, "message": errors[key]})
    return rows


def conflict_rows(
    template: TemplateDefinition, theirs: Mapping[str, Any], mine: AssessmentInput
) -> list[dict[str, str]]:
    """Every answer, evidence or comment where their saved draft differs from this form."""
    saved = input_from_state(theirs, revision=0)
    rows = []
    for item in template.items:
        for kind, what in (
            ("answers", "Answer"),
            ("evidence", "Evidence"),
            ("comments", "Comment"),
        ):
            their_value, my_value = saved.value(kind, item.id), mine.value(kind, item.id)
            if their_value.strip() == my_value.strip():
                continue
            if kind == "answers":
                their_value = answer_label(template, saved.answers.get(item.id))
                my_value = answer_label(template, mine.answers.get(item.id))
            rows.append(
                {
                    "anchor": f"area-{item.id}",
                    "area": item.title,
                    "what": what,
                    "theirs": their_value or "(empty)",
                    "mine": my_value or "(empty)",
                }
            )
    return rows
