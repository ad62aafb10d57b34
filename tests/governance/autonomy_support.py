"""For the promotion tests: evidence for the five autonomy conditions that passes every check,
the audit events of an action, and an initiative's stored autonomy level."""

from __future__ import annotations

from core.models import AuditEvent
from portfolio.models import Initiative

GOOD_EVIDENCE = {
    "precision": "94% exact-match on the 400-ticket eval set; the bar is 90%.",
    "safety": "Redlines, data policy and audit logging verified by security on 3 March.",
    "stability": "Error rate 0.8% and 0.6% in sprints 14 and 15; the error budget is 1%.",
    "observability": "Every reply links to its inputs, prompt version and approver in Langfuse.",
    "business_proof": "Median resolution time fell from 14 h to 9.5 h between January and March.",
}


def events(action: str) -> list[AuditEvent]:
    """The audit events of `action`, in the order they were written."""
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def level_of(initiative: Initiative) -> str:
    """The autonomy level as stored now (not as the object in hand remembers it)."""
    return Initiative.objects.values_list("autonomy_level", flat=True).get(pk=initiative.pk)
