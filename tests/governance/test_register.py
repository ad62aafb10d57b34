"""The risk register, incidents, leadership decisions and action items: services and pages."""

from __future__ import annotations

import datetime
import threading
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.errors import ConflictError
from core.models import AuditEvent
from core.roles import Role
from governance.gates.services import gate_policies_load_defaults, gate_policy_version_create
from governance.models import (
    ActionItem,
    ActionItemStatus,
    GatePolicy,
    Incident,
    IncidentStatus,
    LeadershipDecision,
    LeadershipDecisionStatus,
    Risk,
    RiskStatus,
)
from governance.register.services import (
    action_item_complete,
    incident_resolve,
    incident_update,
    leadership_decision_create,
    leadership_decision_record_outcome,
    leadership_decision_update,
    risk_close,
    risk_update,
)
from tests.factories import BusinessUnitFactory, InitiativeFactory, UserFactory
from tests.governance.register_support import (
    COMPLETERS,
    MANAGERS,
    OUTCOME_RECORDERS,
    PORTFOLIO_MANAGERS,
    make_action,
    make_decision,
    make_incident,
    make_risk,
)
from tests.roles import READERS, ROLES, signed_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


# ---------------------------------------------------------------------------------------------
# Risks: severity, escalation, validation, versions
# ---------------------------------------------------------------------------------------------


def test_severity_is_likelihood_times_impact_and_escalates_at_the_threshold(
    initiative, product_owner
):
    below = make_risk(initiative, product_owner, likelihood=2, impact=3)
    at = make_risk(initiative, product_owner, likelihood=3, impact=5, escalation_threshold=15)
    assert (below.severity, below.escalated) == (6, False)
    assert (at.severity, at.escalated) == (15, True)


def test_lowering_the_threshold_escalates_an_existing_risk(initiative, product_owner):
    risk = make_risk(initiative, product_owner, likelihood=2, impact=3)
    risk = risk_update(
        risk=risk,
        actor=product_owner,
        data={"escalation_threshold": 6},
        expected_version=risk.version,
    )
    assert risk.escalated is True
    assert risk.version == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("likelihood", 0), ("likelihood", 6), ("impact", 0), ("impact", 6), ("likelihood", "3")],
)
def test_likelihood_and_impact_outside_one_to_five_are_refused_by_field(
    initiative, product_owner, field, value
):
    with pytest.raises(ValidationError) as error:
        make_risk(initiative, product_owner, **{field: value})
    assert field in error.value.message_dict
    assert "1 to 5" in error.value.message_dict[field][0]
    assert not Risk.objects.exists()


def test_a_risk_without_an_owner_is_refused_naming_the_owner(initiative, product_owner):
    with pytest.raises(ValidationError) as error:
        make_risk(initiative, product_owner, owner=None)
    assert "Name an owner" in error.value.message_dict["owner"][0]


def test_an_owner_without_a_gatehouse_role_is_refused(initiative, product_owner, no_role_user):
    with pytest.raises(ValidationError) as error:
        make_risk(initiative, product_owner, owner=no_role_user)
    assert "no active Gatehouse role" in error.value.message_dict["owner"][0]


def test_every_bad_field_is_reported_at_once(initiative, product_owner):
    with pytest.raises(ValidationError) as error:
        make_risk(
            initiative,
            product_owner,
            category="weather",
            description="  ",
            likelihood=9,
            impact=0,
            owner=None,
            escalation_threshold=26,
        )
    assert set(error.value.message_dict) == {
        "category",
        "description",
        "likelihood",
        "impact",
        "owner",
        "escalation_threshold",
    }


def test_a_new_risk_cannot_start_closed(initiative, product_owner):
    with pytest.raises(ValidationError) as error:
        make_risk(initiative, product_owner, status=RiskStatus.CLOSED)
    assert "Close risk" in error.value.message_dict["status"][0]


def test_risk_create_writes_an_audit_event_with_every_value(initiative, product_owner):
    risk = make_risk(initiative, product_owner)
    (event,) = _events("risk.created")
    assert event.initiative_id == initiative.pk
    assert event.object_id == str(risk.pk)
    assert event.changes["severity"] == [None, 16]
    assert event.changes["likelihood"] == [None, 4]


