"""Readiness templates as versioned data, and the one pure function that evaluates answers.

A template (``readiness/templates_data/<id>.json``) lists the items to answer and the rules that
turn answers into an outcome: score bands, critical items with a minimum score, whether the
lowest level needs review, whether the items are sequential gates, and whether every item must
pass. Nothing here touches Django or the database: plain values in, frozen dataclasses out, and
every outcome carries the reasons behind it.

Guarantees:

* ``TemplateDefinition.from_dict`` / ``load_template_file`` either return a definition that is
  internally consistent (unique snake_case item ids, bands contiguous over exactly the possible
  totals, critical items that exist, a known answer type, level guidance for every score) or
  raise ``TemplateDefinitionError`` saying where and why.
* ``evaluate`` either returns an ``EvaluationResult`` or raises ``AnswerError`` naming the item
  and the reason; it never silently drops or coerces an invalid answer.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

TEMPLATES_DATA_DIR: Final[Path] = Path(__file__).resolve().parent / "templates_data"

APPLIES_TO: Final[tuple[str, ...]] = ("initiative", "vendor")

# The answer to "Ready to scale, or only ready to discuss?" (001, the scorecard's decision rule).
# Templates where every item must pass answer with their own pass / fail labels instead.
VERDICT_READY_TO_SCALE: Final = "Ready to scale"
VERDICT_ONLY_READY_TO_DISCUSS: Final = "Only ready to discuss"
VERDICT_INCOMPLETE: Final = "Incomplete: not ready to decide"

_ID_PATTERN: Final = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_SCORE_LEVELS: Final = ("1", "2", "3", "4", "5")


class AnswerType(StrEnum):
    SCORE_1_5 = "score_1_5"
    READY_NOT_READY = "ready_not_ready"
    YES_NO = "yes_no"

    @property
    def is_binary(self) -> bool:
        return self is not AnswerType.SCORE_1_5

    @property
    def lowest_score(self) -> int:
        return 1 if self is AnswerType.SCORE_1_5 else 0

    @property
    def highest_score(self) -> int:
        return 5 if self is AnswerType.SCORE_1_5 else 1


# Accepted answer values for the two-valued types, mapped to their score (1 = pass, 0 = fail).
# Booleans are accepted too (a checkbox); anything else is an AnswerError.
_BINARY_VALUES: Final[Mapping[AnswerType, Mapping[str, int]]] = {
    AnswerType.YES_NO: {"yes": 1, "no": 0},
    AnswerType.READY_NOT_READY: {"ready": 1, "not_ready": 0},
}


class TemplateDefinitionError(ValueError):
    """A template document is malformed; ``location`` says where (e.g. ``rules.bands[2]``)."""

    def __init__(self, template_id: str | None, location: str, reason: str) -> None:
        self.template_id = template_id
        self.location = location
        self.reason = reason
        where = ": ".join(part for part in (template_id, location) if part)
        super().__init__(f"{where}: {reason}" if where else reason)


class AnswerError(ValueError):
    """An answer is invalid; ``item_id`` and ``reason`` say which item and why."""

    def __init__(self, item_id: str, reason: str) -> None:
        self.item_id = item_id
        self.reason = reason
        super().__init__(f"{item_id}: {reason}")


@dataclass(frozen=True)
class TemplateItem:
    """One item of a template. ``guidance`` maps "1".."5" to the meaning of each level for a
    score_1_5 template, and is a single "what counts as yes / ready" sentence otherwise."""

    id: str
    title: str
    key_question: str
    what_to_check: tuple[str, ...]
    red_flags: tuple[str, ...]
    guidance: Mapping[str, str] | str


@dataclass(frozen=True)
class Band:
    """A range of totals, both ends inclusive."""

    id: str
    label: str
    meaning: str
    recommended_action: str
    min: int
    max: int

    def contains(self, total: int) -> bool:
        return self.min <= total <= self.max


@dataclass(frozen=True)
class TemplateRules:
    """How answers become an outcome. ``bands`` are sorted and cover every possible total."""

    bands: tuple[Band, ...]
    critical_items: Mapping[str, int]
    lowest_level_needs_review: bool
    sequential: bool
    all_must_pass: bool
    pass_label: str | None
    fail_label: str | None


@dataclass(frozen=True)
class TemplateDefinition:
    """A validated template. Build it with ``from_dict`` or ``load_template_file`` only."""

    id: str
    title: str
    version: int
    applies_to: str
    answer_type: AnswerType
    description: str
    source: str
    items: tuple[TemplateItem, ...]
    rules: TemplateRules

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @property
    def min_total(self) -> int:
        return len(self.items) * self.answer_type.lowest_score

    @property
    def max_total(self) -> int:
        return len(self.items) * self.answer_type.highest_score

    def item(self, item_id: str) -> TemplateItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def band_for(self, total: int) -> Band:
        """The one band containing ``total``; validation guarantees it exists in range."""
        for band in self.rules.bands:
            if band.contains(total):
                return band
        raise ValueError(f"{self.id}: total {total} is outside {self.min_total}–{self.max_total}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TemplateDefinition:
        """Validate a template document and build the definition.

        Raises ``TemplateDefinitionError`` on unknown or missing keys, wrong types, a non
        snake_case or duplicate item id, an unknown answer type or ``applies_to``, incomplete
        level guidance, bands that overlap, leave a gap or do not span exactly
        ``min_total``..``max_total``, critical items that are not items or have an impossible
        minimum, and rules that make no sense for the answer type.
        """
        return _TemplateParser(data).parse()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document this definition was built from (``from_dict`` round-trips it)."""
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "applies_to": self.applies_to,
            "answer_type": self.answer_type.value,
            "description": self.description,
            "source": self.source,
            "items": [
                {
                    "id": item.id,
                    "title": item.title,
                    "key_question": item.key_question,
                    "what_to_check": list(item.what_to_check),
                    "red_flags": list(item.red_flags),
                    "guidance": (
                        item.guidance if isinstance(item.guidance, str) else dict(item.guidance)
                    ),
                }
                for item in self.items
            ],
            "rules": {
                "bands": [
                    {
                        "min": band.min,
                        "max": band.max,
                        "id": band.id,
                        "label": band.label,
                        "meaning": band.meaning,
                        "recommended_action": band.recommended_action,
                    }
                    for band in self.rules.bands
                ],
                "critical_items": dict(self.rules.critical_items),
                "lowest_level_needs_review": self.rules.lowest_level_needs_review,
                "sequential": self.rules.sequential,
                "all_must_pass": self.rules.all_must_pass,
                "pass_label": self.rules.pass_label,
                "fail_label": self.rules.fail_label,
            },
        }


