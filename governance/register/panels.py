"""The "Risks, incidents and actions" section of the initiative page.

Registered with portfolio.panels by governance's AppConfig.ready, so the portfolio shows it
without importing governance. Three queries: open risks, open incidents, open action items,
each capped.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from governance.register.filters import open_register_for, severity_level
from governance.register.permissions import can_manage_register, can_read_register
from portfolio.models import Initiative

PANEL_ROWS = 5


def register_panel(request: HttpRequest, initiative: Initiative) -> SafeString | None:
    if not can_read_register(request.user):
        return None
    rows = open_register_for(initiative, limit=PANEL_ROWS)
    for risk in rows["risks"]:
        risk.level = severity_level(risk.severity)
    return render_to_string(
        "governance/register/_initiative_panel.html",
        {
            "initiative": initiative,
            "risks": rows["risks"][:PANEL_ROWS],
            "more_risks": len(rows["risks"]) > PANEL_ROWS,
            "incidents": rows["incidents"][:PANEL_ROWS],
            "more_incidents": len(rows["incidents"]) > PANEL_ROWS,
            "actions": rows["actions"][:PANEL_ROWS],
            "more_actions": len(rows["actions"]) > PANEL_ROWS,
            "can_manage": can_manage_register(request.user, initiative),
        },
        request=request,
    )
