"""The "Audit trail" link on the initiative page, for those who may read the initiative's trail.

Registered with portfolio.panels by governance's AppConfig.ready. Costs no query: the
permission comes from the user's roles, already read and cached by the page, and from the
owner ids on the initiative row.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from governance.audit.permissions import can_read_initiative_audit
from portfolio.models import Initiative


def audit_trail_panel(request: HttpRequest, initiative: Initiative) -> SafeString | None:
    if not can_read_initiative_audit(request.user, initiative):
        return None
    return render_to_string(
        "governance/audit/_initiative_panel.html", {"initiative": initiative}, request=request
    )
