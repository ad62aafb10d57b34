"""Reads for the register pages and API: querysets, filters and the severity scale.

The pages and the API use the same FilterSets so both answer a filter alike. Each list's
default shows what still needs attention (open risks, incidents, decisions, actions);
`status=all` (or `state=all` for action items) shows everything.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.utils import timezone

from governance.models import (
    ActionItem,
    ActionItemStatus,
    Incident,
    IncidentStatus,
    LeadershipDecision,
    LeadershipDecisionStatus,
    Risk,
    RiskCategory,
    RiskStatus,
)
from portfolio.filters import InitiativeLookupFilter, UserFilter
from portfolio.forms import gatehouse_users
from portfolio.models import BusinessUnit, Initiative
from portfolio.vocabulary import HIGH_RISK_SEVERITY

# ---------------------------------------------------------------------------------------------
# The severity scale (likelihood × impact, 1–25)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeverityLevel:
    id: str
    label: str
    minimum: int
    css: str  # an existing badge colour: ok (green), paused (amber), blocking (red)


# "High" starts at 15 to agree with the gate criterion no_unmitigated_high_risk's default
# min_severity and the model's default escalation threshold.
SEVERITY_LEVELS: tuple[SeverityLevel, ...] = (
    SeverityLevel("high", "High", HIGH_RISK_SEVERITY, "badge-blocking"),
    SeverityLevel("medium", "Medium", 8, "badge-paused"),
    SeverityLevel("low", "Low", 1, "badge-ok"),
)
LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


def severity_level(severity: int) -> SeverityLevel:
    for level in SEVERITY_LEVELS:
        if severity >= level.minimum:
            return level
    return SEVERITY_LEVELS[-1]


SEVERITY_MIN_CHOICES = (
    (20, "20 or more"),
    (HIGH_RISK_SEVERITY, f"{HIGH_RISK_SEVERITY} or more (high)"),
    (8, "8 or more (medium and high)"),
    (4, "4 or more"),
)

# ---------------------------------------------------------------------------------------------
# Querysets: everything a list row shows, in one query
# ---------------------------------------------------------------------------------------------


def risk_queryset() -> QuerySet[Risk]:
    return Risk.objects.select_related("initiative", "initiative__business_unit", "owner")


def incident_queryset() -> QuerySet[Incident]:
    return Incident.objects.select_related("initiative", "initiative__business_unit", "owner")


def with_overdue(queryset: QuerySet, today: datetime.date) -> QuerySet:
    """Annotate `overdue`: open and due before `today` (action items and decisions)."""
    return queryset.annotate(
        overdue=Case(
            When(status="open", due_date__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def leadership_decision_queryset(
    today: datetime.date | None = None,
) -> QuerySet[LeadershipDecision]:
    return with_overdue(
        LeadershipDecision.objects.select_related("initiative", "owner"),
        today or timezone.localdate(),
    )


def action_item_queryset(today: datetime.date | None = None) -> QuerySet[ActionItem]:
    return with_overdue(
        ActionItem.objects.select_related("initiative", "owner", "gate_request"),
        today or timezone.localdate(),
    )


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


class _BusinessUnitFilterMixin(django_filters.FilterSet):
    business_unit = django_filters.ModelChoiceFilter(
        field_name="initiative__business_unit",
        queryset=BusinessUnit.objects.all(),
        empty_label="All business units",
        label="Business unit",
    )


RISK_STATUS_CHOICES = (
    ("all", "Any status"),
    (RiskStatus.OPEN, "Open"),
    (RiskStatus.MITIGATING, "Mitigation in progress"),
    (RiskStatus.CLOSED, "Closed"),
)
RISK_SORT_CHOICES = (
    ("-severity", "Severity (highest first)"),
    ("severity", "Severity (lowest first)"),
    ("-updated", "Recently updated"),
    ("initiative", "Initiative"),
)
_RISK_ORDER = {
    "-severity": ("-severity", "-likelihood", "initiative__title", "id"),
    "severity": ("severity", "likelihood", "initiative__title", "id"),
    "-updated": ("-updated_at", "-id"),
    "initiative": ("initiative__title", "-severity", "id"),
}


class RiskFilter(_BusinessUnitFilterMixin):
    """The risk register. No `status` means open or mitigating: the risks still live."""

    category = django_filters.ChoiceFilter(choices=RiskCategory.choices, empty_label="Any category")
    status = django_filters.ChoiceFilter(
        choices=RISK_STATUS_CHOICES,
        method="filter_status",
        empty_label="Open or mitigating",
    )
    severity_min = django_filters.ChoiceFilter(
        choices=[(str(value), label) for value, label in SEVERITY_MIN_CHOICES],
        method="filter_severity_min",
        label="Severity at least",
        empty_label="Any severity",
    )
    escalated = django_filters.BooleanFilter(
        label="Escalated",
        widget=forms.Select(
            choices=(("", "Either"), ("true", "Escalated"), ("false", "Not escalated"))
        ),
    )
    initiative = InitiativeLookupFilter(label="Initiative")
    owner = UserFilter(
        queryset=lambda request: gatehouse_users(), label="Owner", empty_label="Anyone"
    )
    sort = django_filters.ChoiceFilter(
        choices=RISK_SORT_CHOICES, method="filter_sort", label="Sort by", empty_label=None
    )

    class Meta:
        model = Risk
        fields = [
            "category",
            "status",
            "severity_min",
            "escalated",
            "business_unit",
            "initiative",
            "owner",
            "sort",
        ]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet[Risk]:
        # Defaults for an absent (or not understood) parameter: a bare /risks/ is the live
        # register, highest severity first; an explicit `sort` reorders it.
        queryset = super().filter_queryset(queryset.order_by(*_RISK_ORDER["-severity"]))
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=RiskStatus.CLOSED)
        return queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_severity_min(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(severity__gte=int(value))

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*_RISK_ORDER.get(value, _RISK_ORDER["-severity"]))


INCIDENT_STATUS_CHOICES = (
    ("all", "Any status"),
    (IncidentStatus.RESOLVED, "Resolved"),
)


class IncidentFilter(_BusinessUnitFilterMixin):
    """Incidents and exceptions, newest first. No `status` means open."""

    status = django_filters.ChoiceFilter(
        choices=INCIDENT_STATUS_CHOICES, method="filter_status", empty_label="Open"
    )
    initiative = InitiativeLookupFilter(label="Initiative")
    owner = UserFilter(
        queryset=lambda request: gatehouse_users(), label="Owner", empty_label="Anyone"
    )

    class Meta:
        model = Incident
        fields = ["status", "business_unit", "initiative", "owner"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet[Incident]:
        queryset = super().filter_queryset(queryset.order_by("-occurred_at", "-id"))
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=IncidentStatus.OPEN)
        return queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if value == "all" else queryset.filter(status=value)


DECISION_STATUS_CHOICES = (
    ("overdue", "Open and overdue"),
    (LeadershipDecisionStatus.DECIDED, "Decided"),
    ("all", "Any status"),
)


class LeadershipDecisionFilter(django_filters.FilterSet):
    """Decisions required from leadership, soonest due first. No `status` means open."""

    status = django_filters.ChoiceFilter(
        choices=DECISION_STATUS_CHOICES, method="filter_status", empty_label="Open"
    )
    initiative = InitiativeLookupFilter(label="Initiative")
    portfolio_wide = django_filters.BooleanFilter(
        field_name="initiative",
        lookup_expr="isnull",
        label="Scope",
        widget=forms.Select(
            choices=(("", "Any"), ("true", "Whole portfolio"), ("false", "One initiative"))
        ),
    )
    owner = UserFilter(
        queryset=lambda request: gatehouse_users(), label="Owner", empty_label="Anyone"
    )

    class Meta:
        model = LeadershipDecision
        fields = ["status", "initiative", "portfolio_wide", "owner"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet[LeadershipDecision]:
        queryset = super().filter_queryset(queryset.order_by("due_date", "id"))
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=LeadershipDecisionStatus.OPEN)
        return queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "all":
            return queryset
        if value == "overdue":
            return queryset.filter(overdue=True)
        return queryset.filter(status=value)


ACTION_STATE_CHOICES = (
    ("overdue", "Overdue"),
    (ActionItemStatus.DONE, "Done"),
    ("all", "Any"),
)


class ActionItemFilter(_BusinessUnitFilterMixin):
    """Action items, soonest due first. No `state` means open (overdue ones included)."""

    state = django_filters.ChoiceFilter(
        choices=ACTION_STATE_CHOICES, method="filter_state", label="State", empty_label="Open"
    )
    owner = UserFilter(
        queryset=lambda request: gatehouse_users(), label="Owner", empty_label="Anyone"
    )
    initiative = InitiativeLookupFilter(label="Initiative")

    class Meta:
        model = ActionItem
        fields = ["state", "owner", "initiative", "business_unit"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet[ActionItem]:
        queryset = super().filter_queryset(queryset.order_by("due_date", "id"))
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.filter(status=ActionItemStatus.OPEN)
        return queryset

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "all":
            return queryset
        if value == "overdue":
            return queryset.filter(overdue=True)
        return queryset.filter(status=value)


def open_register_for(initiative: Initiative, *, limit: int) -> dict[str, list]:
    """The initiative page panel's rows: open risks by severity, open incidents, open actions.

    Three queries whatever the register's size; each list holds at most `limit` + 1 rows so the
    panel can say there are more without counting them.
    """
    today = timezone.localdate()
    risks = list(
        Risk.objects.filter(initiative=initiative)
        .exclude(status=RiskStatus.CLOSED)
        .select_related("owner")
        .order_by("-severity", "-likelihood", "id")[: limit + 1]
    )
    incidents = list(
        Incident.objects.filter(initiative=initiative, status=IncidentStatus.OPEN)
        .select_related("owner")
        .order_by("-occurred_at", "-id")[: limit + 1]
    )
    actions = list(
        with_overdue(ActionItem.objects.filter(initiative=initiative), today)
        .filter(status=ActionItemStatus.OPEN)
        .select_related("owner")
        .order_by("due_date", "id")[: limit + 1]
    )
    return {"risks": risks, "incidents": incidents, "actions": actions}
