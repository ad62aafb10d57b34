"""Every hard criterion, tried through the page and the API: the chair sees Go disabled with the
reason, a go forced through either path is refused naming the criterion, and nothing changes
(stage, status, no decision, no exception, no stage transition, no audit event).

The four hard criteria (governance/gates/rules.py `must_be_hard`, default_policies.json): a
prohibited EU AI Act tier (any move), a "no" on the before-POC checklist (the pilot gate), a
critical area below its minimum, an area at 1 without a recorded review. A hard block is the
first answer to a go, before the votes: a prohibited initiative is refused with 409 even while
the votes are still coming in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from governance.gates.services import gate_request_create, vote_cast
from governance.models import ActionItem, GateException, GateRequest, GateRequestStatus
from portfolio.models import Initiative, Stage, StageTransition
from tests.governance.gate_service_support import ready_initiative, scorecard_answers, submit

pytestmark = pytest.mark.django_db

# What the refusal says about each criterion, besides its id: the failing detail in words.
HARD_CRITERIA = {
    "not_prohibited_tier": "prohibited AI practice",
    "checklist_passed": "Before-POC checklist all Yes: 1 item not Yes",
    "scorecard_critical_areas": "Ownership (2)",
    "lowest_scores_reviewed": "Vendor readiness",
}


def _prohibited(templates, owner, delivery):
    return ready_initiative(templates, owner, delivery, eu_ai_act_tier="prohibited")


def _before_poc_no(templates, owner, delivery):
    initiative = ready_initiative(templates, owner, delivery, stage=Stage.EXPLORATION)
    answers = dict.fromkeys(templates["before_poc"].parsed.item_ids, "yes")
    answers[next(iter(answers))] = "no"
    submit(initiative, owner, "before_poc", answers)
    return initiative


def _critical_area_low(templates, owner, delivery):
    initiative = ready_initiative(templates, owner, delivery)
    answers = scorecard_answers(templates, 4, ownership=2)
    submit(initiative, owner, "readiness_scorecard", answers)
    return initiative


def _area_at_one(templates, owner, delivery):
    initiative = ready_initiative(templates, owner, delivery)
    answers = scorecard_answers(templates, 4, vendor_readiness=1)
    submit(initiative, owner, "readiness_scorecard", answers)
    return initiative


BUILDERS: dict[str, Callable] = {
    "not_prohibited_tier": _prohibited,
    "checklist_passed": _before_poc_no,
    "scorecard_critical_areas": _critical_area_low,
    "lowest_scores_reviewed": _area_at_one,
}


@pytest.fixture
def approvers(chair, legal, product_member) -> dict[str, list]:
    """Who approves each gate so that the votes allow a go (its quorum and required seats)."""
    return {Stage.EXPLORATION: [product_member], Stage.PILOT: [chair, legal]}


@pytest.fixture
def blocked(request, templates, gate_policies, product_owner, delivery_owner, approvers):
    """A pending request for the parametrized hard criterion, approved by every seat it needs:
    only the criterion stands between it and a go."""
    initiative = BUILDERS[request.param](templates, product_owner, delivery_owner)
    gate_request = gate_request_create(
        initiative=initiative, actor=product_owner, justification="Being fixed this sprint."
    )
    for member in approvers[initiative.stage]:
        vote_cast(request=gate_request, actor=member, choice="approve")
    return request.param, gate_request


def state(gate_request: GateRequest) -> tuple:
    """What a refused go must leave exactly as it was."""
    gate_request.refresh_from_db()
    initiative = Initiative.objects.get(pk=gate_request.initiative_id)
    return (
        gate_request.status,
        gate_request.decision,
        gate_request.decided_by_id,
        initiative.stage,
        initiative.status,
        initiative.version,
        StageTransition.objects.filter(initiative=initiative).count(),
        GateException.objects.count(),
        ActionItem.objects.count(),
        AuditEvent.objects.count(),
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


def go_option(page: str) -> tuple[str, str]:
    """The Go radio button's tag and the reason shown beside it ("" when none)."""
    tag = re.search(r'<input[^>]*value="go"[^>]*>', page).group(0)
    option_id = re.search(r'id="([^"]+)"', tag).group(1)
    reason = re.search(rf'<span[^>]*id="{option_id}_reason"[^>]*>(.*?)</span>', page, re.S)
    return tag, reason.group(1) if reason else ""