def test_a_stale_version_is_a_conflict_carrying_the_saved_values(initiative, product_owner):
    risk = make_risk(initiative, product_owner)
    risk_update(risk=risk, actor=product_owner, data={"likelihood": 5}, expected_version=1)
    with pytest.raises(ConflictError) as error:
        risk_update(risk=risk, actor=product_owner, data={"likelihood": 1}, expected_version=1)
    assert error.value.current["likelihood"] == 5
    risk.refresh_from_db()
    assert (risk.likelihood, risk.severity, risk.version) == (5, 20, 2)


def test_an_update_that_changes_nothing_writes_nothing(initiative, product_owner):
    risk = make_risk(initiative, product_owner)
    risk_update(risk=risk, actor=product_owner, data={"likelihood": 4}, expected_version=1)
    risk.refresh_from_db()
    assert risk.version == 1
    assert _events("risk.updated") == []


def test_risk_update_records_before_and_after(initiative, product_owner):
    risk = make_risk(initiative, product_owner)
    risk_update(
        risk=risk,
        actor=product_owner,
        data={"impact": 2, "mitigation": "Restrict the index to SOPs."},
        expected_version=1,
    )
    (event,) = _events("risk.updated")
    assert event.changes["impact"] == [4, 2]
    assert event.changes["severity"] == [16, 8]
    assert event.changes["escalated"] == [True, False]
    assert event.changes["mitigation"] == ["", "Restrict the index to SOPs."]


def test_risk_update_cannot_close_and_refuses_unknown_fields(initiative, product_owner):
    risk = make_risk(initiative, product_owner)
    with pytest.raises(ValidationError) as error:
        risk_update(risk=risk, actor=product_owner, data={"status": "closed"}, expected_version=1)
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        risk_update(risk=risk, actor=product_owner, data={"severity": 1}, expected_version=1)
    assert "severity" in error.value.message_dict


def test_closing_needs_a_reason_stops_escalation_and_cannot_happen_twice(
    initiative, product_owner, council_member
):
    risk = make_risk(initiative, product_owner, likelihood=5, impact=5)
    assert risk.escalated
    with pytest.raises(ValidationError) as error:
        risk_close(risk=risk, actor=council_member, reason=" ")
    assert "reason" in error.value.message_dict
    closed = risk_close(risk=risk, actor=council_member, reason="Accepted by the council.")
    assert (closed.status, closed.escalated) == (RiskStatus.CLOSED, False)
    (event,) = _events("risk.closed")
    assert event.reason == "Accepted by the council."
    assert event.changes["status"] == ["open", "closed"]
    with pytest.raises(ConflictError):
        risk_close(risk=risk, actor=council_member, reason="Again")
    assert len(_events("risk.closed")) == 1


def test_a_closed_risk_reopens_by_setting_its_status_back(initiative, product_owner):
    risk = make_risk(initiative, product_owner, likelihood=5, impact=5)
    risk = risk_close(risk=risk, actor=product_owner, reason="Mitigated")
    risk = risk_update(
        risk=risk, actor=product_owner, data={"status": "open"}, expected_version=risk.version
    )
    assert (risk.status, risk.escalated) == ("open", True)
    assert len(_events("risk.reopened")) == 1


@pytest.mark.parametrize("who", ["executive", "other_product_owner", "auditor", "no_role_user"])
def test_people_outside_the_register_cannot_write_risks(request, initiative, product_owner, who):
    outsider = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        make_risk(initiative, outsider, owner=product_owner)
    risk = make_risk(initiative, product_owner)
    with pytest.raises(PermissionDenied):
        risk_update(risk=risk, actor=outsider, data={"impact": 1}, expected_version=1)
    with pytest.raises(PermissionDenied):
        risk_close(risk=risk, actor=outsider, reason="Not mine to close")


def test_the_executive_sponsor_manages_the_register_of_their_initiative(initiative, executive):
    initiative.executive_sponsor = executive
    initiative.save()
    assert make_risk(initiative, executive).pk


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------


def test_an_incident_cannot_have_happened_in_the_future(initiative, product_owner):
    with pytest.raises(ValidationError) as error:
        make_incident(
            initiative, product_owner, occurred_at=timezone.now() + datetime.timedelta(days=1)
        )
    assert "future" in error.value.message_dict["occurred_at"][0]


def test_an_incident_needs_a_summary_and_an_owner(initiative, product_owner):
    with pytest.raises(ValidationError) as error:
        make_incident(initiative, product_owner, summary="", owner=None)
    assert set(error.value.message_dict) == {"summary", "owner"}


