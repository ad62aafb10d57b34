"""What the OpenAPI schema says of every endpoint alike (DRF's DEFAULT_SCHEMA_CLASS).

Each view documents its own successes (and any error body of its own, e.g. the gates' 409
naming the blocking criteria); this adds the errors every endpoint can answer, with the bodies
`core.api.exception_handler` gives them, so a client (or schemathesis) finds every status code
it can receive in the schema:

* 401 and 403 `{"detail": …}` everywhere: every endpoint needs a signed-in Gatehouse user;
* 404 `{"detail": …}` where the path names an object, and on paginated lists (`?page=` past
  the end);
* 400 field → messages where a body or query parameters are read;
* 409 `{"detail": …, "current": …}` on every write: a stale version, or already done.

It also types the router's digit-only ids (core.api.ApiRouter) as integers again, as they were
before the router checked them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_parameter_type, get_view_model
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.schemas.utils import get_pk_description

from core.api import ID_PATTERN


class ErrorSerializer(serializers.Serializer):
    """A refusal or a missing object, in words."""

    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    """409: someone saved since you read (`current` holds their values), or it is already done."""

    detail = serializers.CharField()
    current = serializers.JSONField(
        required=False, help_text="The values saved since the version you sent"
    )


VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "What is wrong, by field: {field: [messages]} (nested objects for nested inputs, "
        '"non_field_errors" for the body as a whole, "detail" for a body that cannot be read)'
    ),
    "additionalProperties": {},
}

_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PAGE_PARAMETERS = frozenset({"page", "page_size"})


class GatehouseAutoSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        in_path = any(parameter["in"] == "path" for parameter in parameters)
        query = {parameter["name"] for parameter in parameters if parameter["in"] == "query"}
        writes = self.method in _WRITE_METHODS

        errors: dict[str, Any] = {
            "401": (ErrorSerializer, "Not signed in (no or an unknown token)"),
            "403": (ErrorSerializer, "Signed in, but this user may not do this"),
        }
        if in_path or query & _PAGE_PARAMETERS:
            errors["404"] = (ErrorSerializer, "No such object (or no such page)")
        if writes or "requestBody" in operation or query - _PAGE_PARAMETERS:
            errors["400"] = (self._validation_error_ref(), "Invalid input, by field")
        if writes:
            errors["409"] = (ConflictSerializer, "Stale version, or already done")
        for code, (body, description) in errors.items():
            if code not in responses:
                responses[code] = {
                    **self._get_response_for_code(body, code),
                    "description": description,
                }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _validation_error_ref(self) -> dict[str, str]:
        component = ResolvedComponent(
            name="ValidationError",
            type=ResolvedComponent.SCHEMA,
            object="ValidationError",
            schema=VALIDATION_ERROR_SCHEMA,
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters = super()._resolve_path_parameters(variables)
        model: type[Model] | None = get_view_model(self.view, emit_warnings=False)
        for index, parameter in enumerate(parameters):
            if parameter["schema"].get("pattern") != f"^{ID_PATTERN}$":
                continue
            described = model is not None and parameter["name"] == "id"
            parameters[index] = build_parameter_type(
                name=parameter["name"],
                location=OpenApiParameter.PATH,
                schema={"type": "integer"},
                description=get_pk_description(model, model._meta.pk) if described else "",
            )
        return parameters
