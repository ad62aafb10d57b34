"""Re-reviews after a material change (issue 10, point 3): listed in the review queue and on
meeting agendas; the council confirms (the approval holds) or sends back (the initiative
returns to the stage before its last go) through a page and the API; gate-status says so.

The approval is reached through the real workflow: a filed request, two votes, the chair's go.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import ConflictError
from core.models import AuditEvent
from core.roles import user_roles
from governance.council.services import agenda_summary, meeting_create
from governance.gates.panels import gate_panel
from governance.gates.services import (
    gate_request_create,
    gate_request_decide,
    rereview_confirm,
    rereview_send_back,
    vote_cast,
)
from governance.models import CouncilMeeting, GateRequest, GateRequestStatus, ReReview, Seat
from portfolio.models import Initiative, Stage, StageTransition
from portfolio.services import initiative_update
from tests.factories import InitiativeFactory, seated_council_member
from tests.governance.gate_service_support import ready_initiative, scorecard_answers, submit

pytestmark = pytest.mark.django_db

# The review queue's budget (tests/governance/test_gate_query_counts.py): session, user, roles,
# membership, the count and page of requests, their votes, the pilot purgatory list, the open
# re-reviews, the areas at 1 (assessments, their reviews, template versions), the promotions.
QUEUE_BUDGET = 13
# The initiative's gate facts in one query (the open re-review among them), the exceptions
# granted, and the viewer's council membership for council members; the re-review forms cost
# nothing.
PANEL_BUDGET = 3
# Session, user, roles, count, page of re-reviews (with initiative and resolver).
API_LIST_BUDGET = 5
# The whole initiative page for a council member, open re-review and its forms included:
# session, user, roles, the initiative, its vendors, the gate panel (facts, exceptions,
# membership), readiness, risks, incidents, action items, stage history.
INITIATIVE_PAGE_BUDGET = 13
# Session, user, roles, the re-review (initiative, owners, resolver), the last go decision.
REREVIEW_PAGE_BUDGET = 5


def go(initiative, owner, chair, legal) -> GateRequest:
    request = gate_request_create(initiative=initiative, actor=owner, justification="Ready.")
    for member in (chair, legal):
        vote_cast(request=request, actor=member, choice="approve")
    return gate_request_decide(request=request, actor=chair, decision="go", reason="Approved.")


@pytest.fixture
def approved(templates, gate_policies, product_owner, delivery_owner, chair, legal):
    """Runbook finder: taken from pilot to controlled rollout by a council go."""
    initiative = ready_initiative(templates, product_owner, delivery_owner)
    go(initiative, product_owner, chair, legal)
    initiative.refresh_from_db()
    assert initiative.stage == Stage.CONTROLLED_ROLLOUT
    return initiative


def lower_tier(initiative, actor) -> ReReview:
    """A material change by a plain edit: raise the EU AI Act tier (immediate), then lower it."""
    for tier in ("high", "limited"):
        initiative.refresh_from_db()
        initiative_update(
            initiative=initiative,
            actor=actor,
            data={"eu_ai_act_tier": tier},
            expected_version=initiative.version,
        )
    return ReReview.objects.get(initiative=initiative, resolved_at__isnull=True)


@pytest.fixture
def rereview(approved, product_owner) -> ReReview:
    return lower_tier(approved, product_owner)


def stage_of(initiative) -> str:
    return Initiative.objects.get(pk=initiative.pk).stage


@pytest.fixture
def pipeline(auditor):
    client = APIClient()
    client.force_authenticate(auditor)

    def ask(initiative, stage: str = Stage.CONTROLLED_ROLLOUT) -> dict:
        response = client.get(f"/api/v1/initiatives/{initiative.pk}/gate-status?stage={stage}")
        assert response.status_code == 200, response.data
        return response.json()

    return ask


# ---------------------------------------------------------------------------------------------
# gate-status before and after
# ---------------------------------------------------------------------------------------------


def test_gate_status_is_not_approved_while_a_re_review_is_pending(
    approved, pipeline, product_owner
):
    assert pipeline(approved)["approved"] is True
    rereview = lower_tier(approved, product_owner)
    body = pipeline(approved)
    assert body["approved"] is False
    assert body["rereview_open"] is True
    since = timezone.localdate(rereview.raised_at).isoformat()
    assert body["reasons"] == [
        f"re-review pending since {since}: EU AI Act tier lowered: high → limited"
    ]


def test_gate_status_approves_again_after_the_council_confirms(rereview, approved, pipeline, legal):
    rereview_confirm(rereview=rereview, actor=legal, note="Same controls: a human approves.")
    body = pipeline(approved)
    assert body["approved"] is True
    assert body["rereview_open"] is False


def test_after_a_send_back_the_initiative_is_no_longer_in_or_approved_for_the_stage(
    rereview, approved, pipeline, legal
):
    rereview_send_back(rereview=rereview, actor=legal, reason="Agents need a new safety case.")
    body = pipeline(approved)
    assert body["approved"] is False
    assert body["current_stage"] == Stage.PILOT
    assert body["rereview_open"] is False
    assert body["reasons"] == [
        "stage not reached: the initiative is in Pilot, before Controlled rollout"
    ]


# ---------------------------------------------------------------------------------------------
# The services
# ---------------------------------------------------------------------------------------------


def test_send_back_returns_the_initiative_to_the_stage_before_its_last_go(
    rereview, approved, legal
):
    resolved = rereview_send_back(
        rereview=rereview, actor=legal, reason="Agents need a new safety case."
    )
    assert resolved.outcome == "sent_back"
    assert resolved.resolved_by == legal
    assert resolved.resolution == "Sent back (back to Pilot): Agents need a new safety case."
    assert stage_of(approved) == Stage.PILOT
    transition = StageTransition.objects.filter(initiative=approved).latest("pk")
    assert (transition.from_stage, transition.to_stage) == (Stage.CONTROLLED_ROLLOUT, Stage.PILOT)
    assert f"re-review #{rereview.pk}" in transition.reason
    assert "Agents need a new safety case." in transition.reason
    (moved,) = AuditEvent.objects.filter(action="initiative.stage_changed").order_by("-pk")[:1]
    assert moved.changes["stage"] == [Stage.CONTROLLED_ROLLOUT, Stage.PILOT]
    (event,) = AuditEvent.objects.filter(action="rereview.resolved")
    assert event.changes["outcome"] == [None, "sent_back"]


def test_an_initiative_already_back_stays_where_it_is(rereview, approved, legal, governance_admin):
    Initiative.objects.filter(pk=approved.pk).update(stage=Stage.EXPLORATION)
    resolved = rereview_send_back(rereview=rereview, actor=legal, reason="Not ready.")
    assert stage_of(approved) == Stage.EXPLORATION
    assert resolved.resolution.startswith("Sent back (stays in Exploration)")


def test_a_pending_gate_request_stays_pending_and_a_go_on_it_is_stale(
    rereview, approved, product_owner, legal, chair
):
    pending = gate_request_create(
        initiative=approved, actor=product_owner, justification="Scale after the rollout."
    )
    executive_member = seated_council_member(seat=Seat.EXECUTIVE, username="eva")
    for member in (chair, executive_member):
        vote_cast(request=pending, actor=member, choice="approve")
    rereview_send_back(rereview=rereview, actor=legal, reason="Agents need a safety case.")
    pending.refresh_from_db()
    assert pending.status == GateRequestStatus.PENDING
    with pytest.raises(ConflictError, match="now in Pilot, not Controlled rollout"):
        gate_request_decide(request=pending, actor=chair, decision="go", reason="Approved.")
    assert stage_of(approved) == Stage.PILOT


def test_confirm_leaves_the_stage_and_records_why(rereview, approved, governance_admin):
    resolved = rereview_confirm(rereview=rereview, actor=governance_admin, note="Controls hold.")
    assert resolved.outcome == "confirmed"
    assert resolved.resolution == "Confirmed: Controls hold."
    assert stage_of(approved) == Stage.CONTROLLED_ROLLOUT


@pytest.mark.parametrize(
    ("resolve", "field"), [(rereview_confirm, "note"), (rereview_send_back, "reason")]
)
def test_a_resolution_needs_its_text(rereview, legal, resolve, field):
    with pytest.raises(ValidationError) as error:
        resolve(rereview=rereview, actor=legal, **{field: "  "})
    assert field in error.value.message_dict
    rereview.refresh_from_db()
    assert rereview.resolved_at is None


@pytest.mark.parametrize("resolve", [rereview_confirm, rereview_send_back])
@pytest.mark.parametrize(
    "role", ["executive", "owner", "other_product_owner", "auditor", "no_role"]
)
def test_other_roles_may_not_resolve(rereview, users_by_role, role, resolve):
    text = {"note": "x"} if resolve is rereview_confirm else {"reason": "x"}
    with pytest.raises(PermissionDenied, match="council members and governance admins"):
        resolve(rereview=rereview, actor=users_by_role[role], **text)


@pytest.mark.parametrize("stake", ["executive_sponsor", "safety_owner"])
def test_a_recused_member_may_not_send_back(rereview, approved, legal, stake):
    Initiative.objects.filter(pk=approved.pk).update(**{stake: legal})
    with pytest.raises(PermissionDenied, match="recused"):
        rereview_send_back(rereview=rereview, actor=legal, reason="x")
    assert stage_of(approved) == Stage.CONTROLLED_ROLLOUT


def test_a_recused_admin_may_not_confirm(rereview, approved, governance_admin):
    Initiative.objects.filter(pk=approved.pk).update(executive_sponsor=governance_admin)
    with pytest.raises(PermissionDenied, match="executive sponsor"):
        rereview_confirm(rereview=rereview, actor=governance_admin, note="x")


def test_a_resolved_re_review_cannot_be_resolved_again(rereview, approved, legal, chair):
    rereview_confirm(rereview=rereview, actor=legal, note="Holds.")
    with pytest.raises(ConflictError, match=r"already resolved \(Confirmed"):
        rereview_send_back(rereview=rereview, actor=chair, reason="Changed my mind.")
    assert stage_of(approved) == Stage.CONTROLLED_ROLLOUT


# ---------------------------------------------------------------------------------------------
# Pages: the initiative's gate panel, the re-review page
# ---------------------------------------------------------------------------------------------


def panel_of(client, initiative) -> str:
    page = client.get(reverse("portfolio:initiative_detail", args=[initiative.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    start = text.index('data-testid="rereview-flag"')
    return text[start : text.index("</section>", start)]


@pytest.mark.parametrize("role", ["council_member", "governance_admin"])
def test_the_gate_panel_offers_confirm_and_send_back(client, rereview, users_by_role, role):
    client.force_login(users_by_role[role])
    panel = panel_of(client, rereview.initiative)
    assert reverse("governance:rereview_confirm", args=[rereview.pk]) in panel
    assert reverse("governance:rereview_send_back", args=[rereview.pk]) in panel
    assert "EU AI Act tier lowered: high → limited" in panel


@pytest.mark.parametrize("role", ["executive", "owner", "auditor"])
def test_other_roles_see_the_flag_without_the_forms(client, rereview, users_by_role, role):
    client.force_login(users_by_role[role])
    panel = panel_of(client, rereview.initiative)
    assert "Re-review needed" in panel
    assert "<form" not in panel
    assert reverse("governance:rereview_detail", args=[rereview.pk]) in panel


def test_a_recused_member_is_told_so_on_the_panel(client, rereview, approved, legal):
    Initiative.objects.filter(pk=approved.pk).update(value_owner=legal)
    client.force_login(legal)
    panel = panel_of(client, approved)
    assert "<form" not in panel
    assert "You are recused from this re-review: you are this initiative's value owner" in panel


def test_confirming_from_the_page_without_javascript(client, rereview, approved, legal, pipeline):
    client.force_login(legal)
    response = client.post(
        reverse("governance:rereview_confirm", args=[rereview.pk]), {"note": "Controls hold."}
    )
    assert response.status_code == 302
    assert response["Location"] == approved.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "Re-review confirmed: the approval of “Runbook finder” still holds." in page
    assert 'data-testid="rereview-flag"' not in page
    assert pipeline(approved)["approved"] is True


def test_sending_back_from_the_page_says_where_the_initiative_is_now(
    client, rereview, approved, governance_admin
):
    client.force_login(governance_admin)
    response = client.post(
        reverse("governance:rereview_send_back", args=[rereview.pk]),
        {"reason": "Agents need a safety case."},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Re-review sent back: the approval no longer holds. “Runbook finder” is now Pilot." in (
        page
    )
    assert stage_of(approved) == Stage.PILOT


@pytest.mark.parametrize("action", ["rereview_confirm", "rereview_send_back"])
@pytest.mark.parametrize("role", ["executive", "owner", "auditor", "no_role"])
def test_the_pages_refuse_other_roles_403(client, rereview, users_by_role, role, action):
    client.force_login(users_by_role[role])
    response = client.post(reverse(f"governance:{action}", args=[rereview.pk]), {"note": "x"})
    assert response.status_code == 403
    rereview.refresh_from_db()
    assert rereview.resolved_at is None


def test_the_page_refuses_a_recused_member_403(client, rereview, approved, legal):
    Initiative.objects.filter(pk=approved.pk).update(delivery_owner=legal)
    client.force_login(legal)
    response = client.post(
        reverse("governance:rereview_send_back", args=[rereview.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    assert stage_of(approved) == Stage.CONTROLLED_ROLLOUT


def test_a_send_back_without_a_reason_is_400_on_the_re_review_page(client, rereview, legal):
    client.force_login(legal)
    response = client.post(reverse("governance:rereview_send_back", args=[rereview.pk]), {})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say why the approval no longer holds" in text
    assert "The initiative goes back to <strong>Pilot</strong>" in text


def test_a_second_resolution_from_the_page_is_409(client, rereview, legal, chair):
    rereview_confirm(rereview=rereview, actor=legal, note="Holds.")
    client.force_login(chair)
    response = client.post(
        reverse("governance:rereview_confirm", args=[rereview.pk]), {"note": "Again."}
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "already resolved" in text
    assert "Confirmed: Holds." in text


@pytest.mark.parametrize("role", ["executive", "owner", "auditor", "council_member"])
def test_every_role_reads_the_re_review_page(client, rereview, users_by_role, role):
    client.force_login(users_by_role[role])
    page = client.get(reverse("governance:rereview_detail", args=[rereview.pk]))
    assert page.status_code == 200
    assert "EU AI Act tier lowered: high → limited" in page.content.decode()
    forms = "Confirm the approval" in page.content.decode()
    assert forms is (role == "council_member")


def test_the_panel_query_count_with_an_open_re_review(
    rereview, approved, legal, django_assert_max_num_queries
):
    viewer = get_user_model().objects.get(pk=legal.pk)  # nothing cached on it
    request = RequestFactory().get("/")
    request.user = viewer
    user_roles(viewer)  # the page's decorator reads the roles first
    with django_assert_max_num_queries(PANEL_BUDGET):
        html = gate_panel(request, approved)
    assert "Confirm the approval" in html


@pytest.mark.parametrize("earlier", [0, 15])
def test_the_initiative_page_query_count_with_an_open_re_review_is_constant(
    client, approved, product_owner, legal, earlier, django_assert_max_num_queries
):
    for n in range(earlier):
        ReReview.objects.create(
            initiative=approved,
            changes=[{"field": "kpi", "label": "KPI changed", "before": n, "after": n + 1}],
            resolved_at=timezone.now(),
            outcome="confirmed",
        )
    rereview = lower_tier(approved, product_owner)
    client.force_login(legal)
    url = reverse("portfolio:initiative_detail", args=[approved.pk])
    with django_assert_max_num_queries(INITIATIVE_PAGE_BUDGET):
        response = client.get(url)
    assert reverse("governance:rereview_confirm", args=[rereview.pk]) in response.text
    with django_assert_max_num_queries(REREVIEW_PAGE_BUDGET):
        page = client.get(reverse("governance:rereview_detail", args=[rereview.pk]))
    assert "Confirm the approval" in page.text


# ---------------------------------------------------------------------------------------------
# The review queue and meeting agendas
# ---------------------------------------------------------------------------------------------


def test_the_queue_lists_re_reviews_with_what_changed_and_since_when(client, rereview, legal):
    client.force_login(legal)
    page = client.get(reverse("governance:council_queue")).content.decode()
    section = page[page.index('data-testid="rereviews-needed"') :]
    section = section[: section.index("</section>")]
    assert section.count('data-testid="rereview-row"') == 1
    assert "Runbook finder" in section
    assert "EU AI Act tier lowered: high → limited" in section
    assert f"{timezone.localdate(rereview.raised_at):%b %Y}" in section
    assert "Confirm or send back" in section
    rereview_confirm(rereview=rereview, actor=legal, note="Holds.")
    page = client.get(reverse("governance:council_queue")).content.decode()
    assert "No re-review is open." in page


@pytest.mark.parametrize("size", [2, 30])
def test_the_queue_query_count_is_constant_with_re_reviews_and_areas_at_one(
    client, templates, gate_policies, product_owner, legal, django_assert_max_num_queries, size
):
    # One pending request, so the queue's request table is drawn too.
    GateRequest.objects.create(
        initiative=InitiativeFactory(title="Seed"),
        policy_version=gate_policies[Stage.PILOT],
        from_stage=Stage.PILOT,
        to_stage=Stage.CONTROLLED_ROLLOUT,
        requested_by=product_owner,
        review_due_at=timezone.now(),
    )
    for n in range(size):
        initiative = InitiativeFactory(
            title=f"Initiative {n:03d}", business_owner=product_owner, stage=Stage.PILOT
        )
        ReReview.objects.create(
            initiative=initiative,
            changes=[{"field": "kpi", "label": "KPI changed", "before": "a", "after": "b"}],
        )
        if n < 3:  # scorecards are built through the services: a few are enough
            submit(
                initiative,
                product_owner,
                "readiness_scorecard",
                scorecard_answers(templates, 4, vendor_readiness=1),
            )
    client.force_login(legal)
    with django_assert_max_num_queries(QUEUE_BUDGET):
        response = client.get(reverse("governance:council_queue"))
    assert len(response.context["rereviews"]) == size
    assert len(response.context["areas"]) == min(size, 3)


def test_a_meeting_agenda_freezes_the_open_re_reviews(client, rereview, approved, chair, legal):
    meeting = meeting_create(actor=chair, title="Weekly AI council", scheduled_for=timezone.now())
    (item,) = meeting.agenda["rereviews"]
    assert item["id"] == rereview.pk
    assert item["initiative_id"] == approved.pk
    assert item["changes"] == ["EU AI Act tier lowered: high → limited"]
    assert agenda_summary(meeting.agenda) == (
        "0 gate requests, 0 overdue action items, 0 escalated risks, 1 re-review"
    )
    event = AuditEvent.objects.get(action="council_meeting.created")
    assert event.changes["agenda"][1].endswith("1 re-review")

    # Frozen: resolving it later does not rewrite what the council was asked to look at.
    rereview_confirm(rereview=rereview, actor=legal, note="Holds.")
    client.force_login(legal)
    for name in ("governance:meeting_detail", "governance:meeting_minutes"):
        page = client.get(reverse(name, args=[meeting.pk])).content.decode()
        section = page[page.index('id="agenda-rereviews"') :]
        assert "Re-reviews needed (1)" in section
        assert "EU AI Act tier lowered: high → limited" in section
        assert timezone.localdate().strftime("%b %Y") in section
    detail = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert reverse("governance:rereview_detail", args=[rereview.pk]) in detail


def test_an_agenda_frozen_before_re_reviews_were_on_it_says_nothing_of_them(client, chair):
    meeting = CouncilMeeting.objects.create(
        title="Old council",
        scheduled_for=timezone.now() - datetime.timedelta(days=40),
        agenda={
            "built_at": timezone.now().isoformat(),
            "gate_requests": [],
            "overdue_action_items": [],
            "escalated_risks": [],
        },
    )
    assert agenda_summary(meeting.agenda) == (
        "0 gate requests, 0 overdue action items, 0 escalated risks"
    )
    client.force_login(chair)
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert "agenda-rereviews" not in page


# ---------------------------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_and_reads_re_reviews(
    rereview, approved, executive, django_assert_max_num_queries
):
    client = api(executive)
    with django_assert_max_num_queries(API_LIST_BUDGET):
        listed = client.get("/api/v1/rereviews/", {"open": "true"})
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert row["id"] == rereview.pk
    assert row["initiative"] == approved.pk
    assert row["initiative_stage"] == Stage.CONTROLLED_ROLLOUT
    assert row["open"] is True
    assert row["changes"] == [
        {
            "field": "eu_ai_act_tier",
            "label": "EU AI Act tier lowered",
            "before": "high",
            "after": "limited",
        }
    ]
    assert client.get("/api/v1/rereviews/", {"open": "false"}).json()["count"] == 0
    assert client.get(f"/api/v1/rereviews/{rereview.pk}/").json()["id"] == rereview.pk


def test_the_api_confirms(rereview, approved, legal, pipeline):
    response = api(legal).post(
        f"/api/v1/rereviews/{rereview.pk}/confirm/", {"note": "Holds."}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.json()["outcome"] == "confirmed"
    assert response.json()["resolved_by"]["username"] == "lena"
    assert pipeline(approved)["approved"] is True


def test_the_api_sends_back(rereview, approved, governance_admin, pipeline):
    response = api(governance_admin).post(
        f"/api/v1/rereviews/{rereview.pk}/send-back/",
        {"reason": "Agents need a safety case."},
        format="json",
    )
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["outcome"] == "sent_back"
    assert body["open"] is False
    assert body["initiative_stage"] == Stage.PILOT
    assert pipeline(approved)["approved"] is False


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("confirm", {}, "note"),
        ("send-back", {"reason": " "}, "reason"),
        ("send-back", {"reason": "x", "stage": "pilot"}, "stage"),
    ],
)
def test_the_api_answers_400_naming_the_field(rereview, legal, path, payload, field):
    response = api(legal).post(f"/api/v1/rereviews/{rereview.pk}/{path}/", payload, format="json")
    assert response.status_code == 400
    assert list(response.data) == [field]


@pytest.mark.parametrize("path", ["confirm", "send-back"])
@pytest.mark.parametrize("role", ["executive", "owner", "auditor"])
def test_the_api_answers_403_for_other_roles(rereview, users_by_role, role, path):
    response = api(users_by_role[role]).post(
        f"/api/v1/rereviews/{rereview.pk}/{path}/", {"note": "x", "reason": "x"}, format="json"
    )
    assert response.status_code == 403


def test_the_api_answers_403_for_a_recused_member(rereview, approved, legal):
    Initiative.objects.filter(pk=approved.pk).update(executive_sponsor=legal)
    response = api(legal).post(
        f"/api/v1/rereviews/{rereview.pk}/send-back/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert "recused" in response.data["detail"]


def test_the_api_answers_409_once_resolved(rereview, legal, chair):
    rereview_send_back(rereview=rereview, actor=legal, reason="Safety case needed.")
    response = api(chair).post(
        f"/api/v1/rereviews/{rereview.pk}/confirm/", {"note": "Holds."}, format="json"
    )
    assert response.status_code == 409
    assert "already resolved (Sent back" in response.data["detail"]