def load_template_file(path: str | os.PathLike[str]) -> TemplateDefinition:
    """Read and validate one template file.

    Raises ``TemplateDefinitionError`` if the file is not valid JSON, is not a valid template,
    or its name is not ``<template id>.json``.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TemplateDefinitionError(None, path.name, f"not valid JSON ({exc})") from exc
    template = TemplateDefinition.from_dict(data)
    if path.stem != template.id:
        raise TemplateDefinitionError(
            template.id, path.name, f"file name must be {template.id}.json"
        )
    return template


def load_shipped_templates(
    directory: str | os.PathLike[str] = TEMPLATES_DATA_DIR,
) -> dict[str, TemplateDefinition]:
    """Every ``*.json`` template in ``directory``, validated, keyed by id in file-name order."""
    return {
        template.id: template
        for template in (load_template_file(p) for p in sorted(Path(directory).glob("*.json")))
    }


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockingItem:
    """A critical item answered below its minimum: it stops the use case from scaling."""

    item_id: str
    score: int
    minimum: int
    reason: str


@dataclass(frozen=True)
class EvaluationResult:
    """The outcome of one set of answers against one template version.

    * ``total`` sums the item scores (1–5 each; 1 per yes / ready otherwise), counting for a
      sequential template only the items up to and including the first failed gate.
    * ``band`` and ``recommended_action`` are ``None`` until the answers are ``complete``.
      ``recommended_action`` is the band's; ``verdict`` and ``reasons`` carry the decision rule.
    * ``ready_to_scale`` is true only when complete, in the top band, with no blocking item,
      nothing needing review and (for all-must-pass templates) every item passed.
    * ``passed`` is ``None`` unless the template is all-must-pass; it is ``False`` as soon as
      one item fails (even with other items unanswered, since the outcome cannot change).
    """

    template_id: str
    template_version: int
    total: int
    max_total: int
    band: Band | None
    recommended_action: str | None
    blocking_items: tuple[BlockingItem, ...]
    items_needing_review: tuple[str, ...]
    first_failed_gate: str | None
    ignored_items: tuple[str, ...]
    complete: bool
    missing_items: tuple[str, ...]
    passed: bool | None
    ready_to_scale: bool
    verdict: str
    reasons: tuple[str, ...]
    item_scores: Mapping[str, int]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (tuples stay tuples, which ``json`` writes as lists)."""
        return asdict(self)


