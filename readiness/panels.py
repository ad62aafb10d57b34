"""The "Readiness" section of the initiative page, registered with portfolio.panels.

The portfolio renders registered panels without importing readiness; this one shows the current
(latest submitted) result of each checklist and the open drafts, in one query.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from portfolio.models import Initiative
from portfolio.vocabulary import SCORECARD_KEY
from readiness.permissions import can_assess_initiative, can_view_assessments
from readiness.presentation import summarize_result
from readiness.selectors import initiative_readiness


def readiness_panel(request: HttpRequest, initiative: Initiative) -> SafeString | None:
    if not can_view_assessments(request.user):
        return None
    readiness = initiative_readiness(initiative)
    results = [
        {
            "assessment": assessment,
            "summary": summarize_result(assessment.template_version.parsed, assessment.result),
        }
        for assessment in readiness.current
    ]
    return render_to_string(
        "readiness/_initiative_panel.html",
        {
            "initiative": initiative,
            "results": results,
            "drafts": readiness.drafts,
            "can_assess": can_assess_initiative(request.user, initiative),
            "scorecard_key": SCORECARD_KEY,
        },
        request=request,
    )
