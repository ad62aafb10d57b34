"""The audit trail for auditors: the whole chain, one initiative's trail, CSV export, verify.

Events are written only by core.audit.record_audit_event; these pages read them. Every page
runs a constant number of queries (one page of 50 events with their actors, the count, and
the filter form's choices), and the whole chain is walked only when someone asks for it.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.audit import ChainBreak, event_hash, hashed_fields, verify_audit_chain
from core.listing import query_without, results_template
from core.models import AuditChainHead, AuditEvent
from core.roles import has_any_role
from governance.models import Decision, GateRequestStatus, VoteChoice
from governance.permissions import can_read_audit, initiative_owner_ids
from portfolio.models import AutonomyLevel, Initiative, RiskTier, Stage, Status
from portfolio.permissions import get_initiative_for_user

PAGE_SIZE = 50
SHORT_HASH_LENGTH = 12
AUDIT_DENIED_MESSAGE = "Only auditors and governance admins can read the whole audit trail."
INITIATIVE_AUDIT_DENIED_MESSAGE = (
    "Only auditors, governance admins and this initiative's named owners can read its audit trail."
)
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


# ---------------------------------------------------------------------------------------------
# Who may read
# ---------------------------------------------------------------------------------------------


def can_read_initiative_audit(user: Any, initiative: Initiative) -> bool:
    """Auditors, governance admins, and the initiative's named people (owners, sponsor).

    Decided from roles (cached on the user) and the owner ids on the initiative: no query
    beyond the first role lookup, so the initiative page's panel costs nothing.
    """
    if can_read_audit(user):
        return True
    return has_any_role(user) and user.pk in initiative_owner_ids(initiative)


def _require_audit_reader(request: HttpRequest) -> None:
    if not can_read_audit(request.user):
        raise PermissionDenied(AUDIT_DENIED_MESSAGE)


def _initiative_for_audit(request: HttpRequest, pk: int) -> Initiative:
    """The initiative if the user may read its trail: 404 unknown, 403 not theirs to read."""
    initiative = get_initiative_for_user(
        request.user,
        pk,
        queryset=Initiative.objects.only(
            "id",
            "title",
            "business_owner_id",
            "delivery_owner_id",
            "executive_sponsor_id",
            "value_owner_id",
            "safety_owner_id",
        ),
    )
    if not can_read_initiative_audit(request.user, initiative):
        raise PermissionDenied(INITIATIVE_AUDIT_DENIED_MESSAGE)
    return initiative


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------

SYSTEM_ACTOR = "system"


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilter(django_filters.FilterSet):
    """The trail's filters, as URL parameters: the page, htmx and the CSV export share them.

    Actor and initiative choices are read once each (one query) and kept, so rendering and
    validating the form do not query again; the titles also label the rows.
    """

    action = django_filters.CharFilter(
        field_name="action",
        lookup_expr="startswith",
        label="Action starts with",
        widget=forms.TextInput(attrs={"list": "audit-action-prefixes"}),
    )
    actor = django_filters.ChoiceFilter(method="filter_actor", label="Who", empty_label="Anyone")
    object_type = django_filters.ChoiceFilter(
        field_name="object_type", label="Object type", empty_label="Any type"
    )
    initiative = django_filters.ChoiceFilter(
        field_name="initiative_id", label="Initiative", empty_label="Any initiative"
    )
    # Days in the site's time zone, compared as instants so the occurred_at index is used
    # (occurred_at__date would wrap the column in a function on every row).
    date_from = django_filters.DateFilter(
        method="filter_date_from", label="From (date)", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", label="To (date)", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "object_type", "initiative", "date_from", "date_to"]

    def __init__(self, *args: Any, with_initiative: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = (
            get_user_model()
            .objects.order_by("username")
            .only("id", "username", "first_name", "last_name")
        )
        self.filters["actor"].extra["choices"] = [
            (SYSTEM_ACTOR, "System (no person)"),
            *((str(u.pk), _user_choice_label(u)) for u in users),
        ]
        self.filters["object_type"].extra["choices"] = object_type_choices()
        self.initiative_titles: dict[int, str] = {}
        if with_initiative:
            self.initiative_titles = dict(
                Initiative.objects.order_by("title", "id").values_list("id", "title")
            )
            self.filters["initiative"].extra["choices"] = [
                (str(pk), title) for pk, title in self.initiative_titles.items()
            ]
        else:
            del self.filters["initiative"]

    def filter_date_from(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(occurred_at__gte=_start_of_day(value))

    def filter_date_to(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(occurred_at__lt=_start_of_day(value + datetime.timedelta(days=1)))

    def filter_actor(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == SYSTEM_ACTOR:
            return queryset.filter(actor__isnull=True)
        return queryset.filter(actor_id=int(value))


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _user_choice_label(user: Any) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def _filtered(request: HttpRequest, base: QuerySet, *, with_initiative: bool):  # noqa: ANN202
    filterset = AuditEventFilter(
        request.GET or None, queryset=base, with_initiative=with_initiative
    )
    if filterset.is_bound and filterset.is_valid():
        return filterset, filterset.qs
    return filterset, base


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Chain verification
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainVerification:
    checked_at: datetime.datetime
    events_checked: int
    broken: ChainBreak | None
    broken_event: AuditEvent | None


def verify_whole_chain() -> ChainVerification:
    """Walk every event in sequence order, in chunks, and report the first broken link."""
    counted = 0

    def counting(events: Iterable[AuditEvent]) -> Iterator[AuditEvent]:
        nonlocal counted
        for event in events:
            counted += 1
            yield event

    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    broken = verify_audit_chain(counting(events))
    broken_event = None
    if broken is not None:
        broken_event = (
            AuditEvent.objects.select_related("actor").filter(sequence=broken.sequence).first()
        )
    return ChainVerification(
        checked_at=timezone.now(),
        events_checked=counted,
        broken=broken,
        broken_event=broken_event,
    )


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def _trail_page(
    request: HttpRequest,
    *,
    initiative: Initiative | None,
    verification: ChainVerification | None = None,
) -> TemplateResponse:
    base = AuditEvent.objects.select_related("actor").order_by("-sequence")
    if initiative is not None:
        base = base.filter(initiative_id=initiative.pk)
    filterset, events = _filtered(request, base, with_initiative=initiative is None)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    titles = (
        {initiative.pk: initiative.title} if initiative is not None else filterset.initiative_titles
    )
    template = results_template(request, "governance/audit/trail.html", "audit-results")
    rows = audit_rows(page.object_list, titles)
    return TemplateResponse(
        request,
        template,
        {
            "initiative": initiative,
            "filter": filterset,
            "page": page,
            "rows": rows,
            "rows_not_matching_hash": sum(not row.intact for row in rows),
            "query_without_page": query_without(request, "page"),
            "query_string": request.GET.urlencode(),
            "trail_url": reverse("governance:initiative_audit_trail", args=[initiative.pk])
            if initiative is not None
            else reverse("governance:audit_trail"),
            "export_url": reverse("governance:initiative_audit_export", args=[initiative.pk])
            if initiative is not None
            else reverse("governance:audit_export"),
            "can_read_whole_trail": can_read_audit(request.user),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
            "action_prefixes": action_prefixes(),
            # The head costs one indexed query; the whole chain is walked only on request.
            "chain_head": AuditChainHead.objects.filter(pk=1).first()
            if initiative is None
            else None,
            "verification": verification,
        },
    )


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> TemplateResponse:
    _require_audit_reader(request)
    return _trail_page(request, initiative=None)


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> TemplateResponse:
    """Walk the whole chain now; htmx swaps in the chain-status box, otherwise the full page."""
    _require_audit_reader(request)
    verification = verify_whole_chain()
    if request.htmx:
        return TemplateResponse(
            request,
            "governance/audit/trail.html#chain-status",
            {
                "initiative": None,
                "verification": verification,
                "chain_head": AuditChainHead.objects.filter(pk=1).first(),
                "query_string": request.GET.urlencode(),
            },
        )
    return _trail_page(request, initiative=None, verification=verification)


@login_required
@require_GET
def initiative_audit_trail(request: HttpRequest, pk: int) -> TemplateResponse:
    initiative = _initiative_for_audit(request, pk)
    return _trail_page(request, initiative=initiative)


# ---------------------------------------------------------------------------------------------
# CSV export
# ---------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "sequence",
    "occurred_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "initiative_id",
    "changes",
    "reason",
    "prev_hash",
    "hash",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _text_cell(value: str) -> str:
    """Text typed by people, made safe for spreadsheets (OWASP "CSV injection").

    A cell starting with = + - @ would run as a formula in Excel; a leading apostrophe keeps it
    text. The hash covers the original text: strip the apostrophe before re-checking a hash.
    """
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _csv_lines(events: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    # iterator(): rows are fetched in chunks and never all held in memory.
    for event in events.iterator(chunk_size=1000):
        yield writer.writerow(
            (
                event.sequence,
                event.occurred_at.isoformat(),
                _text_cell(event.actor.get_username()) if event.actor else "",
                event.action,
                event.object_type,
                event.object_id,
                _text_cell(event.object_repr),
                "" if event.initiative_id is None else event.initiative_id,
                json.dumps(event.changes, ensure_ascii=False, sort_keys=True),
                _text_cell(event.reason),
                event.prev_hash,
                event.hash,
            )
        )


def _csv_response(request: HttpRequest, base: QuerySet, *, filename: str, with_initiative: bool):  # noqa: ANN202
    filterset = AuditEventFilter(
        request.GET or None, queryset=base, with_initiative=with_initiative
    )
    if filterset.is_bound and not filterset.is_valid():
        # An export that silently ignored a filter would hand the auditor the wrong records.
        problems = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()
        )
        return HttpResponse(
            f"Filters not understood, nothing exported: {problems}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    events = filterset.qs if filterset.is_bound else base
    response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _export_base() -> QuerySet:
    # Oldest first: the order in which the chain can be re-checked.
    return AuditEvent.objects.select_related("actor").order_by("sequence")


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    _require_audit_reader(request)
    return _csv_response(
        request, _export_base(), filename="gatehouse-audit-trail", with_initiative=True
    )


@login_required
@require_GET
def initiative_audit_export(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative_for_audit(request, pk)
    return _csv_response(
        request,
        _export_base().filter(initiative_id=initiative.pk),
        filename=f"gatehouse-audit-trail-initiative-{initiative.pk}",
        with_initiative=False,
    )
