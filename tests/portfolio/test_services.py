from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import ConflictError
from core.models import AuditEvent, AuditEventImmutable
from portfolio.models import (
    Initiative,
    ProblemStatement,
    ProblemStatementVersion,
    Stage,
    StageTransition,
    Status,
)
from portfolio.permissions import SET_STAGE_DENIED_MESSAGE
from portfolio.services import (
    business_unit_update,
    initiative_create,
    initiative_set_stage,
    initiative_set_status,
    initiative_update,
    problem_statement_save,
)
from tests.factories import STRONG_STATEMENT

pytestmark = pytest.mark.django_db


def _data(business_unit, **overrides):
    return {
        "title": "Renewal briefing",
        "business_unit": business_unit,
        "value_category": "speed",
        **overrides,
    }


def test_product_owner_creates_an_initiative_in_exploration_with_an_audit_event(
    product_owner, business_unit
):
    initiative = initiative_create(
        actor=product_owner, data=_data(business_unit, business_owner=product_owner)
    )
    assert initiative.stage == Stage.EXPLORATION
    event = AuditEvent.objects.get(action="initiative.created")
    assert event.actor == product_owner
    assert event.initiative_id == initiative.pk
    assert event.changes["title"] == [None, "Renewal briefing"]


def test_product_owner_cannot_create_an_initiative_they_do_not_own(product_owner, business_unit):
    with pytest.raises(ValidationError) as error:
        initiative_create(actor=product_owner, data=_data(business_unit))
    assert "business_owner" in error.value.message_dict
    assert Initiative.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("role_fixture", ["executive", "council_member", "auditor", "no_role_user"])
def test_readers_cannot_create_initiatives(request, role_fixture, business_unit):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        initiative_create(actor=user, data=_data(business_unit, business_owner=user))


def test_review_date_before_start_date_is_refused_and_nothing_saved(product_owner, business_unit):
    import datetime

    with pytest.raises(ValidationError) as error:
        initiative_create(
            actor=product_owner,
            data=_data(
                business_unit,
                business_owner=product_owner,
                start_date=datetime.date(2026, 5, 1),
                next_review_date=datetime.date(2026, 4, 1),
            ),
        )
    assert "next_review_date" in error.value.message_dict
    assert Initiative.objects.count() == 0


def test_update_records_before_and_after_and_bumps_the_version(initiative, product_owner):
    initiative_update(
        initiative=initiative,
        actor=product_owner,
        data={"title": "Customer triage v2"},
        expected_version=1,
    )
    initiative.refresh_from_db()
    assert initiative.version == 2
    event = AuditEvent.objects.get(action="initiative.updated")
    assert event.changes == {"title": ["Customer triage and routing", "Customer triage v2"]}


def test_update_on_a_stale_version_is_a_conflict_that_saves_nothing(initiative, product_owner):
    initiative_update(
        initiative=initiative, actor=product_owner, data={"title": "First"}, expected_version=1
    )
    with pytest.raises(ConflictError) as error:
        initiative_update(
            initiative=initiative, actor=product_owner, data={"title": "Second"}, expected_version=1
        )
    assert error.value.current["title"] == "First"
    initiative.refresh_from_db()
    assert initiative.title == "First"


def test_an_update_that_changes_nothing_keeps_the_version_and_writes_nothing(
    initiative, product_owner
):
    initiative_update(
        initiative=initiative,
        actor=product_owner,
        data={"title": initiative.title, "business_owner": product_owner},
        expected_version=1,
        vendors=[],
    )
    initiative.refresh_from_db()
    assert initiative.version == 1
    assert not AuditEvent.objects.filter(action="initiative.updated").exists()


def test_a_business_unit_saved_unchanged_writes_nothing(business_unit, governance_admin):
    business_unit_update(
        unit=business_unit,
        actor=governance_admin,
        data={"name": business_unit.name, "description": business_unit.description},
    )
    assert not AuditEvent.objects.filter(action="business_unit.updated").exists()
    business_unit_update(unit=business_unit, actor=governance_admin, data={"name": "Customer Ops"})
    (event,) = AuditEvent.objects.filter(action="business_unit.updated")
    assert event.changes == {"name": ["Customer Operations", "Customer Ops"]}


