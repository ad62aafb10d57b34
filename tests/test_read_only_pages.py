"""Pages that only show something answer a POST with 405 Method Not Allowed, never with the page.

Every page of the site's URLconfs is named here, either as read-only (walked: GET shows it,
POST is refused) or as one that takes a POST (a form, an action): a page added later fails
`test_every_page_is_either_read_only_or_takes_a_post` until it is put in one of the two.
The pages are walked on the seeded demo portfolio, so each shows a real record.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from governance.models import (
    AutonomyPromotion,
    CouncilMeeting,
    GateRequest,
    Incident,
    LeadershipDecision,
    ReReview,
    Risk,
)
from portfolio.models import Initiative, Vendor
from readiness.models import Assessment, AssessmentStatus
from reporting.models import Report
from tests.core.api_support import seed_portfolio
from tests.seeding import seed_once_per_module

pytestmark = pytest.mark.django_db

# (URL name, the record its path names, if any).
READ_ONLY_PAGES = (
    ("healthz", None),
    ("home", None),
    ("portfolio:initiative_list", None),
    ("portfolio:initiative_suggestions", None),
    ("portfolio:initiative_detail", "initiative"),
    ("portfolio:problem_statement_history", "initiative"),
    ("portfolio:initiative_value", "initiative"),
    ("readiness:assessment_detail", "assessment"),
    ("readiness:assessment_history", "initiative"),
    ("readiness:heatmap", None),
    ("readiness:vendor_list", None),
    ("readiness:vendor_detail", "vendor"),
    ("governance:gate_request_detail", "gate_request"),
    ("governance:council_queue", None),
    ("governance:rereview_detail", "rereview"),
    ("governance:policy_list", None),
    ("governance:autonomy_promotion_detail", "promotion"),
    ("governance:risk_list", None),
    ("governance:risk_detail", "risk"),
    ("governance:incident_list", None),
    ("governance:incident_detail", "incident"),
    ("governance:leadership_decision_list", None),
    ("governance:leadership_decision_detail", "decision"),
    ("governance:action_item_list", None),
    ("governance:meeting_list", None),
    ("governance:meeting_minutes", "meeting"),
    ("governance:audit_trail", None),
    ("governance:audit_export", None),
    ("governance:initiative_audit_trail", "initiative"),
    ("governance:initiative_audit_export", "initiative"),
    ("reporting:dashboard", None),
    ("reporting:report_list", None),
    ("reporting:report_detail", "report"),
    ("reporting:report_status", "report"),
    ("reporting:report_pdf", "report"),
    ("reporting:report_snapshot", "report"),
)
# Read-only addresses that send the browser on to a page.
REDIRECTS = frozenset({"home"})
# Pages whose POST does something: a form, an action, signing in or out. The meeting's page
# saves its minutes and the council's page its seats, so they are here although they mostly show.
TAKES_A_POST = frozenset(
    {
        "login",
        "logout",
        "portfolio:initiative_create",
        "portfolio:initiative_edit",
        "portfolio:initiative_stage",
        "portfolio:problem_statement_edit",
        "portfolio:problem_statement_check",
        "portfolio:initiative_value_kpi",
        "portfolio:initiative_value_measurement",
        "portfolio:initiative_value_import",
        "portfolio:initiative_value_adoption",
        "readiness:assessment_create",
        "readiness:assessment_autosave",
        "readiness:assessment_submit",
        "readiness:vendor_assessment_create",
        "governance:gate_request_create",
        "governance:gate_request_vote",
        "governance:gate_request_decide",
        "governance:gate_request_acting_chair",
        "governance:gate_request_withdraw",
        "governance:item_review_record",
        "governance:rereview_confirm",
        "governance:rereview_send_back",
        "governance:initiative_pause",
        "governance:initiative_resume",
        "governance:initiative_stop",
        "governance:policy_edit",
        "governance:autonomy_promotion_create",
        "governance:autonomy_promotion_decide",
        "governance:autonomy_promotion_acting_chair",
        "governance:autonomy_promotion_withdraw",
        "governance:risk_edit",
        "governance:risk_close",
        "governance:risk_create",
        "governance:incident_edit",
        "governance:incident_resolve",
        "governance:incident_create",
        "governance:leadership_decision_create",
        "governance:leadership_decision_edit",
        "governance:leadership_decision_outcome",
        "governance:initiative_leadership_decision_create",
        "governance:action_item_complete",
        "governance:action_item_create",
        "governance:meeting_create",
        "governance:meeting_detail",
        "governance:meeting_link_decisions",
        "governance:member_list",
        "governance:audit_verify",
        "reporting:report_generate",
        "reporting:report_sign_off",
    }
)
# Not pages of the site: the API (its writes: tests/core/test_api_write_roles.py) and Django's
# admin.
NOT_PAGES = ("api/", "admin/")


def _page_names(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(NOT_PAGES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _page_names(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else route


@pytest.fixture(scope="module")
def _demo(django_db_blocker: Any) -> Iterator[None]:
    yield from seed_once_per_module(django_db_blocker, seed_portfolio)


@pytest.fixture
def records(_demo: None, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    report = Report.objects.order_by("pk").first()
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return {
        "initiative": Initiative.objects.order_by("pk").first(),
        "assessment": Assessment.objects.filter(status=AssessmentStatus.SUBMITTED)
        .order_by("pk")
        .first(),
        "vendor": Vendor.objects.order_by("pk").first(),
        "gate_request": GateRequest.objects.order_by("pk").first(),
        "rereview": ReReview.objects.order_by("pk").first(),
        "promotion": AutonomyPromotion.objects.order_by("pk").first(),
        "risk": Risk.objects.order_by("pk").first(),
        "incident": Incident.objects.order_by("pk").first(),
        "decision": LeadershipDecision.objects.order_by("pk").first(),
        "meeting": CouncilMeeting.objects.order_by("pk").first(),
        "report": report,
    }


def test_every_page_is_either_read_only_or_takes_a_post():
    pages = set(_page_names(get_resolver().url_patterns))
    read_only = {name for name, _ in READ_ONLY_PAGES}

    assert len(pages) > 60
    assert not read_only & TAKES_A_POST
    assert sorted(pages - read_only - TAKES_A_POST) == []


@pytest.mark.parametrize(("name", "record"), READ_ONLY_PAGES)
def test_a_read_only_page_refuses_post_with_405(client, records, name, record):
    # Gina is the demo's governance admin: she sees every page.
    client.force_login(get_user_model().objects.get(username="gina"))
    url = reverse(name, args=[records[record].pk] if record else [])
    assert client.get(url).status_code == (302 if name in REDIRECTS else 200)

    response = client.post(url, {"anything": "x"})

    assert response.status_code == 405
    assert "GET" in response["Allow"]
