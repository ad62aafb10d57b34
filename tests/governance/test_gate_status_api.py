"""GET /api/v1/initiatives/{id}/gate-status?stage=…: the deployment pipelines' question.

Gate requests and re-reviews are created directly with the ORM: these tests are about the
answer, not about how the council reaches its decisions.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from core.roles import Role
from governance.gates.gate_status import GateDecisionFacts, decide_gate_status
from governance.gates.pipeline_access import PIPELINE_GROUP, pipeline_token_issue
from governance.models import (
    GatePolicy,
    GatePolicyVersion,
    GateRequest,
    GateRequestStatus,
    ReReview,
)
from portfolio.models import Initiative, Stage, Status
from tests.factories import GateRequestFactory, UserFactory
from tests.roles import READERS, roles_with

pytestmark = pytest.mark.django_db

# Besides the table's people: a deployment pipeline calling with its read-only token.
ROLES = roles_with("pipeline")
NEXT_STAGE = dict(zip(Stage.values[:-1], Stage.values[1:], strict=True))
PREVIOUS_STAGE = {after: before for before, after in NEXT_STAGE.items()}


def _url(initiative_or_pk, stage: str | None = "pilot", *, slash: bool = False) -> str:
    pk = getattr(initiative_or_pk, "pk", initiative_or_pk)
    url = f"/api/v1/initiatives/{pk}/gate-status{'/' if slash else ''}"
    return f"{url}?stage={stage}" if stage is not None else url


def _at(initiative: Initiative, stage: str, status: str = Status.ACTIVE) -> Initiative:
    # Straight to the row: how the initiative got there is what the gate requests say.
    Initiative.objects.filter(pk=initiative.pk).update(stage=stage, status=status)
    initiative.refresh_from_db()
    return initiative


def _decide(initiative, to_stage, decision="go", *, decided_by=None, when=None) -> GateRequest:
    from_stage = PREVIOUS_STAGE[to_stage]
    policy, _ = GatePolicy.objects.get_or_create(
        from_stage=from_stage, to_stage=to_stage, defaults={"title": f"{from_stage}→{to_stage}"}
    )
    version, _ = GatePolicyVersion.objects.get_or_create(
        policy=policy, number=1, defaults={"criteria": [], "quorum": 1}
    )
    decider = decided_by or UserFactory(username="chair", roles=[Role.COUNCIL_MEMBER])
    now = when or timezone.now()
    return GateRequestFactory(
        initiative=initiative,
        policy_version=version,
        from_stage=from_stage,
        to_stage=to_stage,
        requested_by=decider,
        review_due_at=now,
        decision=decision,
        decision_reason="Council meeting",
        decided_by=decider,
        decided_at=now,
    )


@pytest.fixture
def api(auditor):
    client = APIClient()
    client.force_authenticate(auditor)
    return client


def _get(api, initiative, stage="pilot"):
    response = api.get(_url(initiative, stage))
    assert response.status_code == 200, response.data
    return response.json()


# ---------------------------------------------------------------------------------------------
# The answer
# ---------------------------------------------------------------------------------------------


def test_a_go_decision_into_the_stage_approves_it(api, initiative):
    _at(initiative, Stage.PILOT)
    chair = UserFactory(username="chair", roles=[Role.COUNCIL_MEMBER])
    decided_at = datetime.datetime(2026, 3, 2, 9, 15, tzinfo=datetime.UTC)
    request = _decide(initiative, Stage.PILOT, decided_by=chair, when=decided_at)
    body = _get(api, initiative, "pilot")
    assert body == {
        "initiative": initiative.pk,
        "stage": "pilot",
        "approved": True,
        "current_stage": "pilot",
        "status": "active",
        "reasons": [f"approved by a go decision into Pilot (gate request #{request.pk})"],
        "decision": {
            "gate_request": request.pk,
            "decision": "go",
            "decided_at": timezone.localtime(decided_at).isoformat(),
            "decided_by": "chair",
        },
        "rereview_open": False,
    }


def test_an_earlier_stage_is_approved_once_the_initiative_went_beyond_it(api, initiative):
    _at(initiative, Stage.CONTROLLED_ROLLOUT)
    _decide(initiative, Stage.PILOT)
    body = _get(api, initiative, "pilot")
    assert body["approved"] is True
    assert body["current_stage"] == "controlled_rollout"


def test_a_go_into_a_later_reached_stage_covers_an_earlier_one_set_by_an_admin(api, initiative):
    _at(initiative, Stage.CONTROLLED_ROLLOUT)
    later = _decide(initiative, Stage.CONTROLLED_ROLLOUT)
    body = _get(api, initiative, "pilot")
    assert body["approved"] is True
    assert body["decision"]["gate_request"] == later.pk
    assert "a later stage" in body["reasons"][0]


def test_exploration_needs_no_gate_decision(api, initiative):
    body = _get(api, initiative, "exploration")
    assert body["approved"] is True
    assert body["decision"] is None
    assert body["reasons"] == [
        "Exploration needs no gate decision; the initiative is active and in Exploration"
    ]


def test_a_stage_not_reached_is_not_approved(api, initiative):
    _at(initiative, Stage.PILOT)
    _decide(initiative, Stage.PILOT)
    body = _get(api, initiative, "controlled_rollout")
    assert body["approved"] is False
    assert body["reasons"] == [
        "stage not reached: the initiative is in Pilot, before Controlled rollout"
    ]
    assert body["decision"] is None


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (
            Status.PAUSED,
            "paused (hold): a paused initiative is approved for no stage until resumed",
        ),
        (Status.STOPPED, "stopped (kill / sunset): a stopped initiative is approved for no stage"),
    ],
)
def test_a_paused_or_stopped_initiative_is_not_approved(api, initiative, status, reason):
    _at(initiative, Stage.PILOT, status)
    _decide(initiative, Stage.PILOT)
    body = _get(api, initiative, "pilot")
    assert body["approved"] is False
    assert body["status"] == status
    assert body["reasons"] == [reason]
    assert body["decision"]["decision"] == "go"  # the go is still reported, for the log


def test_an_open_re_review_blocks_approval_and_says_what_changed(api, initiative):
    _at(initiative, Stage.PILOT)
    _decide(initiative, Stage.PILOT)
    rereview = ReReview.objects.create(
        initiative=initiative,
        changes=[
            {
                "field": "autonomy_level",
                "label": "Autonomy level",
                "before": "assistant",
                "after": "agent",
            },
            {"field": "vendors", "label": "Vendors", "before": [], "after": ["Acme AI"]},
        ],
    )
    body = _get(api, initiative, "pilot")
    assert body["approved"] is False
    assert body["rereview_open"] is True
    since = timezone.localdate(rereview.raised_at).isoformat()
    assert body["reasons"] == [
        f"re-review pending since {since}: Autonomy level: assistant → agent; "
        "Vendors: none → Acme AI"
    ]


def test_a_resolved_re_review_no_longer_blocks(api, initiative):
    _at(initiative, Stage.PILOT)
    _decide(initiative, Stage.PILOT)
    ReReview.objects.create(
        initiative=initiative,
        changes=[{"field": "kpi", "label": "KPI", "before": "a", "after": "b"}],
        resolved_at=timezone.now(),
    )
    body = _get(api, initiative, "pilot")
    assert body["approved"] is True
    assert body["rereview_open"] is False


def test_a_stage_set_by_an_admin_without_a_gate_decision_is_not_approved(api, initiative):
    _at(initiative, Stage.PILOT)
    body = _get(api, initiative, "pilot")
    assert body["approved"] is False
    assert body["decision"] is None
    assert body["reasons"] == [
        "set by governance admin, no gate decision: Pilot was reached without a council go decision"
    ]


def test_a_hold_decision_is_not_a_go(api, initiative):
    _at(initiative, Stage.PILOT)
    hold = _decide(initiative, Stage.PILOT, decision="hold")
    body = _get(api, initiative, "pilot")
    assert body["approved"] is False
    assert body["decision"]["decision"] == "hold"
    assert body["reasons"] == [
        f"no go decision: the latest gate decision into Pilot was hold (gate request #{hold.pk})"
    ]


def test_every_blocking_reason_is_listed(api, initiative):
    _at(initiative, Stage.PILOT, Status.PAUSED)
    ReReview.objects.create(initiative=initiative, changes=[])
    body = _get(api, initiative, "scale")
    assert body["approved"] is False
    assert [reason.split(":")[0] for reason in body["reasons"]] == [
        "paused (hold)",
        "stage not reached",
        f"re-review pending since {timezone.localdate().isoformat()}",
    ]


def test_pending_and_withdrawn_requests_do_not_approve(api, initiative):
    _at(initiative, Stage.PILOT)
    withdrawn = _decide(initiative, Stage.PILOT)
    GateRequest.objects.filter(pk=withdrawn.pk).update(
        status=GateRequestStatus.WITHDRAWN, decision=""
    )
    assert _get(api, initiative, "pilot")["approved"] is False


def test_another_initiatives_go_does_not_count(api, initiative, business_unit):
    _at(initiative, Stage.PILOT)
    other = _at(
        Initiative.objects.create(
            title="Other", business_unit=business_unit, value_category="cost"
        ),
        Stage.PILOT,
    )
    _decide(other, Stage.PILOT)
    assert _get(api, initiative, "pilot")["approved"] is False


def test_the_rule_refuses_an_unknown_stage():
    with pytest.raises(ValueError):
        decide_gate_status(
            initiative_id=1,
            stage="launch",
            current_stage="pilot",
            status="active",
            open_rereview_changes=None,
            decisions=(),
        )


def test_the_rule_prefers_the_go_into_the_stage_over_a_later_one():
    into = GateDecisionFacts(1, "pilot", "go", None)
    later = GateDecisionFacts(2, "controlled_rollout", "go", None)
    result = decide_gate_status(
        initiative_id=1,
        stage="pilot",
        current_stage="controlled_rollout",
        status="active",
        open_rereview_changes=None,
        decisions=(later, into),
    )
    assert result.approved
    assert result.decision == into


# ---------------------------------------------------------------------------------------------
# Errors and HTTP details
# ---------------------------------------------------------------------------------------------


def test_an_unknown_stage_is_a_400_naming_the_parameter(api, initiative):
    response = api.get(_url(initiative, "launch"))
    assert response.status_code == 400
    assert list(response.json()) == ["stage"]
    assert "“launch” is not a stage" in response.json()["stage"][0]


def test_a_missing_stage_is_a_400_naming_the_parameter(api, initiative):
    response = api.get(_url(initiative, None))
    assert response.status_code == 400
    assert response.json() == {"stage": ["Give the stage to check, e.g. ?stage=pilot."]}


def test_an_unknown_initiative_is_a_404(api):
    assert api.get(_url(999999, "pilot")).status_code == 404


def test_the_trailing_slash_is_optional_and_the_answer_is_never_cached(api, initiative):
    for slash in (False, True):
        response = api.get(_url(initiative, "exploration", slash=slash))
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"


def test_the_gate_status_query_count_is_constant(api, initiative, django_assert_num_queries):
    _at(initiative, Stage.SCALE)
    for stage in (Stage.PILOT, Stage.CONTROLLED_ROLLOUT, Stage.SCALE):
        _decide(initiative, stage)
    # The caller's roles, the initiative, the open re-review, the decisions with their deciders.
    with django_assert_num_queries(4):
        assert api.get(_url(initiative, "pilot")).json()["approved"] is True


# ---------------------------------------------------------------------------------------------
# Who may call it: roles and pipeline tokens
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def pipeline_token(db):
    return pipeline_token_issue(name="ci").key


@pytest.fixture
def clients(users_by_role, pipeline_token):
    result = {}
    for role in ROLES:
        client = APIClient()
        if role == "pipeline":
            client.credentials(HTTP_AUTHORIZATION=f"Token {pipeline_token}")
        elif role != "anonymous":
            client.force_authenticate(users_by_role[role])
        result[role] = client
    return result


def _expected(role: str, method: str) -> int:
    if role == "anonymous":
        return 401
    if role in READERS:
        return 200 if method in ("get", "head") else 405
    if role == "pipeline" and method in ("get", "head"):
        return 200
    return 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "head", "options", "post", "put", "patch", "delete"])
def test_gate_status_permissions(clients, initiative, role, method):
    response = getattr(clients[role], method)(_url(initiative, "exploration"))
    expected = _expected(role, method)
    if method == "options" and role in READERS:
        expected = 200  # DRF's metadata answer, for those who may use the API at all
    assert response.status_code == expected, f"{role} {method.upper()}: {response.status_code}"


def test_a_pipeline_token_reads_the_gate_status(pipeline_token, initiative):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {pipeline_token}")
    response = client.get(_url(initiative, "exploration"))
    assert response.status_code == 200
    assert response.json()["approved"] is True


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/initiatives/",
        "/api/v1/business-units/",
        "/api/v1/problem-statements/",
        "/api/v1/assessments/",
        "/api/schema/",
    ],
)
def test_a_pipeline_token_is_refused_everywhere_else(pipeline_token, initiative, url):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {pipeline_token}")
    assert client.get(url).status_code == 403


def test_a_pipeline_token_cannot_change_an_initiative(pipeline_token, initiative):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {pipeline_token}")
    response = client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "Hijacked"})
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.title == "Customer triage and routing"


def test_a_pipeline_account_cannot_log_in_to_the_pages(pipeline_token, client):
    user = Token.objects.get(key=pipeline_token).user
    assert not user.has_usable_password()
    client.force_login(user)
    assert client.get("/initiatives/").status_code == 403


# ---------------------------------------------------------------------------------------------
# manage.py create_pipeline_token
# ---------------------------------------------------------------------------------------------


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_pipeline_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_the_command_creates_a_pipeline_user_and_prints_its_token(initiative):
    key, note = _run("ci-prod")
    token = Token.objects.select_related("user").get(key=key)
    assert token.user.username == "pipeline-ci-prod"
    assert list(token.user.groups.values_list("name", flat=True)) == [PIPELINE_GROUP]
    assert "pipeline-ci-prod: created" in note
    event = AuditEvent.objects.get(action="pipeline_token.issued")
    assert key not in str(event.changes)  # the secret never goes into the trail
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(_url(initiative, "exploration")).status_code == 200


def test_the_command_is_idempotent(initiative):
    first, _ = _run("ci")
    events = AuditEvent.objects.count()
    second, note = _run("ci")
    assert first == second
    assert "already existed; same token" in note
    assert AuditEvent.objects.count() == events


def test_rotating_replaces_the_token_and_the_old_one_stops_working(initiative):
    old, _ = _run("ci")
    new, _ = _run("ci", "--rotate")
    assert new != old
    assert AuditEvent.objects.filter(action="pipeline_token.rotated").count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert client.get(_url(initiative, "exploration")).status_code == 401


def test_the_command_refuses_a_persons_account_with_a_role(db):
    UserFactory(username="pipeline-ops", roles=[Role.GOVERNANCE_ADMIN])
    with pytest.raises(CommandError, match="Gatehouse role"):
        _run("ops")
    assert not Token.objects.filter(user__username="pipeline-ops").exists()


def test_the_command_refuses_a_name_that_is_not_a_slug(db):
    with pytest.raises(CommandError, match="lowercase letters"):
        _run("CI Prod")


# ---------------------------------------------------------------------------------------------
# OpenAPI
# ---------------------------------------------------------------------------------------------


def test_the_endpoint_is_in_the_openapi_schema_with_its_parameters_and_shape(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    operation = schema["paths"]["/api/v1/initiatives/{id}/gate-status"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["stage"]["required"] is True
    assert parameters["stage"]["in"] == "query"
    assert set(parameters["stage"]["schema"]["enum"]) == set(Stage.values)
    assert parameters["id"]["in"] == "path"
    assert set(operation["responses"]) >= {"200", "400", "404"}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(component["properties"]) == {
        "initiative",
        "stage",
        "approved",
        "current_stage",
        "status",
        "reasons",
        "decision",
        "rereview_open",
    }
