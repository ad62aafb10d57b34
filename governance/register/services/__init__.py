"""Every change to the risk register, incidents, leadership decisions and action items.

One function per change: keyword-only, one transaction, one audit event with before and after.
Each checks permission itself (views and the API check first only to answer 403 early), names
the field in every validation error, locks the row where two people can act on it at once, and
refuses a stale `expected_version` with a ConflictError that carries the current values.

One module per kind of record; the steps they share are in `records` (lock, version check,
save and audit) and `validation` (field checks). Import the services from this package.
"""

from __future__ import annotations

from governance.register.services.action_items import (
    ACTION_ITEM_FIELDS,
    action_item_complete,
    action_item_create,
    is_overdue,
)
from governance.register.services.decisions import (
    LEADERSHIP_DECISION_EDITABLE_FIELDS,
    leadership_decision_create,
    leadership_decision_record_outcome,
    leadership_decision_update,
)
from governance.register.services.incidents import (
    INCIDENT_EDITABLE_FIELDS,
    incident_create,
    incident_resolve,
    incident_update,
)
from governance.register.services.risks import (
    DEFAULT_ESCALATION_THRESHOLD,
    RISK_EDITABLE_FIELDS,
    risk_close,
    risk_create,
    risk_update,
)
from governance.register.services.validation import SCORE_RANGE, SEVERITY_RANGE

__all__ = [
    "ACTION_ITEM_FIELDS",
    "DEFAULT_ESCALATION_THRESHOLD",
    "INCIDENT_EDITABLE_FIELDS",
    "LEADERSHIP_DECISION_EDITABLE_FIELDS",
    "RISK_EDITABLE_FIELDS",
    "SCORE_RANGE",
    "SEVERITY_RANGE",
    "action_item_complete",
    "action_item_create",
    "incident_create",
    "incident_resolve",
    "incident_update",
    "is_overdue",
    "leadership_decision_create",
    "leadership_decision_record_outcome",
    "leadership_decision_update",
    "risk_close",
    "risk_create",
    "risk_update",
]