def page_url(gate_request: GateRequest, action: str = "") -> str:
    name = f"governance:gate_request_{action}" if action else "governance:gate_request_detail"
    return reverse(name, args=[gate_request.pk])


def forced_go(**fields: str) -> dict[str, str]:
    return {
        "decision": "go",
        "reason": "Every seat approved.",
        "override_justification": "The council accepts it.",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        **fields,
    }


@pytest.mark.parametrize("blocked", list(HARD_CRITERIA), indirect=True)
def test_the_page_disables_go_with_the_reason_and_refuses_a_forced_go(client, blocked, chair):
    criterion, gate_request = blocked
    named = HARD_CRITERIA[criterion]
    client.force_login(chair)
    page = text(client.get(page_url(gate_request)))
    tag, reason = go_option(page)
    assert "disabled" in tag
    assert "cannot be overridden" in reason
    assert named in reason
    assert f'data-criterion="{criterion}"' in page

    before = state(gate_request)
    response = client.post(page_url(gate_request, "decide"), forced_go())
    assert response.status_code == 400
    refusal = text(response)
    assert "The decision was not recorded" in refusal
    assert "Go (advance) is not available: Go is blocked by a criterion that cannot be" in refusal
    assert named in refusal
    assert state(gate_request) == before
    assert GateRequest.objects.get(pk=gate_request.pk).status == GateRequestStatus.PENDING


@pytest.mark.parametrize("blocked", list(HARD_CRITERIA), indirect=True)
def test_the_api_answers_409_naming_the_criterion_and_changes_nothing(blocked, chair):
    criterion, gate_request = blocked
    api = APIClient()
    api.force_login(chair)
    before = state(gate_request)
    response = api.post(
        f"/api/v1/gate-requests/{gate_request.pk}/decide/",
        {"decision": "go", "reason": "Approved.", "override_justification": "Accepted."},
        format="json",
    )
    assert response.status_code == 409, response.data
    assert [b["criterion"] for b in response.data["blocked_by"]] == [criterion]
    assert HARD_CRITERIA[criterion] in response.data["detail"]
    assert "cannot be overridden" in response.data["detail"]
    assert state(gate_request) == before


@pytest.fixture
def prohibited_awaiting_votes(templates, gate_policies, product_owner, delivery_owner):
    """A prohibited-tier pilot whose request has no votes yet (quorum 2)."""
    initiative = _prohibited(templates, product_owner, delivery_owner)
    return gate_request_create(
        initiative=initiative, actor=product_owner, justification="Legal says it is fine."
    )


@pytest.mark.parametrize("votes", [0, 1])
def test_a_hard_block_is_the_answer_before_the_votes_allow_a_go(
    votes, client, prohibited_awaiting_votes, chair, legal
):
    gate_request = prohibited_awaiting_votes
    for member in [legal][:votes]:
        vote_cast(request=gate_request, actor=member, choice="approve")
    assert gate_request.votes.count() == votes

    api = APIClient()
    api.force_login(chair)
    before = state(gate_request)
    response = api.post(
        f"/api/v1/gate-requests/{gate_request.pk}/decide/",
        {"decision": "go", "reason": "Approved."},
        format="json",
    )
    assert response.status_code == 409, response.data
    assert [b["criterion"] for b in response.data["blocked_by"]] == ["not_prohibited_tier"]

    client.force_login(chair)
    _, reason = go_option(text(client.get(page_url(gate_request))))
    assert "prohibited AI practice" in reason
    assert "Quorum" not in reason
    assert state(gate_request) == before


def test_other_decisions_still_wait_for_the_quorum(prohibited_awaiting_votes, chair, legal):
    vote_cast(request=prohibited_awaiting_votes, actor=legal, choice="approve")
    api = APIClient()
    api.force_login(chair)
    response = api.post(
        f"/api/v1/gate-requests/{prohibited_awaiting_votes.pk}/decide/",
        {"decision": "kill", "reason": "Prohibited practice."},
        format="json",
    )
    assert response.status_code == 400
    assert "quorum of 2 votes; 1 cast so far" in str(response.data["decision"])