def test_resolving_needs_a_corrective_action_and_happens_once(initiative, product_owner):
    incident = make_incident(initiative, product_owner)
    with pytest.raises(ValidationError) as error:
        incident_resolve(incident=incident, actor=product_owner)
    assert "corrective_action" in error.value.message_dict
    resolved = incident_resolve(
        incident=incident, actor=product_owner, corrective_action="Eval set gets new categories."
    )
    assert resolved.status == IncidentStatus.RESOLVED
    assert resolved.resolved_at is not None
    (event,) = _events("incident.resolved")
    assert event.changes["status"] == ["open", "resolved"]
    with pytest.raises(ConflictError):
        incident_resolve(incident=incident, actor=product_owner, corrective_action="Again")


def test_a_corrective_action_already_on_record_is_enough_to_resolve(initiative, product_owner):
    incident = make_incident(initiative, product_owner, corrective_action="Fallback router.")
    assert incident_resolve(incident=incident, actor=product_owner).status == "resolved"


def test_incident_update_with_a_stale_version_conflicts(initiative, product_owner):
    incident = make_incident(initiative, product_owner)
    incident_update(
        incident=incident, actor=product_owner, data={"impact": "340 emails"}, expected_version=1
    )
    with pytest.raises(ConflictError) as error:
        incident_update(
            incident=incident, actor=product_owner, data={"impact": "none"}, expected_version=1
        )
    assert error.value.current["impact"] == "340 emails"


# ---------------------------------------------------------------------------------------------
# Decisions required from leadership
# ---------------------------------------------------------------------------------------------


def test_only_the_council_and_admins_raise_portfolio_wide_decisions(product_owner, council_member):
    with pytest.raises(PermissionDenied):
        make_decision(product_owner, None)
    assert make_decision(council_member, None).initiative is None


def test_a_decision_needs_question_options_owner_and_due_date(council_member):
    with pytest.raises(ValidationError) as error:
        leadership_decision_create(
            actor=council_member, question="", options=" ", owner=None, due_date=None
        )
    assert set(error.value.message_dict) == {"question", "options", "owner", "due_date"}


def test_an_executive_records_the_outcome_once_and_the_question_is_then_final(
    initiative, product_owner, executive
):
    decision = make_decision(product_owner, initiative)
    with pytest.raises(ValidationError) as error:
        leadership_decision_record_outcome(decision=decision, actor=executive, outcome="  ")
    assert "outcome" in error.value.message_dict
    decided = leadership_decision_record_outcome(
        decision=decision, actor=executive, outcome="Approved: two engineers for two quarters."
    )
    assert decided.status == LeadershipDecisionStatus.DECIDED
    (event,) = _events("leadership_decision.outcome_recorded")
    assert event.changes["status"] == ["open", "decided"]
    with pytest.raises(ConflictError):
        leadership_decision_record_outcome(decision=decision, actor=executive, outcome="No")
    with pytest.raises(ValidationError) as error:
        leadership_decision_update(
            decision=decision,
            actor=product_owner,
            data={"question": "Another question"},
            expected_version=decided.version,
        )
    assert "status" in error.value.message_dict


def test_a_product_owner_who_is_not_the_decision_owner_cannot_record_its_outcome(
    initiative, product_owner, executive
):
    decision = make_decision(product_owner, initiative, owner=executive)
    with pytest.raises(PermissionDenied):
        leadership_decision_record_outcome(decision=decision, actor=product_owner, outcome="Go")


def test_the_named_decision_owner_may_record_the_outcome(initiative, product_owner):
    decision = make_decision(product_owner, initiative, owner=product_owner)
    decided = leadership_decision_record_outcome(
        decision=decision, actor=product_owner, outcome="Go"
    )
    assert decided.outcome == "Go"


# ---------------------------------------------------------------------------------------------
# Action items
# ---------------------------------------------------------------------------------------------


def test_a_past_due_date_is_allowed_and_the_item_is_overdue_from_the_start(
    client, initiative, product_owner
):
    client.force_login(product_owner)
    response = client.post(
        reverse("governance:action_item_create", args=[initiative.pk]),
        {
            "title": "Close the legal review",
            "owner": product_owner.pk,
            "due_date": (TODAY() - datetime.timedelta(days=3)).isoformat(),
        },
        follow=True,
    )
    assert "overdue from the start" in response.text
    item = ActionItem.objects.get()
    assert item.due_date < TODAY()
    listing = client.get(reverse("governance:action_item_list"), {"state": "overdue"})
    assert "Close the legal review" in listing.text
    assert "Overdue" in listing.text


