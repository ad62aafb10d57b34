"""The audit trail's filter form."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from core.models import AuditEvent
from governance.audit.presentation import object_type_choices
from portfolio.filters import InitiativeLookupFilter
from portfolio.models import Initiative

SYSTEM_ACTOR = "system"


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilter(django_filters.FilterSet):
    """The trail's filters, as URL parameters: the page, htmx and the CSV export share them.

    Actor choices are read once (one query) and kept, so rendering and validating the form do
    not query again. The initiative is typed (its id, or its title) with suggestions.
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
    # A type-ahead text field, not a drop-down of every initiative; the value is the id.
    initiative = InitiativeLookupFilter(method="filter_initiative", label="Initiative")
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
        if not with_initiative:
            del self.filters["initiative"]

    def filter_date_from(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(occurred_at__gte=_start_of_day(value))

    def filter_date_to(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(occurred_at__lt=_start_of_day(value + datetime.timedelta(days=1)))

    def filter_initiative(self, queryset: QuerySet, name: str, value: Initiative) -> QuerySet:
        return queryset.filter(initiative_id=value.pk)

    def filter_actor(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == SYSTEM_ACTOR:
            return queryset.filter(actor__isnull=True)
        return queryset.filter(actor_id=int(value))


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _user_choice_label(user: Any) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username
