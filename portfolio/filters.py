"""The portfolio's filters, shared by the browser list and the API so both answer alike."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portfolio.forms import InitiativeLookupField, UserChoiceField, gatehouse_users
from portfolio.models import BusinessUnit, Initiative, RiskTier, Stage, Status

SORT_CHOICES = (
    ("title", "Title (A–Z)"),
    ("-title", "Title (Z–A)"),
    ("stage", "Stage (exploration first)"),
    ("-stage", "Stage (operation first)"),
    ("-updated", "Recently updated"),
    ("start_date", "Start date (oldest first)"),
    ("-start_date", "Start date (newest first)"),
    ("business_unit", "Business unit"),
)
_SORT_ORDER = {
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "stage": ("stage_rank", "title", "id"),
    "-stage": ("-stage_rank", "title", "id"),
    "-updated": ("-updated_at", "-id"),
    "start_date": ("start_date", "id"),
    "-start_date": ("-start_date", "-id"),
    "business_unit": ("business_unit__name", "title", "id"),
}


@extend_schema_field(OpenApiTypes.INT)
class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


@extend_schema_field(OpenApiTypes.INT)
class InitiativeLookupFilter(django_filters.Filter):
    """`?initiative=<id>` on a list of things that belong to initiatives: a type-ahead text
    field on the pages (a portfolio has thousands of initiatives, too many for a drop-down);
    an exact title typed without JavaScript works too."""

    field_class = InitiativeLookupField


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search")
    stage = django_filters.MultipleChoiceFilter(
        choices=Stage.choices, widget=forms.CheckboxSelectMultiple
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    business_unit = django_filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), empty_label="All business units"
    )
    eu_ai_act_tier = django_filters.ChoiceFilter(
        choices=RiskTier.choices, label="EU AI Act tier", empty_label="Any tier"
    )
    owner = UserFilter(
        queryset=lambda request: gatehouse_users(),
        method="filter_owner",
        label="Owner",
        empty_label="Anyone",
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label="Sort by", empty_label=None
    )

    class Meta:
        model = Initiative
        fields = ["q", "stage", "status", "business_unit", "eu_ai_act_tier", "owner", "sort"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_owner(self, queryset: QuerySet, name: str, value) -> QuerySet:  # noqa: ANN001
        if value is None:
            return queryset
        return queryset.filter(Q(business_owner=value) | Q(delivery_owner=value))

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.with_stage_rank().order_by(*_SORT_ORDER.get(value, _SORT_ORDER["title"]))