def answer_score(template: TemplateDefinition, item_id: str, value: object) -> int | None:
    """The score of one answer, or ``None`` if ``value`` is ``None`` (not answered yet).

    score_1_5 takes an ``int`` 1–5 (not a bool, float or string). yes_no takes "yes" / "no",
    ready_not_ready takes "ready" / "not_ready"; both also take ``True`` / ``False``; they
    score 1 for a pass and 0 for a fail. Raises ``AnswerError`` for anything else, or for an
    ``item_id`` that is not in the template.
    """
    if item_id not in template.item_ids:
        raise AnswerError(str(item_id), f"not an item of template {template.id}")
    if value is None:
        return None
    answer_type = template.answer_type
    if answer_type is AnswerType.SCORE_1_5:
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(item_id, f"score must be a whole number 1–5, got {value!r}")
        if not 1 <= value <= 5:
            raise AnswerError(item_id, f"score must be between 1 and 5, got {value}")
        return value
    if isinstance(value, bool):
        return int(value)
    accepted = _BINARY_VALUES[answer_type]
    if isinstance(value, str) and value in accepted:
        return accepted[value]
    expected = " or ".join(f'"{v}"' for v in accepted)
    raise AnswerError(item_id, f"answer must be {expected}, got {value!r}")


def evaluate(template: TemplateDefinition, answers: Mapping[str, object]) -> EvaluationResult:
    """Evaluate ``answers`` (item id -> value; ``None`` or absent = not answered).

    Every answer is validated, including answers after a failed sequential gate, so the first
    invalid one raises ``AnswerError``. For a sequential template the outcome looks only at
    items up to and including the first "no"; answers after it are listed in ``ignored_items``.
    """
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping of item id to value, not {type(answers)}")
    unknown = sorted(str(key) for key in answers if key not in template.item_ids)
    if unknown:
        raise AnswerError(unknown[0], f"not an item of template {template.id}")
    scores: dict[str, int] = {}
    for item in template.items:
        score = answer_score(template, item.id, answers.get(item.id))
        if score is not None:
            scores[item.id] = score

    rules = template.rules
    considered: Sequence[TemplateItem] = template.items
    first_failed_gate: str | None = None
    if rules.sequential:
        for index, item in enumerate(template.items):
            if scores.get(item.id) == 0:
                first_failed_gate = item.id
                considered = template.items[: index + 1]
                break
    considered_ids = {item.id for item in considered}
    ignored_items = tuple(
        i.id for i in template.items if i.id in scores and i.id not in considered_ids
    )
    item_scores = {i.id: scores[i.id] for i in considered if i.id in scores}
    missing_items = tuple(i.id for i in considered if i.id not in scores)
    complete = not missing_items
    total = sum(item_scores.values())

    blocking_items = tuple(
        BlockingItem(
            item_id=item.id,
            score=item_scores[item.id],
            minimum=rules.critical_items[item.id],
            reason=(
                f"{item.title} scored {item_scores[item.id]}; no use case may scale with it "
                f"below {rules.critical_items[item.id]}"
            ),
        )
        for item in considered
        if item.id in rules.critical_items
        and item.id in item_scores
        and item_scores[item.id] < rules.critical_items[item.id]
    )
    lowest = template.answer_type.lowest_score
    items_needing_review = (
        tuple(item_id for item_id, score in item_scores.items() if score == lowest)
        if rules.lowest_level_needs_review
        else ()
    )
    failed_items = tuple(item_id for item_id, score in item_scores.items() if score == 0)
    passed: bool | None = None
    if rules.all_must_pass:
        passed = False if failed_items else (True if complete else None)

    band = template.band_for(total) if complete else None
    top_band = rules.bands[-1]
    ready_to_scale = (
        complete
        and band == top_band
        and not blocking_items
        and not items_needing_review
        and passed is not False
    )

    if rules.all_must_pass and passed is not None:
        verdict = rules.pass_label if passed else rules.fail_label
    elif not complete:
        verdict = VERDICT_INCOMPLETE
    else:
        verdict = VERDICT_READY_TO_SCALE if ready_to_scale else VERDICT_ONLY_READY_TO_DISCUSS
    assert verdict is not None  # validation requires both labels on all-must-pass templates

    reasons = _reasons(
        template,
        total=total,
        band=band,
        missing_items=missing_items,
        first_failed_gate=first_failed_gate,
        ignored_items=ignored_items,
        failed_items=failed_items if rules.all_must_pass else (),
        blocking_items=blocking_items,
        items_needing_review=items_needing_review,
        item_scores=item_scores,
    )
    return EvaluationResult(
        template_id=template.id,
        template_version=template.version,
        total=total,
        max_total=template.max_total,
        band=band,
        recommended_action=band.recommended_action if band else None,
        blocking_items=blocking_items,
        items_needing_review=items_needing_review,
        first_failed_gate=first_failed_gate,
        ignored_items=ignored_items,
        complete=complete,
        missing_items=missing_items,
        passed=passed,
        ready_to_scale=ready_to_scale,
        verdict=verdict,
        reasons=reasons,
        item_scores=item_scores,
    )


