"""Celery tasks of governance: thin wrappers that take ids and call the services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from governance.gates.notifications import send_request_email
from governance.gates.services import gate_request_return_iteration
from governance.gates.services.decisions import returnable_iterations
from governance.models import GateRequest
from governance.register.notifications import notify_action_items_overdue


@shared_task(name="governance.send_gate_request_email")
def send_gate_request_email(request_id: int, kind: str) -> int:
    """Send one gate-request email (request_filed, vote_needed or decision_made)."""
    return send_request_email(request_id, kind)


@shared_task(name="governance.send_overdue_action_item_reminders")
def send_overdue_action_item_reminders() -> int:
    """Remind owners of overdue action items; returns how many were sent (run daily by beat).

    Safe to rerun or to run twice at once: each item is claimed before its email goes out.
    """
    return notify_action_items_overdue(today=timezone.localdate())


@shared_task(name="governance.return_due_iterations")
def return_due_iterations() -> int:
    """File again every "iterate" whose bounded fix is due; returns how many came back.

    Run daily by beat and when a worker starts, so an iterate that fell due while nothing ran
    comes back too. Safe to rerun or to run twice at once: an iterate that came back is never
    returned again.
    """
    returned = 0
    for request_id in returnable_iterations(timezone.localdate()):
        request = GateRequest.objects.get(pk=request_id)
        if gate_request_return_iteration(request=request) is not None:
            returned += 1
    return returned


@worker_ready.connect(dispatch_uid="governance.return_iterations_when_a_worker_starts")
def return_iterations_when_a_worker_starts(sender: Any, **kwargs: Any) -> None:
    """A worker serving the default queue (where beat's jobs go) returns due iterates when it
    starts.

    Beat does not replay a run it missed, so without this an iterate that fell due while the
    worker or beat was down would wait for the next daily run. A worker started only for other
    queues (`-Q`) sends nothing: the job would wait on a queue it does not read.
    """
    app = sender.app
    if app.conf.task_default_queue in app.amqp.queues.consume_from:
        return_due_iterations.delay()
