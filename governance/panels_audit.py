"""The "Audit trail" link on the initiative page, for those who may read the initiative's trail.

Registers itself with portfolio.panels on import (governance's AppConfig.ready imports this
module). Costs no query: the permission comes from the user's roles, already read and cached
by the page, and from the owner ids on the initiative row.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from governance.views_audit import can_read_initiative_audit
from portfolio.models import Initiative
from portfolio.panels import register_initiative_panel


def audit_trail_panel(request: HttpRequest, initiative: Initiative) -> SafeString | None:
    if not can_read_initiative_audit(request.user, initiative):
        return None
    return render_to_string(
        "governance/audit/_initiative_panel.html", {"initiative": initiative}, request=request
    )


# Last on the page: the trail is where one goes after reading everything else.
register_initiative_panel(audit_trail_panel, order=900)