def test_set_stage_requires_a_reason(initiative, governance_admin, product_owner):
    initiative.delivery_owner = product_owner
    initiative.save()
    with pytest.raises(ValidationError) as error:
        initiative_set_stage(
            initiative=initiative, actor=governance_admin, to_stage=Stage.PILOT, reason="  "
        )
    assert "reason" in error.value.message_dict
    assert StageTransition.objects.count() == 0


def test_leaving_exploration_needs_both_owners(initiative, governance_admin):
    with pytest.raises(ValidationError) as error:
        initiative_set_stage(
            initiative=initiative, actor=governance_admin, to_stage=Stage.PILOT, reason="Approved"
        )
    assert "delivery owner" in " ".join(error.value.message_dict["to_stage"])
    initiative.refresh_from_db()
    assert initiative.stage == Stage.EXPLORATION


def test_unknown_stage_is_refused(initiative, governance_admin):
    with pytest.raises(ValidationError) as error:
        initiative_set_stage(
            initiative=initiative, actor=governance_admin, to_stage="production", reason="x"
        )
    assert "not a stage" in error.value.message_dict["to_stage"][0]


def test_only_admins_set_stage(initiative, product_owner):
    with pytest.raises(PermissionDenied, match=SET_STAGE_DENIED_MESSAGE):
        initiative_set_stage(
            initiative=initiative, actor=product_owner, to_stage=Stage.PILOT, reason="Because"
        )


def test_stage_change_writes_a_transition_and_an_audit_event_with_the_reason(
    initiative, governance_admin, product_owner
):
    initiative.delivery_owner = product_owner
    initiative.save()
    initiative_set_stage(
        initiative=initiative,
        actor=governance_admin,
        to_stage=Stage.PILOT,
        reason="Council approved a 90-day pilot",
    )
    initiative.refresh_from_db()
    assert initiative.stage == Stage.PILOT
    assert initiative.stage_changed_at is not None
    transition = StageTransition.objects.get()
    assert (transition.from_stage, transition.to_stage) == (Stage.EXPLORATION, Stage.PILOT)
    event = AuditEvent.objects.get(action="initiative.stage_changed")
    assert event.changes == {"stage": ["exploration", "pilot"]}
    assert event.reason == "Council approved a 90-day pilot"


def test_stage_change_from_a_stale_view_is_a_conflict(initiative, governance_admin, product_owner):
    initiative.delivery_owner = product_owner
    initiative.save()
    stale = Initiative.objects.get(pk=initiative.pk)
    initiative_set_stage(
        initiative=initiative, actor=governance_admin, to_stage=Stage.PILOT, reason="Go"
    )
    with pytest.raises(ConflictError):
        initiative_set_stage(
            initiative=stale, actor=governance_admin, to_stage=Stage.SCALE, reason="Go again"
        )
    assert StageTransition.objects.count() == 1


def test_pausing_and_stopping_write_a_transition_in_the_same_stage(initiative, governance_admin):
    initiative_set_status(
        initiative=initiative,
        actor=governance_admin,
        to_status=Status.PAUSED,
        reason="Gate decision: Hold",
        gate_request_id=41,
    )
    initiative_set_status(
        initiative=initiative, actor=governance_admin, to_status=Status.STOPPED, reason="Sunset"
    )
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.status, initiative.version) == (
        Stage.EXPLORATION,
        Status.STOPPED,
        3,
    )
    rows = [
        (t.from_stage, t.to_stage, t.from_status, t.to_status, t.reason, t.gate_request_id)
        for t in StageTransition.objects.order_by("id")
    ]
    assert rows == [
        ("exploration", "exploration", "active", "paused", "Gate decision: Hold", 41),
        ("exploration", "exploration", "paused", "stopped", "Sunset", None),
    ]
    assert not StageTransition.objects.stage_moves().exists()
    events = AuditEvent.objects.filter(action="initiative.status_changed").order_by("id")
    assert [e.changes for e in events] == [
        {"status": ["active", "paused"], "gate_request": [None, 41]},
        {"status": ["paused", "stopped"]},
    ]


