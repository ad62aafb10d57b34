"""The steps the gate services share: required text, locking a request, saying why it is closed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.people import display_name
from governance.models import GateRequest, GateRequestStatus

TEXT_MAX_LENGTH = 4000


def required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({field: f"Keep it under {TEXT_MAX_LENGTH} characters."})
    return text


def request_audit_target(request: GateRequest) -> dict[str, Any]:
    return {"target": request, "initiative_id": request.initiative_id}


def lock_request(request: GateRequest) -> GateRequest:
    """The request row, locked for the rest of the transaction (only that row: of=self)."""
    return (
        GateRequest.objects.select_for_update(of=("self",))
        .select_related("policy_version__policy", "initiative")
        .get(pk=request.pk)
    )


def closed_message(request: GateRequest) -> str:
    if request.status == GateRequestStatus.DECIDED:
        who = display_name(request.decided_by)
        return (
            f"This gate request was already decided ({request.get_decision_display()}) by {who} "
            f"on {timezone.localtime(request.decided_at):%d %b %Y %H:%M}; reload to see it."
        )
    return "This gate request was withdrawn; reload to see it."
