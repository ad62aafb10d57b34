"""API pieces every app shares: the router, strict input, and error translation."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import BlockedError, ConflictError

# What an id in a path looks like; core.schema documents such ids as integers.
ID_PATTERN = r"[0-9]+"


class ApiRouter(DefaultRouter):
    """The router of every app's API under /api/v1/.

    Ids in paths are digits unless a viewset names its own `lookup_value_regex` (templates are
    addressed by key): `/risks/abc/` is then a 404 at the URL, not a ValueError from the
    database. No `.json` format-suffix twins of the routes: the schema documents none, and the
    extra actions (`kpis/{id}/measurements`) do not take the `format` argument they would pass.
    Only the portfolio's router draws the `/api/v1/` index (`root_view=True`); the others share
    its prefix and must not answer it.
    """

    include_format_suffixes = False

    def __init__(self, *, root_view: bool = False) -> None:
        super().__init__()
        self.include_root_view = root_view
        self._default_value_pattern = ID_PATTERN


class PageNumberPagination(pagination.PageNumberPagination):
    """Every API list: 25 rows a page by default; `?page_size=` asks for up to 500.

    The cap keeps one request's cost bounded on a large portfolio; a client that needs every
    row follows the `next` links.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Rows per page: 25 unless asked, at most 500."

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class StrictFieldsMixin:
    """Refuse fields the serializer does not know, instead of silently ignoring them.

    A typo in a client (`busines_owner`) would otherwise look like a successful save.
    """

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            allowed = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data.keys()) - allowed)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: ["Unknown or read-only field: this endpoint does not accept it."]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class DateTimeField(serializers.DateTimeField):
    """A date and time from 1900 on, for what a client writes (a meeting, an incident).

    Earlier ones are typos (a meeting in the year 76), and shown in TIME_ZONE they carry its
    local mean time offset (Brussels then: +00:17:30), which is no RFC 3339 date-time.
    """

    default_error_messages = {"too_early": "Give a date and time from 1900 on."}

    def to_internal_value(self, value: Any) -> Any:
        moment = super().to_internal_value(value)
        if moment.year < 1900:
            self.fail("too_early")
        return moment


def django_validation_detail(error: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": list(error.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the domain's errors: validation 400, conflict and blocked 409,
    denial 403."""
    if isinstance(exc, DjangoValidationError):
        return Response(django_validation_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        # A refusal raised outside a serializer's fields (a view, a filter) as a bare list:
        # every 400 body is an object, so it goes where serializers put body-wide errors.
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.detail})
    if isinstance(exc, BlockedError):
        return Response(
            {"detail": exc.message, "blocked_by": exc.blocked_by}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ConflictError):
        return Response(
            {"detail": exc.message, "current": exc.current}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        # Our 404s say what is missing ("No such initiative.", "… missing from storage").
        exc = exceptions.NotFound(str(exc) or None)
    return drf_exception_handler(exc, context)
