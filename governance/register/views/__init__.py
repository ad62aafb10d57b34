"""Pages of the risk register, incidents, decisions required from leadership and action items.

Every list works like the portfolio list: filters in the URL, htmx swaps the results section in
place (`#results` partial), pagination, an empty state that says what to do. Every change goes
through governance.register.services; these views only translate forms and errors.

One module per kind of record; the page shapes they share are in `pages`.
"""

from __future__ import annotations

from governance.register.views.action_items import (
    action_item_complete_view,
    action_item_create_view,
    action_item_list,
)
from governance.register.views.decisions import (
    leadership_decision_create_view,
    leadership_decision_detail,
    leadership_decision_edit,
    leadership_decision_list,
    leadership_decision_outcome,
)
from governance.register.views.incidents import (
    incident_create_view,
    incident_detail,
    incident_edit,
    incident_list,
    incident_resolve_view,
)
from governance.register.views.risks import (
    risk_close_view,
    risk_create_view,
    risk_detail,
    risk_edit,
    risk_list,
)

__all__ = [
    "action_item_complete_view",
    "action_item_create_view",
    "action_item_list",
    "incident_create_view",
    "incident_detail",
    "incident_edit",
    "incident_list",
    "incident_resolve_view",
    "leadership_decision_create_view",
    "leadership_decision_detail",
    "leadership_decision_edit",
    "leadership_decision_list",
    "leadership_decision_outcome",
    "risk_close_view",
    "risk_create_view",
    "risk_detail",
    "risk_edit",
    "risk_list",
]