def _reasons(
    template: TemplateDefinition,
    *,
    total: int,
    band: Band | None,
    missing_items: tuple[str, ...],
    first_failed_gate: str | None,
    ignored_items: tuple[str, ...],
    failed_items: tuple[str, ...],
    blocking_items: tuple[BlockingItem, ...],
    items_needing_review: tuple[str, ...],
    item_scores: Mapping[str, int],
) -> tuple[str, ...]:
    """Plain sentences explaining the verdict, most decisive first."""
    reasons: list[str] = []
    fail_word = "not ready" if template.answer_type is AnswerType.READY_NOT_READY else "no"
    if first_failed_gate is not None:
        reasons.append(
            f"Stopped at the first failed gate: {template.item(first_failed_gate).title} "
            f"({first_failed_gate}) is {fail_word}"
        )
        if ignored_items:
            reasons.append(f"Later answers are ignored: {', '.join(ignored_items)}")
    else:
        reasons.extend(
            f"{template.item(item_id).title} ({item_id}) is {fail_word}" for item_id in failed_items
        )
    reasons.extend(blocking.reason for blocking in blocking_items)
    reasons.extend(
        f"{template.item(item_id).title} is at the lowest level ({item_scores[item_id]}): it "
        "needs an explicit review before more investment is approved"
        for item_id in items_needing_review
    )
    if missing_items:
        count = len(missing_items)
        reasons.append(
            f"{count} item{'s' if count != 1 else ''} not answered: {', '.join(missing_items)}"
        )
    if band is not None:
        top = template.rules.bands[-1]
        position = "the top band" if band is top else f"below {top.label} ({top.min}–{top.max})"
        reasons.append(
            f"Total {total} of {template.max_total} is {band.label} ({band.min}–{band.max}), "
            f"{position}"
        )
    return tuple(reasons)


# ---------------------------------------------------------------------------------------------
# Template validation
# ---------------------------------------------------------------------------------------------

_TOP_LEVEL_KEYS: Final = frozenset(
    {
        "id",
        "title",
        "version",
        "applies_to",
        "answer_type",
        "description",
        "source",
        "items",
        "rules",
    }
)
_ITEM_KEYS: Final = frozenset(
    {"id", "title", "key_question", "what_to_check", "red_flags", "guidance"}
)
_BAND_KEYS: Final = frozenset({"min", "max", "id", "label", "meaning", "recommended_action"})
_RULES_KEYS: Final = frozenset(
    {
        "bands",
        "critical_items",
        "lowest_level_needs_review",
        "sequential",
        "all_must_pass",
        "pass_label",
        "fail_label",
    }
)


