"""The gate pages: request a gate, review and vote, decide, the council's queue, pause/resume/stop,
and the initiative page's "Stage gate" section.

`owner` is the business owner of the initiative under test; `recused_member` is a council
member who is its delivery owner; `chair` holds the security seat and chairs the council.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from governance.gates.services import initiative_status_change
from governance.gates.services.decisions import gate_request_decide
from governance.gates.services.requests import vote_cast
from governance.models import (
    ActionItem,
    Decision,
    GateRequest,
    GateRequestStatus,
    ReReview,
    Risk,
    Seat,
    Vote,
)
from portfolio.models import Initiative, Stage, Status
from tests.factories import seated_council_member
from tests.governance.gate_pages_support import (
    council,
    file_request,
    load_shipped_data,
    make_gate_ready,
    pilot_initiative,
)
from tests.roles import expected_status, readers, roles_with, signed_in

pytestmark = pytest.mark.django_db

# Besides the table's people: the council's chair, and a member recused as the initiative's
# delivery owner.
ROLES = roles_with("chair", "recused_member")
READERS = readers("chair", "recused_member")
REQUESTERS = {"owner", "governance_admin"}
VOTERS = {"council_member", "chair"}
CHAIR = {"chair"}
STATUS_CHANGERS = {"chair", "governance_admin"}
QUEUE_READERS = {"council_member", "chair", "recused_member", "governance_admin", "auditor"}


@pytest.fixture
def gate_ctx(users_by_role, product_owner, business_unit, governance_admin):
    versions = load_shipped_data()
    members = council()
    recused = seated_council_member(
        seat=Seat.PRODUCT, username="paul", first_name="Paul", last_name="Okafor"
    )
    initiative = pilot_initiative(product_owner, recused, business_unit=business_unit)
    make_gate_ready(initiative, product_owner, versions)
    gate_request = file_request(initiative, product_owner)
    # Security (the chair) and legal approve, so the chair may record "go".
    vote_cast(request=gate_request, actor=members["sec"], choice="approve")
    vote_cast(request=gate_request, actor=members["legal"], choice="approve")
    second = pilot_initiative(
        product_owner, product_owner, title="Second initiative", business_unit=business_unit
    )
    paused = pilot_initiative(
        product_owner, product_owner, title="Paused initiative", business_unit=business_unit
    )
    initiative_status_change(
        to_status=Status.PAUSED, initiative=paused, actor=governance_admin, reason="Budget review"
    )
    return {
        **users_by_role,
        **members,
        "chair": members["sec"],
        "recused_member": recused,
        "initiative": initiative,
        "gate_request": gate_request,
        "second": second,
        "paused": paused,
        "versions": versions,
    }


def _url(name: str, *args: object) -> str:
    return reverse(f"governance:{name}", args=args)


NO_ACTIONS = {"actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"}

# (name, method, url builder, data builder, allowed roles, success status)
PAGE_CASES = [
    (
        "request form",
        "get",
        lambda c: _url("gate_request_create", c["second"].pk),
        None,
        REQUESTERS,
        200,
    ),
    (
        "request file",
        "post",
        lambda c: _url("gate_request_create", c["second"].pk),
        lambda c: {"justification": "Pilot users depend on it; statement follows next week."},
        REQUESTERS,
        302,
    ),
    (
        "request detail",
        "get",
        lambda c: _url("gate_request_detail", c["gate_request"].pk),
        None,
        READERS,
        200,
    ),
    (
        "vote",
        "post",
        lambda c: _url("gate_request_vote", c["gate_request"].pk),
        lambda c: {"choice": "approve", "comment": "Controls verified."},
        VOTERS,
        302,
    ),
    (
        "decide",
        "post",
        lambda c: _url("gate_request_decide", c["gate_request"].pk),
        lambda c: {"decision": "go", "reason": "Security and legal approve.", **NO_ACTIONS},
        CHAIR,
        302,
    ),
    (
        "withdraw form",
        "get",
        lambda c: _url("gate_request_withdraw", c["gate_request"].pk),
        None,
        REQUESTERS,
        200,
    ),
    (
        "withdraw",
        "post",
        lambda c: _url("gate_request_withdraw", c["gate_request"].pk),
        lambda c: {"reason": "Scope changes first."},
        REQUESTERS,
        302,
    ),
    ("queue", "get", lambda c: _url("council_queue"), None, QUEUE_READERS, 200),
    (
        "pause form",
        "get",
        lambda c: _url("initiative_pause", c["second"].pk),
        None,
        STATUS_CHANGERS,
        200,
    ),
    (
        "pause",
        "post",
        lambda c: _url("initiative_pause", c["second"].pk),
        lambda c: {"reason": "Vendor contract under review."},
        STATUS_CHANGERS,
        302,
    ),
    (
        "resume form",
        "get",
        lambda c: _url("initiative_resume", c["paused"].pk),
        None,
        STATUS_CHANGERS,
        200,
    ),
    (
        "resume",
        "post",
        lambda c: _url("initiative_resume", c["paused"].pk),
        lambda c: {"reason": "Budget confirmed."},
        STATUS_CHANGERS,
        302,
    ),
    (
        "stop form",
        "get",
        lambda c: _url("initiative_stop", c["second"].pk),
        None,
        STATUS_CHANGERS,
        200,
    ),
    (
        "stop",
        "post",
        lambda c: _url("initiative_stop", c["second"].pk),
        lambda c: {"reason": "The KPI did not move in two quarters."},
        STATUS_CHANGERS,
        302,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"),
    PAGE_CASES,
    ids=[case[0] for case in PAGE_CASES],
)
def test_gate_page_permissions(client, gate_ctx, role, name, method, url, data, allowed, success):
    signed_in(client, gate_ctx.get(role))
    target = url(gate_ctx)
    if data is not None:
        response = getattr(client, method)(target, data(gate_ctx))
    else:
        response = getattr(client, method)(target)
    expected = expected_status(role, allowed, success, api=False)
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code}, expected {expected}"
    )
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_refused_vote_of_a_recused_member_changes_nothing(client, gate_ctx):
    client.force_login(gate_ctx["recused_member"])
    response = client.post(
        _url("gate_request_vote", gate_ctx["gate_request"].pk), {"choice": "approve"}
    )
    assert response.status_code == 403
    assert not Vote.objects.filter(voter=gate_ctx["recused_member"]).exists()


# ---------------------------------------------------------------------------------------------
# The request page
# ---------------------------------------------------------------------------------------------


def test_request_page_shows_every_criterion_with_a_link_to_its_evidence(
    client, gate_ctx, product_owner
):
    initiative = gate_ctx["second"]
    make_gate_ready(initiative, product_owner, gate_ctx["versions"])
    client.force_login(product_owner)
    response = client.get(_url("gate_request_create", initiative.pk))
    assert response.status_code == 200
    text = response.text
    assert "Request move to Controlled rollout" in text
    assert "All 9 criteria pass." in text
    rows = response.context["preview"].criteria
    assert [row.id for row in rows] == [
        "not_prohibited_tier",
        "problem_statement_complete",
        "owners_named",
        "scorecard_ready",
        "scorecard_critical_areas",
        "checklist_passed",
        "kpi_recorded",
        "no_unmitigated_high_risk",
        "lowest_scores_reviewed",
    ]
    assert all(row.passed for row in rows)
    by_id = {row.id: row for row in rows}
    assert by_id["problem_statement_complete"].href == (
        f"{initiative.get_absolute_url()}#statement-heading"
    )
    scorecard = initiative.assessments.get(template__key="readiness_scorecard")
    assert by_id["scorecard_ready"].href == reverse(
        "readiness:assessment_detail", args=[scorecard.pk]
    )
    assert f'href="{by_id["scorecard_ready"].href}"' in text
    assert "(optional)" in text


def test_failing_criteria_make_the_justification_required(client, gate_ctx, product_owner):
    initiative = gate_ctx["second"]
    client.force_login(product_owner)
    page = client.get(_url("gate_request_create", initiative.pk))
    assert "criteria fail." in page.text
    assert "Fail" in page.text
    assert "(required:" in page.text

    response = client.post(_url("gate_request_create", initiative.pk), {"justification": "  "})
    assert response.status_code == 400
    assert "justification" in response.context["form"].errors
    assert "Explain why the council should still consider this request" in response.text
    assert not GateRequest.objects.filter(initiative=initiative).exists()

    response = client.post(
        _url("gate_request_create", initiative.pk),
        {"justification": "The pilot's users depend on it; the statement is being rewritten."},
    )
    filed = GateRequest.objects.get(initiative=initiative)
    assert response.status_code == 302
    assert response["Location"] == _url("gate_request_detail", filed.pk)
    assert not filed.all_criteria_passed
    assert filed.justification.startswith("The pilot's users")


def test_request_page_points_at_the_pending_request_instead_of_a_second_form(
    client, gate_ctx, product_owner
):
    client.force_login(product_owner)
    response = client.get(_url("gate_request_create", gate_ctx["initiative"].pk))
    assert response.status_code == 200
    assert "already pending" in response.text
    assert _url("gate_request_detail", gate_ctx["gate_request"].pk) in response.text
    assert "File request" not in response.text


def test_request_page_at_the_last_stage_says_there_is_no_gate(client, gate_ctx, product_owner):
    initiative = gate_ctx["second"]
    Initiative.objects.filter(pk=initiative.pk).update(stage=Stage.OPERATION)
    client.force_login(product_owner)
    response = client.get(_url("gate_request_create", initiative.pk))
    assert "last stage" in response.text
    assert '<form method="post" class="stacked"' not in response.text


# ---------------------------------------------------------------------------------------------
# The request detail: evidence, votes, tally, recusals, vote and decide
# ---------------------------------------------------------------------------------------------


def test_request_detail_shows_evidence_policy_votes_recusals_and_tally(client, gate_ctx):
    gate_request = gate_ctx["gate_request"]
    client.force_login(gate_ctx["executive"])
    response = client.get(_url("gate_request_detail", gate_request.pk))
    text = response.text
    assert response.status_code == 200
    assert "Evidence as the requester saw it" in text
    assert "Scorecard" in text or "scorecard" in text
    assert "Policy" in text and "Pilot → Controlled rollout" in text
    assert "Security, Legal" in text
    assert "Sam Security" in text and "Lena Legal" in text
    assert "Paul Okafor (Product) is recused: delivery owner" in text
    tally = response.context["tally"]
    assert (tally.votes_cast, tally.quorum_met, tally.can_go) == (2, True, True)
    # An executive neither votes nor decides.
    assert response.context["vote_form"] is None
    assert response.context["decision_form"] is None


def test_recused_member_sees_why_and_no_vote_form(client, gate_ctx):
    client.force_login(gate_ctx["recused_member"])
    response = client.get(_url("gate_request_detail", gate_ctx["gate_request"].pk))
    assert response.context["vote_form"] is None
    assert "You are recused from this request: you are its delivery owner." in response.text


def test_htmx_vote_returns_the_review_section_with_the_new_tally(client, gate_ctx):
    data_member = gate_ctx["data"]
    client.force_login(data_member)
    response = client.post(
        _url("gate_request_vote", gate_ctx["gate_request"].pk),
        {
            "choice": "approve_with_conditions",
            "comment": "Fine with a rollback drill.",
            "conditions": "Run a rollback drill\nWeekly drift report",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="gate-review"' in response.text
    assert "Your vote is recorded: Approve with conditions." in response.text
    assert "3 of 2 needed for quorum" in response.text
    vote = Vote.objects.get(voter=data_member)
    assert (vote.seat, vote.choice) == (Seat.DATA, "approve_with_conditions")
    assert vote.conditions == "Run a rollback drill\nWeekly drift report"


def test_vote_with_conditions_but_none_listed_is_refused_under_the_field(client, gate_ctx):
    client.force_login(gate_ctx["data"])
    response = client.post(
        _url("gate_request_vote", gate_ctx["gate_request"].pk),
        {"choice": "approve_with_conditions", "conditions": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "List at least one condition" in response.text
    assert not Vote.objects.filter(voter=gate_ctx["data"]).exists()


def test_voting_again_changes_the_members_vote(client, gate_ctx):
    legal = gate_ctx["legal"]
    client.force_login(legal)
    response = client.post(
        _url("gate_request_vote", gate_ctx["gate_request"].pk),
        {"choice": "reject", "comment": "The DPA is not signed."},
    )
    assert response.status_code == 302
    vote = Vote.objects.get(voter=legal)
    assert vote.choice == "reject"
    page = client.get(_url("gate_request_detail", gate_ctx["gate_request"].pk))
    assert page.context["my_vote"].choice == "reject"
    assert "Change your vote" in page.text


def test_go_is_disabled_with_the_reason_when_a_required_seat_has_not_approved(client, gate_ctx):
    gate_request = gate_ctx["gate_request"]
    Vote.objects.filter(voter=gate_ctx["legal"]).delete()
    vote_cast(request=gate_request, actor=gate_ctx["data"], choice="approve")
    client.force_login(gate_ctx["chair"])
    response = client.get(_url("gate_request_detail", gate_request.pk))
    text = response.text
    assert "Not available: No approval yet from the required seat: Legal" in text
    go_input = next(
        line for line in text.splitlines() if 'name="decision"' in line and 'value="go"' in line
    )
    assert "disabled" in go_input
    hold_input = next(
        line for line in text.splitlines() if 'name="decision"' in line and 'value="hold"' in line
    )
    assert "disabled" not in hold_input

    refused = client.post(
        _url("gate_request_decide", gate_request.pk),
        {"decision": "go", "reason": "Trying anyway.", **NO_ACTIONS},
    )
    assert refused.status_code == 400
    gate_request.refresh_from_db()
    assert gate_request.status == GateRequestStatus.PENDING


def test_chair_decides_go_with_action_items_and_the_stage_advances(client, gate_ctx):
    gate_request = gate_ctx["gate_request"]
    owner = gate_ctx["owner"]
    client.force_login(gate_ctx["chair"])
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        _url("gate_request_decide", gate_request.pk),
        {
            "decision": "go",
            "reason": "Security and legal approve; controls verified.",
            "actions-TOTAL_FORMS": "2",
            "actions-INITIAL_FORMS": "0",
            "actions-0-title": "Publish the rollback runbook",
            "actions-0-owner": str(owner.pk),
            "actions-0-due_date": due,
            "actions-1-title": "",
            "actions-1-owner": "",
            "actions-1-due_date": "",
        },
    )
    assert response.status_code == 302
    gate_request.refresh_from_db()
    assert (gate_request.status, gate_request.decision) == ("decided", Decision.GO)
    initiative = Initiative.objects.get(pk=gate_ctx["initiative"].pk)
    assert initiative.stage == Stage.CONTROLLED_ROLLOUT
    item = ActionItem.objects.get(gate_request=gate_request)
    assert (item.title, item.owner, item.due_date.isoformat()) == (
        "Publish the rollback runbook",
        owner,
        due,
    )
    page = client.get(response["Location"])
    assert "Decision: Go (advance)" in page.text
    assert "Publish the rollback runbook" in page.text
    assert "Sam Security" in page.text
    assert page.context["decision_form"] is None


def test_a_half_filled_action_item_row_is_refused_and_nothing_is_decided(client, gate_ctx):
    gate_request = gate_ctx["gate_request"]
    client.force_login(gate_ctx["chair"])
    response = client.post(
        _url("gate_request_decide", gate_request.pk),
        {
            "decision": "go",
            "reason": "Approved.",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-title": "Publish the runbook",
            "actions-0-owner": "",
            "actions-0-due_date": "",
        },
    )
    assert response.status_code == 400
    assert "Action item 1, owner: Name who owns this action." in response.text
    gate_request.refresh_from_db()
    assert gate_request.status == GateRequestStatus.PENDING


def test_deciding_an_already_decided_request_says_so(client, gate_ctx):
    gate_request = gate_ctx["gate_request"]
    gate_request_decide(
        request=gate_request, actor=gate_ctx["chair"], decision="hold", reason="Wait for DPA."
    )
    client.force_login(gate_ctx["chair"])
    response = client.post(
        _url("gate_request_decide", gate_request.pk),
        {"decision": "go", "reason": "Again.", **NO_ACTIONS},
        follow=True,
    )
    assert "already decided" in response.text
    assert Initiative.objects.get(pk=gate_ctx["initiative"].pk).stage == Stage.PILOT


def test_hold_pauses_the_initiative_and_the_panel_says_why(client, gate_ctx):
    gate_request = gate_ctx["gate_request"]
    client.force_login(gate_ctx["chair"])
    client.post(
        _url("gate_request_decide", gate_request.pk),
        {"decision": "hold", "reason": "Wait for the signed DPA.", **NO_ACTIONS},
    )
    initiative = Initiative.objects.get(pk=gate_ctx["initiative"].pk)
    assert initiative.status == Status.PAUSED
    page = client.get(initiative.get_absolute_url())
    assert "Paused (hold)." in page.text
    assert "Wait for the signed DPA." in page.text
    assert _url("initiative_resume", initiative.pk) in page.text


def test_owner_withdraws_a_pending_request_with_a_reason(client, gate_ctx, product_owner):
    gate_request = gate_ctx["gate_request"]
    client.force_login(product_owner)
    refused = client.post(_url("gate_request_withdraw", gate_request.pk), {"reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    response = client.post(
        _url("gate_request_withdraw", gate_request.pk), {"reason": "Scope changes first."}
    )
    assert response.status_code == 302
    gate_request.refresh_from_db()
    assert gate_request.status == GateRequestStatus.WITHDRAWN


# ---------------------------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------------------------


def _pending_request(initiative, owner, *, days_ago: int) -> GateRequest:
    request = file_request(initiative, owner, justification="Criteria pending; see notes.")
    requested = timezone.now() - datetime.timedelta(days=days_ago)
    GateRequest.objects.filter(pk=request.pk).update(
        requested_at=requested, review_due_at=requested + datetime.timedelta(days=7)
    )
    return request


def test_queue_lists_pending_requests_oldest_first_with_votes_missing_seats_and_your_vote(
    client, gate_ctx, product_owner, business_unit
):
    older = pilot_initiative(
        product_owner, product_owner, title="Older initiative", business_unit=business_unit
    )
    overdue = _pending_request(older, product_owner, days_ago=10)
    client.force_login(gate_ctx["legal"])
    response = client.get(_url("council_queue"))
    rows = response.context["rows"]
    assert [row.gate_request for row in rows] == [overdue, gate_ctx["gate_request"]]
    assert rows[0].entry.overdue and not rows[1].entry.overdue
    assert rows[0].missing_seat_labels == ["Security", "Legal"]
    assert rows[0].entry.my_vote is None
    assert rows[1].entry.my_vote.choice == "approve"
    text = response.text
    assert "Overdue" in text
    assert "Not voted" in text
    assert "2 / 2" in text and "0 / 2" in text

    only_overdue = client.get(_url("council_queue"), {"show": "overdue"})
    assert [row.gate_request for row in only_overdue.context["rows"]] == [overdue]


def test_queue_shows_recusal_instead_of_a_vote_state(client, gate_ctx):
    client.force_login(gate_ctx["recused_member"])
    response = client.get(_url("council_queue"))
    assert response.context["rows"][0].my_recusal == "delivery owner"
    assert "Recused (delivery owner)" in response.text


def test_queue_filters_decided_requests(client, gate_ctx):
    gate_request_decide(
        request=gate_ctx["gate_request"], actor=gate_ctx["chair"], decision="go", reason="Yes."
    )
    client.force_login(gate_ctx["chair"])
    pending = client.get(_url("council_queue"))
    assert pending.context["rows"] == []
    assert "The queue is empty" in pending.text
    decided = client.get(
        _url("council_queue"),
        {"show": "decided"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="queue-results",
    )
    assert "<html" not in decided.text
    assert [row.gate_request for row in decided.context_data["rows"]] == [gate_ctx["gate_request"]]
    assert "Go (advance)" in decided.text


def test_queue_paginates_pending_requests(client, gate_ctx, product_owner, business_unit):
    for n in range(26):
        initiative = pilot_initiative(
            product_owner, product_owner, title=f"Queued {n:02d}", business_unit=business_unit
        )
        _pending_request(initiative, product_owner, days_ago=1)
    client.force_login(gate_ctx["chair"])
    first = client.get(_url("council_queue"))
    assert len(first.context["rows"]) == 25
    assert "Page 1 of 2" in first.text
    second = client.get(_url("council_queue"), {"page": 2})
    assert len(second.context["rows"]) == 2


def test_queue_lists_initiatives_stuck_in_pilot(client, gate_ctx, product_owner, business_unit):
    stuck = pilot_initiative(
        product_owner,
        product_owner,
        title="Forgotten pilot",
        business_unit=business_unit,
        stage_changed_at=timezone.now() - datetime.timedelta(days=143),
    )
    client.force_login(gate_ctx["chair"])
    response = client.get(_url("council_queue"))
    purgatory = response.context["purgatory"]
    assert [(row.initiative, row.days) for row in purgatory] == [(stuck, 143)]
    assert "Forgotten pilot" in response.text


def test_council_queue_link_is_shown_to_council_members_and_admins_only(client, gate_ctx):
    for role, shown in (
        ("council_member", True),
        ("governance_admin", True),
        ("executive", False),
        ("owner", False),
        ("auditor", False),
    ):
        client.force_login(gate_ctx[role])
        page = client.get(reverse("portfolio:initiative_list"))
        assert ("Council queue" in page.text) is shown, role


# ---------------------------------------------------------------------------------------------
# The initiative page's "Stage gate" section
# ---------------------------------------------------------------------------------------------


def test_panel_shows_the_pending_request_and_its_votes(client, gate_ctx):
    client.force_login(gate_ctx["executive"])
    page = client.get(gate_ctx["initiative"].get_absolute_url())
    assert "Stage gate" in page.text
    assert "Request to move to Controlled rollout" in page.text
    assert "2 of 2 votes for quorum" in page.text
    assert "Request move to" not in page.text


def test_panel_offers_the_owner_to_request_the_next_gate(client, gate_ctx, product_owner):
    client.force_login(product_owner)
    page = client.get(gate_ctx["second"].get_absolute_url())
    assert "Request move to Controlled rollout" in page.text
    assert _url("gate_request_create", gate_ctx["second"].pk) in page.text
    assert _url("initiative_pause", gate_ctx["second"].pk) not in page.text


def test_panel_flags_pilot_purgatory_with_the_days(client, gate_ctx, product_owner, business_unit):
    stuck = pilot_initiative(
        product_owner,
        product_owner,
        title="Forgotten pilot",
        business_unit=business_unit,
        stage_changed_at=timezone.now() - datetime.timedelta(days=143, hours=1),
    )
    client.force_login(product_owner)
    page = client.get(stuck.get_absolute_url())
    assert "in pilot for 143 days with no gate decision" in page.text


def test_panel_flags_a_needed_re_review_with_what_changed(client, gate_ctx):
    ReReview.objects.create(
        initiative=gate_ctx["initiative"],
        changes=[
            {
                "field": "autonomy_level",
                "label": "Autonomy level raised",
                "before": "assistant",
                "after": "agent",
            },
            {"field": "vendors", "label": "New vendor", "before": [], "after": ["Acme AI"]},
        ],
    )
    client.force_login(gate_ctx["auditor"])
    page = client.get(gate_ctx["initiative"].get_absolute_url())
    assert "Re-review needed" in page.text
    assert "Autonomy level raised: assistant → agent" in page.text
    assert "New vendor: none → Acme AI" in page.text


def test_chair_sees_pause_and_stop_and_changes_status_with_a_reason(client, gate_ctx):
    initiative = gate_ctx["second"]
    client.force_login(gate_ctx["chair"])
    page = client.get(initiative.get_absolute_url())
    assert _url("initiative_pause", initiative.pk) in page.text
    assert _url("initiative_stop", initiative.pk) in page.text
    assert _url("initiative_resume", initiative.pk) not in page.text

    missing = client.post(_url("initiative_pause", initiative.pk), {"reason": ""})
    assert missing.status_code == 200
    assert missing.context["form"].errors["reason"]
    response = client.post(_url("initiative_pause", initiative.pk), {"reason": "Budget freeze."})
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == Status.PAUSED
    event = AuditEvent.objects.filter(initiative_id=initiative.pk).order_by("-sequence").first()
    assert (event.action, event.reason) == ("initiative.status_changed", "Budget freeze.")

    client.post(_url("initiative_resume", initiative.pk), {"reason": "Budget back."})
    client.post(_url("initiative_stop", initiative.pk), {"reason": "Sunset."})
    initiative.refresh_from_db()
    assert initiative.status == Status.STOPPED


def test_resuming_an_active_initiative_is_refused_with_the_reason(client, gate_ctx):
    client.force_login(gate_ctx["governance_admin"])
    response = client.post(
        _url("initiative_resume", gate_ctx["second"].pk), {"reason": "Nothing to resume."}
    )
    assert response.status_code == 400
    assert "cannot become active" in response.text


def test_a_vote_after_the_decision_says_the_request_was_decided(client, gate_ctx):
    gate_request_decide(
        request=gate_ctx["gate_request"], actor=gate_ctx["chair"], decision="go", reason="Yes."
    )
    client.force_login(gate_ctx["data"])
    response = client.post(
        _url("gate_request_vote", gate_ctx["gate_request"].pk),
        {"choice": "approve"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "already decided" in response.text
    assert 'id="gate-review"' in response.text
    assert not Vote.objects.filter(voter=gate_ctx["data"]).exists()


def test_a_failing_risk_criterion_links_to_the_risk(client, gate_ctx, product_owner):
    initiative = gate_ctx["second"]
    make_gate_ready(initiative, product_owner, gate_ctx["versions"])
    risk = Risk.objects.create(
        initiative=initiative,
        category="security",
        description="Prompt injection exposes customer notes",
        likelihood=4,
        impact=5,
        severity=20,
        owner=product_owner,
    )
    client.force_login(product_owner)
    page = client.get(_url("gate_request_create", initiative.pk))
    row = next(r for r in page.context["preview"].criteria if r.id == "no_unmitigated_high_risk")
    assert not row.passed
    assert row.href == reverse("governance:risk_detail", args=[risk.pk])
    assert "1 of 9 criteria fail." in page.text
