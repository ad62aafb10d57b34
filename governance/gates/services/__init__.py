"""Every state change of the stage gates: one function each, one transaction, one audit event.

Policies (`policies`), filing, voting and withdrawing (`requests`), the chair's decision
(`decisions`), pause / resume / stop (`status`), item reviews and re-reviews (`reviews`),
autonomy promotions (`autonomy`); the steps they share are in `steps`. Import the services
from this package.
"""

from __future__ import annotations

from governance.gates.services.autonomy import (
    autonomy_promotion_decide,
    autonomy_promotion_name_acting_chair,
    autonomy_promotion_request,
    autonomy_promotion_withdraw,
)
from governance.gates.services.decisions import (
    gate_request_decide,
    gate_request_name_acting_chair,
    gate_request_return_iteration,
)
from governance.gates.services.policies import (
    gate_policies_load_defaults,
    gate_policy_load,
    gate_policy_version_create,
)
from governance.gates.services.requests import gate_request_create, gate_request_withdraw, vote_cast
from governance.gates.services.reviews import (
    item_review_record,
    rereview_confirm,
    rereview_raise,
    rereview_send_back,
)
from governance.gates.services.status import initiative_status_change

__all__ = [
    "autonomy_promotion_decide",
    "autonomy_promotion_name_acting_chair",
    "autonomy_promotion_request",
    "autonomy_promotion_withdraw",
    "gate_policies_load_defaults",
    "gate_policy_load",
    "gate_policy_version_create",
    "gate_request_create",
    "gate_request_decide",
    "gate_request_name_acting_chair",
    "gate_request_return_iteration",
    "gate_request_withdraw",
    "initiative_status_change",
    "item_review_record",
    "rereview_confirm",
    "rereview_raise",
    "rereview_send_back",
    "vote_cast",
]
