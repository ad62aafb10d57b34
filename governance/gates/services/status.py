"""Pause, resume and stop an initiative outside a gate request: one service for all three."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core.permissions import require
from governance.gates.permissions import STATUS_CHANGE_MESSAGE, can_change_status
from governance.gates.services.requests import withdraw_locked
from governance.gates.services.steps import lock_request, required_text
from governance.models import GateRequest, GateRequestStatus
from portfolio.models import Initiative, Status
from portfolio.services import initiative_set_status


@transaction.atomic
def initiative_status_change(
    *, initiative: Initiative, actor: AbstractBaseUser, to_status: str, reason: str
) -> Initiative:
    """Pause (hold), resume or stop (kill / sunset) an initiative outside a gate request.

    Guarantees: only the council chair or a governance admin; a reason is required; the move
    must be allowed from the current status (stopped is final) and is conditional on the status
    the caller saw (ConflictError otherwise). Stopping withdraws a pending gate request with the
    same reason: that request can no longer lead anywhere. The request row is locked before the
    initiative changes, the same order as a decision, so a stop and a decision at the same
    moment wait for each other instead of deadlocking.
    """
    reason = required_text(reason, "reason", "Give the reason; it is kept in the audit trail.")
    require(can_change_status(actor), STATUS_CHANGE_MESSAGE)
    locked_request = None
    if to_status == Status.STOPPED:
        pending = GateRequest.objects.filter(
            initiative_id=initiative.pk, status=GateRequestStatus.PENDING
        ).first()
        locked_request = lock_request(pending) if pending is not None else None
    changed = initiative_set_status(
        initiative=initiative, actor=actor, to_status=to_status, reason=reason
    )
    if locked_request is not None and locked_request.status == GateRequestStatus.PENDING:
        withdraw_locked(locked_request, actor=actor, reason=f"Initiative stopped: {reason}")
    return changed
