"""Audit events in words: action labels, object types, change lines, the chain's verification."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.utils import timezone

from core.audit import ChainBreak, event_hash, hashed_fields, verify_stored_audit_chain
from core.models import AuditEvent
from governance.models import Decision, GateRequestStatus, VoteChoice
from portfolio.models import AutonomyLevel, RiskTier, Stage, Status

SHORT_HASH_LENGTH = 12


# The apps whose objects appear in the trail; their models give the object-type filter's
# choices without reading the (large, unindexed for this) audit table.
AUDITED_APPS = ("portfolio", "readiness", "governance", "reporting", "core", "auth", "authtoken")


# How an action reads on the page. Anything not listed reads as "<object> <verb>", e.g.
# "risk.escalated" → "Risk escalated", so a new service's events are never unreadable.
ACTION_LABELS: dict[str, str] = {
    "initiative.created": "Initiative created",
    "initiative.updated": "Initiative edited",
    "initiative.stage_changed": "Stage changed",
    "initiative.status_changed": "Status changed",
    "initiative.review_reminder_sent": "Review reminder sent",
    "problem_statement.created": "Problem statement written",
    "problem_statement.updated": "Problem statement edited",
    "business_unit.created": "Business unit created",
    "business_unit.updated": "Business unit edited",
    "vendor.created": "Vendor created",
    "vendor.updated": "Vendor edited",
    "template_version.loaded": "Checklist template loaded",
    "assessment.draft_created": "Assessment started",
    "assessment.updated": "Assessment saved",
    "assessment.submitted": "Assessment submitted",
    "assessment.superseded": "Assessment superseded",
    "gate_policy_version.created": "Gate policy version created",
    "gate_request.created": "Gate requested",
    "gate_request.filed": "Gate requested",
    "gate_request.withdrawn": "Gate request withdrawn",
    "gate_request.decided": "Gate decision recorded",
    "vote.cast": "Vote cast",
    "vote.updated": "Vote changed",
    "vote.changed": "Vote changed",
    "item_review.recorded": "Low score reviewed",
    "rereview.raised": "Re-review needed",
    "rereview.confirmed": "Re-review confirmed",
    "rereview.resolved": "Re-review resolved",
    "council_membership.set": "Council membership set",
    "pipeline_token.issued": "Pipeline token issued",
    "pipeline_token.rotated": "Pipeline token rotated",
}


# Stored values that are choice ids, shown by their labels ("controlled_rollout" reads as
# "Controlled rollout"); the CSV keeps the ids, as stored and hashed.
_CHOICE_LABELS: dict[str, dict[str, str]] = {
    "stage": dict(Stage.choices),
    "from_stage": dict(Stage.choices),
    "to_stage": dict(Stage.choices),
    "status": {**dict(GateRequestStatus.choices), **dict(Status.choices)},
    "autonomy_level": dict(AutonomyLevel.choices),
    "eu_ai_act_tier": dict(RiskTier.choices),
    "decision": dict(Decision.choices),
    "choice": dict(VoteChoice.choices),
}


# Field names whose words alone read wrongly ("Eu ai act tier").
_FIELD_LABELS = {
    "eu_ai_act_tier": "EU AI Act tier",
    "kpi": "KPI",
    "poc_budget": "POC budget",
    "non_ai_alternative": "Non-AI alternative",
}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    words = action.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "—"


@cache
def object_type_choices() -> tuple[tuple[str, str], ...]:
    """(app_label.model, "Verbose name") for every model of an audited app, by name."""
    choices = {
        model._meta.label_lower: str(model._meta.verbose_name).capitalize()
        for model in apps.get_models()
        if model._meta.app_label in AUDITED_APPS
    }
    return tuple(sorted(choices.items(), key=lambda choice: choice[1]))


def object_type_label(object_type: str) -> str:
    return dict(object_type_choices()).get(object_type, object_type)


def action_prefixes() -> list[str]:
    """Suggestions for the action filter: each object ("initiative.") and each known action."""
    objects = sorted({action.split(".")[0] + "." for action in ACTION_LABELS})
    return [*objects, *sorted(ACTION_LABELS)]


@dataclass(frozen=True)
class ChangeLine:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    action_label: str
    object_type_label: str
    initiative_title: str
    changes: tuple[ChangeLine, ...]
    short_hash: str
    # The event's hash still matches its content: a per-row check that needs no other row.
    # Whether the chain links up is what "Verify chain now" answers.
    intact: bool


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_display(item) for item in value) if value else "none"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _display_value(field: str, value: Any) -> str:
    labels = _CHOICE_LABELS.get(field)
    if labels is not None and isinstance(value, str) and value in labels:
        return labels[value]
    return _display(value)


def change_lines(changes: Any) -> tuple[ChangeLine, ...]:
    """{field: [before, after]} as readable lines; any other shape is shown as it is.

    A field whose value did not change (a creation lists every field, most of them empty)
    is left out: it says nothing.
    """
    if not isinstance(changes, Mapping):
        return (ChangeLine("", "", _display(changes)),) if changes else ()
    lines = []
    for name, value in changes.items():
        field = str(name)
        label = _FIELD_LABELS.get(field) or field.replace("_", " ").replace(".", ": ")
        label = label[:1].upper() + label[1:]
        if isinstance(value, list | tuple) and len(value) == 2:
            before, after = (_display_value(field, item) for item in value)
            if before != after:
                lines.append(ChangeLine(label, before, after))
        else:
            lines.append(ChangeLine(label, "", _display_value(field, value)))
    return tuple(lines)


def audit_rows(events: Iterable[AuditEvent], titles: Mapping[int, str]) -> list[AuditRow]:
    return [
        AuditRow(
            event=event,
            action_label=action_label(event.action),
            object_type_label=object_type_label(event.object_type),
            initiative_title=titles.get(event.initiative_id, ""),
            changes=change_lines(event.changes),
            short_hash=event.hash[:SHORT_HASH_LENGTH],
            intact=event_hash(event.prev_hash, hashed_fields(event)) == event.hash,
        )
        for event in events
    ]


@dataclass(frozen=True)
class ChainVerification:
    checked_at: datetime.datetime
    events_checked: int
    checkpoints_checked: int
    broken: ChainBreak | None
    broken_event: AuditEvent | None


def verify_whole_chain() -> ChainVerification:
    """Walk every event in sequence order, against the head and the checkpoints, and report
    the first broken link with the event found there (none when the tail is missing)."""
    verification = verify_stored_audit_chain()
    broken = verification.broken
    broken_event = None
    if broken is not None:
        broken_event = (
            AuditEvent.objects.select_related("actor").filter(sequence=broken.sequence).first()
        )
    return ChainVerification(
        checked_at=timezone.now(),
        events_checked=verification.events_checked,
        checkpoints_checked=verification.checkpoints_checked,
        broken=broken,
        broken_event=broken_event,
    )