def test_an_action_item_needs_a_title_an_owner_and_a_due_date(client, initiative, product_owner):
    client.force_login(product_owner)
    response = client.post(
        reverse("governance:action_item_create", args=[initiative.pk]), {"title": ""}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "owner", "due_date"}
    assert "Name an owner" in response.text


def test_the_item_owner_completes_it_once(initiative, product_owner, other_product_owner):
    item = make_action(initiative, product_owner, owner=other_product_owner)
    done = action_item_complete(item=item, actor=other_product_owner, note="Done on Monday.")
    assert done.status == ActionItemStatus.DONE
    (event,) = _events("action_item.completed")
    assert event.reason == "Done on Monday."
    with pytest.raises(ConflictError):
        action_item_complete(item=item, actor=other_product_owner)


def test_someone_else_cannot_complete_an_action_item(initiative, product_owner, executive):
    item = make_action(initiative, product_owner)
    with pytest.raises(PermissionDenied):
        action_item_complete(item=item, actor=executive)


def test_completing_with_htmx_swaps_just_the_row(client, initiative, product_owner):
    item = make_action(initiative, product_owner)
    client.force_login(product_owner)
    response = client.post(
        reverse("governance:action_item_complete", args=[item.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"action-item-{item.pk}",
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="action-item-{item.pk}">')
    assert "Done" in response.text
    assert "<html" not in response.text


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def _risk_form(user, **overrides):
    data = {
        "category": "privacy",
        "description": "Patient records would leave the hospital network.",
        "likelihood": "5",
        "impact": "5",
        "owner": user.pk,
        "mitigation": "",
        "status": "open",
        "escalation_threshold": "15",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("field", "value"), [("likelihood", "0"), ("likelihood", "6")])
def test_the_risk_form_names_the_field_of_a_bad_score(
    client, initiative, product_owner, field, value
):
    client.force_login(product_owner)
    response = client.post(
        reverse("governance:risk_create", args=[initiative.pk]),
        _risk_form(product_owner, **{field: value}),
    )
    assert response.status_code == 200
    assert "Likelihood must be from 1 (rare) to 5 (almost certain)" in response.text
    assert f'href="#id_{field}"' in response.text
    assert not Risk.objects.exists()


def test_the_risk_form_refuses_a_missing_owner(client, initiative, product_owner):
    client.force_login(product_owner)
    response = client.post(
        reverse("governance:risk_create", args=[initiative.pk]),
        _risk_form(product_owner, owner=""),
    )
    assert "Owner: Name an owner" in response.text


def test_creating_a_risk_from_the_page_returns_to_the_initiative(client, initiative, product_owner):
    client.force_login(product_owner)
    response = client.post(
        reverse("governance:risk_create", args=[initiative.pk]), _risk_form(product_owner)
    )
    assert response.status_code == 302
    assert response["Location"] == initiative.get_absolute_url()
    risk = Risk.objects.get()
    assert (risk.severity, risk.escalated) == (25, True)


def test_editing_a_stale_risk_shows_the_conflict_with_both_values(
    client, initiative, product_owner, council_member
):
    risk = make_risk(initiative, product_owner)
    risk_update(
        risk=risk, actor=council_member, data={"mitigation": "Council's plan"}, expected_version=1
    )
    client.force_login(product_owner)
    response = client.post(
        reverse("governance:risk_edit", args=[risk.pk]),
        _risk_form(product_owner, mitigation="My plan", version="1", category="security"),
    )
    assert response.status_code == 409
    assert "someone else changed this first" in response.text
    assert "Council&#x27;s plan" in response.text
    assert "My plan" in response.text
    risk.refresh_from_db()
    assert risk.mitigation == "Council's plan"


def test_the_initiative_page_shows_open_risks_by_severity_and_the_other_records(
    client, initiative, product_owner
):
    make_risk(initiative, product_owner, description="Low one", likelihood=1, impact=2)
    make_risk(initiative, product_owner, description="Top one", likelihood=5, impact=5)
    closed = make_risk(initiative, product_owner, description="Closed one")
    risk_close(risk=closed, actor=product_owner, reason="Gone")
    make_incident(initiative, product_owner, summary="Routing outage")
    make_action(initiative, product_owner, title="Write the runbook")
    client.force_login(product_owner)
    text = client.get(initiative.get_absolute_url()).text
    assert "Risks, incidents and actions" in text
    assert text.index("Top one") < text.index("Low one")
    assert "Closed one" not in text
    assert "Routing outage" in text
    assert "Write the runbook" in text
    assert reverse("governance:risk_create", args=[initiative.pk]) in text


def test_readers_see_the_panel_without_the_buttons(client, initiative, product_owner, auditor):
    make_risk(initiative, product_owner, description="Visible to all")
    client.force_login(auditor)
    text = client.get(initiative.get_absolute_url()).text
    assert "Visible to all" in text
    assert reverse("governance:risk_create", args=[initiative.pk]) not in text


def _register_rows(client, url, params=None) -> str:
    """The results section only: the filter form and the navigation repeat words like "Vendor"."""
    text = client.get(url, params or {}).text
    return text[text.index('aria-live="polite"') :]


def test_the_risk_register_filters_and_sorts_by_severity(client, executive, product_owner):
    retail = BusinessUnitFactory(name="Retail Banking")
    hr = BusinessUnitFactory(name="People & HR")
    loans = InitiativeFactory(title="Loans", business_unit=retail, business_owner=product_owner)
    hiring = InitiativeFactory(title="Hiring", business_unit=hr, business_owner=product_owner)
    make_risk(loans, product_owner, description="Vendor lock-in", category="vendor",
              likelihood=2, impact=3)  # fmt: skip
    make_risk(hiring, product_owner, description="No bias testing", category="bias",
              likelihood=4, impact=5)  # fmt: skip
    make_risk(loans, product_owner, description="Late legal review", category="legal",
              likelihood=4, impact=4, escalation_threshold=20)  # fmt: skip
    gone = make_risk(loans, product_owner, description="Old privacy risk", category="privacy")
    risk_close(risk=gone, actor=product_owner, reason="Done")
    client.force_login(executive)
    url = reverse("governance:risk_list")

    text = _register_rows(client, url)
    assert (
        text.index("No bias testing")
        < text.index("Late legal review")
        < text.index("Vendor lock-in")
    )
    assert "Old privacy risk" not in text
    assert "3 risks open or being mitigated" in text

    assert "Old privacy risk" in _register_rows(client, url, {"status": "all"})
    only_bias = _register_rows(client, url, {"category": "bias"})
    assert "No bias testing" in only_bias and "Vendor lock-in" not in only_bias
    high = _register_rows(client, url, {"severity_min": "15"})
    assert (
        "No bias testing" in high and "Late legal review" in high and "Vendor lock-in" not in high
    )
    escalated = _register_rows(client, url, {"escalated": "true"})
    assert "No bias testing" in escalated and "Late legal review" not in escalated
    by_unit = _register_rows(client, url, {"business_unit": hr.pk})
    assert "No bias testing" in by_unit and "Late legal review" not in by_unit
    by_initiative = _register_rows(client, url, {"initiative": loans.pk})
    assert "Late legal review" in by_initiative and "No bias testing" not in by_initiative
    lowest_first = _register_rows(client, url, {"sort": "severity"})
    assert lowest_first.index("Vendor lock-in") < lowest_first.index("No bias testing")


def test_filtering_with_htmx_returns_only_the_results_section(client, executive):
    client.force_login(executive)
    response = client.get(
        reverse("governance:risk_list"),
        {"category": "bias"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="risk-results",
    )
    assert response.text.lstrip().startswith('<section id="risk-results"')
    assert "No risk matches these filters" in response.text


def test_a_filter_that_is_not_understood_is_reported_not_fatal(client, executive):
    client.force_login(executive)
    response = client.get(reverse("governance:risk_list"), {"severity_min": "99"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.text


def test_empty_registers_say_what_to_do(client, council_member):
    client.force_login(council_member)
    assert "No open risks" in client.get(reverse("governance:risk_list")).text
    assert "No open incidents" in client.get(reverse("governance:incident_list")).text
    decisions = client.get(reverse("governance:leadership_decision_list")).text
    assert "Nothing is waiting for leadership" in decisions
    assert reverse("governance:leadership_decision_create") in decisions
    assert "No open action items" in client.get(reverse("governance:action_item_list")).text


def test_the_register_paginates_and_keeps_the_filters_in_the_page_links(
    client, executive, initiative, product_owner
):
    for n in range(27):
        make_risk(initiative, product_owner, description=f"Risk number {n:02d}", category="cost")
    client.force_login(executive)
    response = client.get(reverse("governance:risk_list"), {"category": "cost"})
    assert len(response.context["page"].object_list) == 25
    assert "category=cost&amp;page=2" in response.text
    second = client.get(reverse("governance:risk_list"), {"category": "cost", "page": 2})
    assert len(second.context["page"].object_list) == 2


def test_lists_of_incidents_decisions_and_actions_filter_by_state(client, register):
    client.force_login(register["auditor"])
    incident = register["incident"]
    incident_resolve(incident=incident, actor=register["owner"], corrective_action="Fixed.")
    assert incident.summary not in client.get(reverse("governance:incident_list")).text
    assert (
        incident.summary in client.get(reverse("governance:incident_list"), {"status": "all"}).text
    )

    decision = register["decision"]
    leadership_decision_record_outcome(decision=decision, actor=register["executive"], outcome="Go")
    decided = client.get(reverse("governance:leadership_decision_list"), {"status": "decided"}).text
    assert decision.question in decided
    assert register["portfolio_decision"].question not in decided

    mine = client.get(
        reverse("governance:action_item_list"), {"owner": register["other_product_owner"].pk}
    ).text
    assert register["action"].title in mine
    others = client.get(reverse("governance:action_item_list"), {"owner": register["owner"].pk})
    assert register["action"].title not in others.text


# ---------------------------------------------------------------------------------------------
# Permissions: every page URL and method × every role
# ---------------------------------------------------------------------------------------------


def _risk_post(c, u):
    return _risk_form(c["owner"], version=c["risk"].version)


def _incident_post(c, u):
    return {
        "summary": "Routing outage",
        "occurred_at": (timezone.localtime() - datetime.timedelta(hours=3)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "owner": c["owner"].pk,
        "response": "Manual triage",
        "impact": "",
        "corrective_action": "",
        "version": c["incident"].version,
    }


def _decision_post(c, u):
    return {
        "question": "Pause the knowledge assistant?",
        "options": "Pause\nContinue",
        "implications": "",
        "owner": c["executive"].pk,
        "due_date": (TODAY() + datetime.timedelta(days=5)).isoformat(),
        "version": c["decision"].version,
    }


def _action_post(c, u):
    return {
        "title": "Write the rollback runbook",
        "owner": c["owner"].pk,
        "due_date": (TODAY() + datetime.timedelta(days=5)).isoformat(),
    }


def _pk(kind):
    return lambda c: [c[kind].pk]


def _initiative_pk(c):
    return [c["initiative"].pk]


# (name, method, url name, args, data, allowed roles, success status)
PAGE_CASES = [
    ("risk list", "get", "risk_list", None, None, READERS, 200),
    ("risk detail", "get", "risk_detail", _pk("risk"), None, READERS, 200),
    ("risk new form", "get", "risk_create", _initiative_pk, None, MANAGERS, 200),
    ("risk create", "post", "risk_create", _initiative_pk, _risk_post, MANAGERS, 302),
    ("risk edit form", "get", "risk_edit", _pk("risk"), None, MANAGERS, 200),
    ("risk edit", "post", "risk_edit", _pk("risk"), _risk_post, MANAGERS, 302),
    ("risk close form", "get", "risk_close", _pk("risk"), None, MANAGERS, 200),
    (
        "risk close",
        "post",
        "risk_close",
        _pk("risk"),
        lambda c, u: {"reason": "Mitigated", "version": c["risk"].version},
        MANAGERS,
        302,
    ),
    ("incident list", "get", "incident_list", None, None, READERS, 200),
    ("incident detail", "get", "incident_detail", _pk("incident"), None, READERS, 200),
    ("incident new form", "get", "incident_create", _initiative_pk, None, MANAGERS, 200),
    ("incident create", "post", "incident_create", _initiative_pk, _incident_post, MANAGERS, 302),
    ("incident edit form", "get", "incident_edit", _pk("incident"), None, MANAGERS, 200),
    ("incident edit", "post", "incident_edit", _pk("incident"), _incident_post, MANAGERS, 302),
    ("incident resolve form", "get", "incident_resolve", _pk("incident"), None, MANAGERS, 200),
    (
        "incident resolve",
        "post",
        "incident_resolve",
        _pk("incident"),
        lambda c, u: {"corrective_action": "Fallback router", "version": c["incident"].version},
        MANAGERS,
        302,
    ),
    ("decision list", "get", "leadership_decision_list", None, None, READERS, 200),
    (
        "decision detail",
        "get",
        "leadership_decision_detail",
        _pk("decision"),
        None,
        READERS,
        200,
    ),
    (
        "portfolio decision form",
        "get",
        "leadership_decision_create",
        None,
        None,
        PORTFOLIO_MANAGERS,
        200,
    ),
    (
        "portfolio decision create",
        "post",
        "leadership_decision_create",
        None,
        _decision_post,
        PORTFOLIO_MANAGERS,
        302,
    ),
    (
        "initiative decision form",
        "get",
        "initiative_leadership_decision_create",
        _initiative_pk,
        None,
        MANAGERS,
        200,
    ),
    (
        "initiative decision create",
        "post",
        "initiative_leadership_decision_create",
        _initiative_pk,
        _decision_post,
        MANAGERS,
        302,
    ),
    ("decision edit form", "get", "leadership_decision_edit", _pk("decision"), None, MANAGERS, 200),
    (
        "decision edit",
        "post",
        "leadership_decision_edit",
        _pk("decision"),
        _decision_post,
        MANAGERS,
        302,
    ),
    (
        "portfolio decision edit form",
        "get",
        "leadership_decision_edit",
        _pk("portfolio_decision"),
        None,
        PORTFOLIO_MANAGERS,
        200,
    ),
    (
        "decision outcome form",
        "get",
        "leadership_decision_outcome",
        _pk("decision"),
        None,
        OUTCOME_RECORDERS,
        200,
    ),
    (
        "decision outcome",
        "post",
        "leadership_decision_outcome",
        _pk("decision"),
        lambda c, u: {"outcome": "Approved", "version": c["decision"].version},
        OUTCOME_RECORDERS,
        302,
    ),
    ("action list", "get", "action_item_list", None, None, READERS, 200),
    ("action new form", "get", "action_item_create", _initiative_pk, None, MANAGERS, 200),
    ("action create", "post", "action_item_create", _initiative_pk, _action_post, MANAGERS, 302),
    (
        "action complete",
        "post",
        "action_item_complete",
        _pk("action"),
        lambda c, u: {"note": "done"},
        COMPLETERS,
        302,
    ),
    ("action complete by GET", "get", "action_item_complete", _pk("action"), None, set(), 405),
]


def _expected(role: str, allowed, success: int) -> int:
    if role == "anonymous":
        return 302
    if success == 405:
        return 405
    return success if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url_name", "args", "data", "allowed", "success"),
    PAGE_CASES,
    ids=[case[0] for case in PAGE_CASES],
)
def test_page_permissions(client, register, role, name, method, url_name, args, data, allowed,
                          success):  # fmt: skip
    user = register.get(role)
    signed_in(client, user)
    url = reverse(f"governance:{url_name}", args=args(register) if args else None)
    payload = data(register, user) if data else None
    response = getattr(client, method)(url, payload) if payload else getattr(client, method)(url)
    expected = _expected(role, allowed, success)
    form = response.context.get("form") if response.context else None
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code}, expected {expected} "
        f"{form.errors if form is not None else ''}"
    )
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_record_is_a_404(client, executive):
    client.force_login(executive)
    assert client.get(reverse("governance:risk_detail", args=[999])).status_code == 404
    assert client.get(reverse("governance:incident_detail", args=[999])).status_code == 404
    assert client.get(reverse("governance:risk_create", args=[999])).status_code == 404


def test_refused_page_writes_change_nothing(client, register):
    client.force_login(register["other_product_owner"])
    risk = register["risk"]
    client.post(reverse("governance:risk_edit", args=[risk.pk]), _risk_post(register, None))
    client.post(reverse("governance:risk_close", args=[risk.pk]), {"reason": "x"})
    risk.refresh_from_db()
    assert (risk.version, risk.status) == (1, "open")
    assert not AuditEvent.objects.filter(action__in=["risk.updated", "risk.closed"]).exists()


# ---------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL: row locks serialise the writers)
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_edits_of_one_version_let_exactly_one_win():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are only real on PostgreSQL.")
    owner = UserFactory(username="po", roles=[Role.PRODUCT_OWNER])
    initiative = InitiativeFactory(business_owner=owner)
    risk = make_risk(initiative, owner)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def edit(likelihood: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            risk_update(
                risk=Risk(pk=risk.pk),
                actor=owner,
                data={"likelihood": likelihood},
                expected_version=1,
            )
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in (1, 2, 3, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
    assert Risk.objects.get(pk=risk.pk).version == 2
    assert AuditEvent.objects.filter(action="risk.updated").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_completing_one_action_item_write_one_event():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are only real on PostgreSQL.")
    owner = UserFactory(username="po", roles=[Role.PRODUCT_OWNER])
    initiative = InitiativeFactory(business_owner=owner)
    item = make_action(initiative, owner)
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def complete() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            action_item_complete(item=ActionItem(pk=item.pk), actor=owner)
            outcomes.append("done")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=complete) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "done"]
    assert AuditEvent.objects.filter(action="action_item.completed").count() == 1


# ---------------------------------------------------------------------------------------------
# The demo register
# ---------------------------------------------------------------------------------------------


def test_seed_register_loads_the_seed_stories_once(db):
    call_command("seed_demo", "--quiet")
    call_command("seed_register", "--quiet")
    counts = (
        Risk.objects.count(),
        Incident.objects.count(),
        LeadershipDecision.objects.count(),
        ActionItem.objects.count(),
    )
    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("seed_register", stdout=out)
    assert "0 new" in out.getvalue()
    assert (
        Risk.objects.count(),
        Incident.objects.count(),
        LeadershipDecision.objects.count(),
        ActionItem.objects.count(),
    ) == counts
    assert AuditEvent.objects.count() == events
    assert counts == (8, 2, 4, 9)
    questions = set(LeadershipDecision.objects.values_list("question", flat=True))
    assert "Approve additional delivery capacity for the two rollout candidates" in questions
    assert (
        "Confirm risk appetite for external-facing generative use cases this quarter" in questions
    )
    overdue = ActionItem.objects.filter(status="open", due_date__lt=TODAY())
    assert overdue.count() >= 2
    adoption = Risk.objects.get(category="adoption")
    assert "12%" in adoption.description
    assert adoption.escalated
    assert Incident.objects.filter(summary__icontains="misrouted", status="open").exists()
    assert Risk.objects.get(category="privacy").status == "closed"


def test_seed_register_explains_a_missing_demo(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_register", "--quiet")


def _policy_with_risk_threshold(from_stage: str, min_severity: int, admin) -> None:
    """Load the shipped policies, then set the risk criterion's threshold of one gate."""
    gate_policies_load_defaults()
    policy = GatePolicy.objects.get(from_stage=from_stage)
    current = policy.versions.order_by("-number").first()
    criteria = [
        {**c, "params": {**c.get("params", {}), "min_severity": min_severity}}
        if c["id"] == "no_unmitigated_high_risk"
        else c
        for c in current.criteria
    ]
    assert any(c["id"] == "no_unmitigated_high_risk" for c in criteria)
    gate_policy_version_create(
        policy=policy,
        actor=admin,
        criteria=criteria,
        quorum=current.quorum,
        required_seats=current.required_seats,
        decider_roles=current.decider_roles,
    )


BLOCKS = "without a mitigation blocks the next gate"


def test_the_risk_page_says_a_risk_blocks_the_next_gate_by_that_gates_threshold(
    client, initiative, product_owner, governance_admin
):
    risk = make_risk(initiative, product_owner, likelihood=3, impact=4)  # severity 12
    _policy_with_risk_threshold(initiative.stage, 15, governance_admin)
    client.force_login(product_owner)
    page = client.get(reverse("governance:risk_detail", args=[risk.pk]))
    assert BLOCKS not in page.content.decode()

    _policy_with_risk_threshold(initiative.stage, 12, governance_admin)
    page = client.get(reverse("governance:risk_detail", args=[risk.pk]))
    assert "an open risk of severity 12 or more " + BLOCKS in page.content.decode()


def test_a_mitigated_or_closed_risk_blocks_no_gate(
    client, initiative, product_owner, governance_admin
):
    _policy_with_risk_threshold(initiative.stage, 10, governance_admin)
    mitigated = make_risk(initiative, product_owner, mitigation="Scoped the notes by team.")
    client.force_login(product_owner)
    page = client.get(reverse("governance:risk_detail", args=[mitigated.pk]))
    assert BLOCKS not in page.content.decode()