class _TemplateParser:
    """Walks a template document once, raising at the first problem with its location."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.template_id: str | None = None

    def error(self, location: str, reason: str) -> TemplateDefinitionError:
        return TemplateDefinitionError(self.template_id, location, reason)

    def mapping(self, value: Any, location: str, keys: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(location, "must be an object")
        missing = sorted(keys - value.keys())
        if missing:
            raise self.error(location, f"missing key(s): {', '.join(missing)}")
        unknown = sorted(str(key) for key in value.keys() - keys)
        if unknown:
            raise self.error(location, f"unknown key(s): {', '.join(unknown)}")
        return value

    def text(self, value: Any, location: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(location, "must be a non-empty string")
        return value

    def identifier(self, value: Any, location: str) -> str:
        value = self.text(value, location)
        if not _ID_PATTERN.match(value):
            raise self.error(location, f"{value!r} is not a snake_case id")
        return value

    def integer(self, value: Any, location: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(location, f"must be an integer, got {value!r}")
        return value

    def flag(self, value: Any, location: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(location, f"must be true or false, got {value!r}")
        return value

    def texts(self, value: Any, location: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.error(location, "must be a non-empty list of strings")
        return tuple(self.text(v, f"{location}[{i}]") for i, v in enumerate(value))

    def parse(self) -> TemplateDefinition:
        data = self.mapping(self.data, "", _TOP_LEVEL_KEYS)
        self.template_id = self.identifier(data["id"], "id")
        version = self.integer(data["version"], "version")
        if version < 1:
            raise self.error("version", f"must be 1 or more, got {version}")
        applies_to = self.text(data["applies_to"], "applies_to")
        if applies_to not in APPLIES_TO:
            raise self.error("applies_to", f"must be one of {', '.join(APPLIES_TO)}")
        try:
            answer_type = AnswerType(data["answer_type"])
        except ValueError:
            known = ", ".join(t.value for t in AnswerType)
            raise self.error(
                "answer_type", f"unknown answer type {data['answer_type']!r} (known: {known})"
            ) from None
        items = self.items(data["items"], answer_type)
        template = TemplateDefinition(
            id=self.template_id,
            title=self.text(data["title"], "title"),
            version=version,
            applies_to=applies_to,
            answer_type=answer_type,
            description=self.text(data["description"], "description"),
            source=self.text(data["source"], "source"),
            items=items,
            rules=TemplateRules((), {}, False, False, False, None, None),  # replaced below
        )
        return replace(template, rules=self.rules(data["rules"], template))

    def items(self, value: Any, answer_type: AnswerType) -> tuple[TemplateItem, ...]:
        if not isinstance(value, list) or not value:
            raise self.error("items", "must be a non-empty list")
        items: list[TemplateItem] = []
        seen: set[str] = set()
        for index, raw in enumerate(value):
            location = f"items[{index}]"
            raw = self.mapping(raw, location, _ITEM_KEYS)
            item_id = self.identifier(raw["id"], f"{location}.id")
            if item_id in seen:
                raise self.error(f"{location}.id", f"duplicate item id {item_id!r}")
            seen.add(item_id)
            items.append(
                TemplateItem(
                    id=item_id,
                    title=self.text(raw["title"], f"{location}.title"),
                    key_question=self.text(raw["key_question"], f"{location}.key_question"),
                    what_to_check=self.texts(raw["what_to_check"], f"{location}.what_to_check"),
                    red_flags=self.texts(raw["red_flags"], f"{location}.red_flags"),
                    guidance=self.guidance(raw["guidance"], f"{location}.guidance", answer_type),
                )
            )
        return tuple(items)

    def guidance(
        self, value: Any, location: str, answer_type: AnswerType
    ) -> Mapping[str, str] | str:
        if answer_type.is_binary:
            return self.text(value, location)
        levels = self.mapping(value, location, frozenset(_SCORE_LEVELS))
        return MappingProxyType(
            {level: self.text(levels[level], f"{location}.{level}") for level in _SCORE_LEVELS}
        )

    def rules(self, value: Any, template: TemplateDefinition) -> TemplateRules:
        raw = self.mapping(value, "rules", _RULES_KEYS)
        answer_type = template.answer_type
        sequential = self.flag(raw["sequential"], "rules.sequential")
        all_must_pass = self.flag(raw["all_must_pass"], "rules.all_must_pass")
        if answer_type is AnswerType.SCORE_1_5 and (sequential or all_must_pass):
            raise self.error(
                "rules", "sequential and all_must_pass need a yes_no or ready_not_ready template"
            )
        labels: dict[str, str | None] = {}
        for key in ("pass_label", "fail_label"):
            if all_must_pass:
                labels[key] = self.text(raw[key], f"rules.{key}")
            elif raw[key] is not None:
                raise self.error(f"rules.{key}", "only all_must_pass templates take labels")
            else:
                labels[key] = None
        return TemplateRules(
            bands=self.bands(raw["bands"], template),
            critical_items=self.critical_items(raw["critical_items"], template),
            lowest_level_needs_review=self.flag(
                raw["lowest_level_needs_review"], "rules.lowest_level_needs_review"
            ),
            sequential=sequential,
            all_must_pass=all_must_pass,
            pass_label=labels["pass_label"],
            fail_label=labels["fail_label"],
        )

    def bands(self, value: Any, template: TemplateDefinition) -> tuple[Band, ...]:
        if not isinstance(value, list) or not value:
            raise self.error("rules.bands", "must be a non-empty list")
        bands: list[Band] = []
        for index, raw in enumerate(value):
            location = f"rules.bands[{index}]"
            raw = self.mapping(raw, location, _BAND_KEYS)
            band = Band(
                id=self.identifier(raw["id"], f"{location}.id"),
                label=self.text(raw["label"], f"{location}.label"),
                meaning=self.text(raw["meaning"], f"{location}.meaning"),
                recommended_action=self.text(
                    raw["recommended_action"], f"{location}.recommended_action"
                ),
                min=self.integer(raw["min"], f"{location}.min"),
                max=self.integer(raw["max"], f"{location}.max"),
            )
            if band.min > band.max:
                raise self.error(location, f"min {band.min} is above max {band.max}")
            if band.id in {b.id for b in bands}:
                raise self.error(f"{location}.id", f"duplicate band id {band.id!r}")
            bands.append(band)
        bands.sort(key=lambda b: b.min)
        low, high = template.min_total, template.max_total
        if bands[0].min != low:
            raise self.error(
                "rules.bands", f"must start at the lowest possible total {low}, not {bands[0].min}"
            )
        for previous, band in zip(bands, bands[1:], strict=False):
            if band.min <= previous.max:
                raise self.error(
                    "rules.bands",
                    f"bands {previous.id!r} ({previous.min}–{previous.max}) and {band.id!r} "
                    f"({band.min}–{band.max}) overlap",
                )
            if band.min > previous.max + 1:
                raise self.error(
                    "rules.bands",
                    f"gap between {previous.id!r} and {band.id!r}: totals "
                    f"{previous.max + 1}–{band.min - 1} have no band",
                )
        if bands[-1].max != high:
            raise self.error(
                "rules.bands",
                f"must end at the highest possible total {high}, not {bands[-1].max}",
            )
        return tuple(bands)

    def critical_items(self, value: Any, template: TemplateDefinition) -> Mapping[str, int]:
        if not isinstance(value, Mapping):
            raise self.error("rules.critical_items", "must be an object of item id to minimum")
        answer_type = template.answer_type
        low, high = answer_type.lowest_score + 1, answer_type.highest_score
        for item_id, minimum in value.items():
            location = f"rules.critical_items.{item_id}"
            if item_id not in template.item_ids:
                raise self.error(location, f"{item_id!r} is not an item of this template")
            minimum = self.integer(minimum, location)
            if not low <= minimum <= high:
                raise self.error(location, f"minimum must be between {low} and {high}")
        # Keep template order so blocking items are reported in the order people read them.
        return MappingProxyType({i: value[i] for i in template.item_ids if i in value})