def test_a_stopped_initiative_stays_stopped(initiative, governance_admin):
    initiative_set_status(
        initiative=initiative, actor=governance_admin, to_status=Status.STOPPED, reason="Sunset"
    )
    for to_status in (Status.ACTIVE, Status.PAUSED, Status.STOPPED):
        with pytest.raises(ValidationError) as error:
            initiative_set_status(
                initiative=initiative, actor=governance_admin, to_status=to_status, reason="Again"
            )
        assert f"stopped cannot become {to_status}" in error.value.message_dict["to_status"][0]
    assert StageTransition.objects.count() == 1


def test_a_status_change_from_a_stale_view_is_a_conflict_that_writes_nothing(
    initiative, governance_admin
):
    stale = Initiative.objects.get(pk=initiative.pk)
    initiative_set_status(
        initiative=initiative, actor=governance_admin, to_status=Status.PAUSED, reason="Hold"
    )
    with pytest.raises(ConflictError):
        initiative_set_status(
            initiative=stale, actor=governance_admin, to_status=Status.STOPPED, reason="Kill"
        )
    initiative.refresh_from_db()
    assert initiative.status == Status.PAUSED
    assert StageTransition.objects.count() == 1
    assert AuditEvent.objects.filter(action="initiative.status_changed").count() == 1


def test_every_problem_statement_save_keeps_a_version(initiative, product_owner):
    problem_statement_save(
        initiative=initiative,
        actor=product_owner,
        data={"friction": "We need an AI tool to help customer success teams work faster."},
        expected_version=0,
    )
    statement = problem_statement_save(
        initiative=initiative, actor=product_owner, data=STRONG_STATEMENT, expected_version=1
    )
    assert statement.version == 2
    assert statement.clarity_score >= 4
    versions = list(ProblemStatementVersion.objects.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].clarity_score <= 2
    assert versions[1].content["kpi"] == "Median renewal preparation time"
    actions = list(
        AuditEvent.objects.filter(object_type="portfolio.problemstatement")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["problem_statement.created", "problem_statement.updated"]


def test_problem_statement_conflict_returns_the_other_persons_text(initiative, product_owner):
    problem_statement_save(
        initiative=initiative, actor=product_owner, data=STRONG_STATEMENT, expected_version=0
    )
    with pytest.raises(ConflictError) as error:
        problem_statement_save(
            initiative=initiative,
            actor=product_owner,
            data={**STRONG_STATEMENT, "target": "10 minutes"},
            expected_version=0,
        )
    assert error.value.current["target"] == "15 minutes per renewal"
    assert ProblemStatementVersion.objects.count() == 1


def test_a_problem_statement_saved_unchanged_keeps_its_version_and_writes_nothing(
    initiative, product_owner
):
    problem_statement_save(
        initiative=initiative, actor=product_owner, data=STRONG_STATEMENT, expected_version=0
    )
    again = problem_statement_save(
        initiative=initiative, actor=product_owner, data=STRONG_STATEMENT, expected_version=1
    )
    assert again.version == 1
    assert ProblemStatement.objects.get().version == 1
    assert ProblemStatementVersion.objects.count() == 1
    assert not AuditEvent.objects.filter(action="problem_statement.updated").exists()


def test_target_date_before_the_start_date_is_refused(initiative, product_owner):
    with pytest.raises(ValidationError) as error:
        problem_statement_save(
            initiative=initiative,
            actor=product_owner,
            data={**STRONG_STATEMENT, "target_date": "2025-12-31"},
            expected_version=0,
        )
    assert "start date" in error.value.message_dict["target_date"][0]
    assert ProblemStatementVersion.objects.count() == 0


def test_over_long_text_is_refused_with_the_field_named(initiative, product_owner):
    with pytest.raises(ValidationError) as error:
        problem_statement_save(
            initiative=initiative,
            actor=product_owner,
            data={**STRONG_STATEMENT, "user_team": "x" * 301},
            expected_version=0,
        )
    assert "user_team" in error.value.message_dict


def test_audit_events_cannot_be_changed_or_deleted(initiative, product_owner):
    initiative_update(
        initiative=initiative, actor=product_owner, data={"title": "T"}, expected_version=1
    )
    event = AuditEvent.objects.get()
    event.reason = "rewritten"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().update(reason="x")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().reason == ""
