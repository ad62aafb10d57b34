"""Filters every list of the API shares: the search backend (DRF's DEFAULT_FILTER_BACKENDS)
and the id filter.

Apart from core.api, which imports DRF's generic views: those read DEFAULT_FILTER_BACKENDS
when they are defined, so a backend named there must not import them.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """`?initiative=12`: a whole number that can be an id; anything else is a 400 naming the
    parameter (a decimal matched nothing, and a number too large for the column was a server
    error on SQLite)."""

    field_class = IdField


class SearchFilter(filters.SearchFilter):
    """DRF's `?search=`, whose refusal (a NUL character in it) names the parameter."""

    def get_search_terms(self, request: Request) -> Any:
        try:
            return super().get_search_terms(request)
        except ValidationError as error:
            raise ValidationError({self.search_param: error.detail}) from error
