"""The audit trail pages: who may read them, filters, CSV export, chain verification, queries.

`owner` is the business owner of the initiative under test; `pipeline` is a deployment
pipeline's token user (group "pipeline", no role), which may read none of these pages.
"""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.audit import record_audit_checkpoint, record_audit_event
from core.roles import Role, user_roles
from governance.audit.presentation import action_label, change_lines
from governance.audit.views import CSV_COLUMNS, PAGE_SIZE
from governance.gates.pipeline_access import pipeline_token_issue
from portfolio.models import Stage
from portfolio.services import initiative_set_stage
from tests.factories import InitiativeFactory, UserFactory
from tests.roles import SIGNED_IN, expected_status, roles_with, signed_in

pytestmark = pytest.mark.django_db

# Besides the table's people: a deployment pipeline's token user.
ROLES = roles_with("pipeline")
AUDIT_READERS = {"governance_admin", "auditor"}
INITIATIVE_TRAIL_READERS = {"governance_admin", "auditor", "owner"}


def _event(initiative, actor, action="initiative.updated", changes=None, reason=""):
    return record_audit_event(
        actor=actor,
        action=action,
        target=initiative,
        initiative_id=initiative.pk,
        changes=changes if changes is not None else {"title": ["Old", "New"]},
        reason=reason,
    )


def _tamper(sql: str, params: list) -> None:
    """Edit the trail as a database superuser would, bypassing PostgreSQL's trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def pipeline_user(db):
    return pipeline_token_issue(name="ci").user


@pytest.fixture
def other_initiative(initiative, other_product_owner):
    return InitiativeFactory(
        title="Invoice matching",
        business_unit=initiative.business_unit,
        business_owner=other_product_owner,
    )


@pytest.fixture
def ctx(users_by_role, pipeline_user, initiative, other_initiative):
    owner = users_by_role["owner"]
    _event(initiative, owner, reason="Renamed for clarity")
    _event(other_initiative, users_by_role["other_product_owner"])
    return {**users_by_role, "pipeline": pipeline_user, "initiative": initiative}


# (name, method, url builder, expected status by role)
def _readers(allowed: set[str], success: int = 200):
    def expected(role: str) -> int:
        return expected_status(role, allowed, success, api=False)

    return expected


def _method_not_allowed(role: str) -> int:
    return 302 if role == "anonymous" else 405


CASES = [
    ("trail", "get", lambda c: reverse("governance:audit_trail"), _readers(AUDIT_READERS)),
    ("trail post", "post", lambda c: reverse("governance:audit_trail"), _method_not_allowed),
    ("export", "get", lambda c: reverse("governance:audit_export"), _readers(AUDIT_READERS)),
    ("export post", "post", lambda c: reverse("governance:audit_export"), _method_not_allowed),
    ("verify", "post", lambda c: reverse("governance:audit_verify"), _readers(AUDIT_READERS)),
    ("verify get", "get", lambda c: reverse("governance:audit_verify"), _method_not_allowed),
    (
        "initiative trail",
        "get",
        lambda c: reverse("governance:initiative_audit_trail", args=[c["initiative"].pk]),
        _readers(INITIATIVE_TRAIL_READERS),
    ),
    (
        "initiative trail post",
        "post",
        lambda c: reverse("governance:initiative_audit_trail", args=[c["initiative"].pk]),
        _method_not_allowed,
    ),
    (
        "initiative export",
        "get",
        lambda c: reverse("governance:initiative_audit_export", args=[c["initiative"].pk]),
        _readers(INITIATIVE_TRAIL_READERS),
    ),
    (
        "initiative export post",
        "post",
        lambda c: reverse("governance:initiative_audit_export", args=[c["initiative"].pk]),
        _method_not_allowed,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), CASES, ids=[c[0] for c in CASES])
def test_audit_page_permissions(client, ctx, role, name, method, url, expected):
    response = getattr(signed_in(client, ctx.get(role)), method)(url(ctx))
    assert response.status_code == expected(role), (
        f"{role} {method.upper()} {name}: {response.status_code}, expected {expected(role)}"
    )
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_any_named_person_of_the_initiative_may_read_its_trail(client, initiative, executive):
    initiative.executive_sponsor = executive
    initiative.save()
    client.force_login(executive)
    response = client.get(reverse("governance:initiative_audit_trail", args=[initiative.pk]))
    assert response.status_code == 200


def test_the_trail_of_an_unknown_initiative_is_not_found(client, auditor):
    client.force_login(auditor)
    assert (
        client.get(reverse("governance:initiative_audit_trail", args=[999999])).status_code == 404
    )
    assert (
        client.get(reverse("governance:initiative_audit_export", args=[999999])).status_code == 404
    )


# ---------------------------------------------------------------------------------------------
# What a row shows
# ---------------------------------------------------------------------------------------------


def test_a_row_shows_when_who_action_object_changes_reason_sequence_and_hash(
    client, auditor, product_owner, initiative
):
    event = record_audit_event(
        actor=product_owner,
        action="initiative.stage_changed",
        target=initiative,
        initiative_id=initiative.pk,
        changes={"stage": ["exploration", "pilot"]},
        reason="Council approved the pilot",
    )
    client.force_login(auditor)
    response = client.get(reverse("governance:audit_trail"))
    html = response.content.decode()
    row = response.context["rows"][0]
    assert row.event == event
    assert row.action_label == "Stage changed"
    assert row.intact
    assert [(c.field, c.before, c.after) for c in row.changes] == [
        ("Stage", "Exploration", "Pilot")
    ]
    assert "Stage changed" in html
    assert "Paula Owner" in html
    assert "Exploration → Pilot" in html
    assert "Council approved the pilot" in html
    assert f"#{event.sequence}" in html
    assert event.hash[:12] in html
    assert initiative.title in html


def test_changes_read_as_labels_and_leave_out_fields_that_did_not_change():
    lines = change_lines(
        {
            "stage": ["controlled_rollout", "scale"],
            "business_owner": [None, None],
            "vendors": [[], ["Acme AI", "Blue"]],
            "note": "not a pair",
        }
    )
    assert [(line.field, line.before, line.after) for line in lines] == [
        ("Stage", "Controlled rollout", "Scale decision"),
        ("Vendors", "none", "Acme AI, Blue"),
        ("Note", "", "not a pair"),
    ]
    assert change_lines({}) == ()
    assert [line.after for line in change_lines(["odd"])] == ["odd"]


def test_unlisted_actions_read_as_words():
    assert action_label("vote.cast") == "Vote cast"
    assert action_label("risk.escalated") == "Risk escalated"
    assert action_label("incident.resolved") == "Incident resolved"


def test_events_without_a_person_are_shown_as_system(client, auditor, initiative):
    _event(initiative, None, action="initiative.review_reminder_sent")
    client.force_login(auditor)
    response = client.get(reverse("governance:audit_trail"))
    assert "System" in response.content.decode()


def test_the_initiative_trail_shows_the_events_of_that_initiative_only(
    client, auditor, initiative, other_initiative, product_owner
):
    mine = [_event(initiative, product_owner, reason=f"mine {n}") for n in range(3)]
    _event(other_initiative, product_owner, reason="not mine")
    record_audit_event(actor=product_owner, action="business_unit.updated", target=initiative)
    client.force_login(auditor)
    response = client.get(reverse("governance:initiative_audit_trail", args=[initiative.pk]))
    shown = [row.event.pk for row in response.context["rows"]]
    assert shown == [event.pk for event in reversed(mine)]
    assert "not mine" not in response.content.decode()


def test_the_initiative_page_links_to_the_trail_for_those_who_may_read_it(
    client, users_by_role, initiative
):

    trail = reverse("governance:initiative_audit_trail", args=[initiative.pk])
    assert len(users_by_role) == len(SIGNED_IN)
    for role, user in users_by_role.items():
        if role == "no_role":
            continue
        client.force_login(user)
        html = client.get(initiative.get_absolute_url()).content.decode()
        assert (trail in html) == (role in INITIATIVE_TRAIL_READERS), role


def test_the_audit_panel_runs_no_query(
    rf, auditor, executive, initiative, django_assert_num_queries
):
    from governance.audit.panels import audit_trail_panel

    for user in (auditor, executive):
        request = rf.get(initiative.get_absolute_url())
        request.user = user
        user_roles(user)  # the initiative page has read the roles before the panels render
        with django_assert_num_queries(0):
            html = audit_trail_panel(request, initiative)
        assert (html is not None) == (user is auditor)


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_trail(initiative, other_initiative, product_owner, council_member):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)):
        a = _event(initiative, product_owner, action="initiative.updated")
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, 0, tzinfo=datetime.UTC)):
        b = _event(initiative, council_member, action="vote.cast", changes={"choice": [None, "ok"]})
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.UTC)):
        c = _event(other_initiative, None, action="initiative.status_changed")
        d = record_audit_event(
            actor=council_member, action="business_unit.updated", target=initiative.business_unit
        )
    return {"a": a, "b": b, "c": c, "d": d}


def _shown(client, params, url=None):
    response = client.get(url or reverse("governance:audit_trail"), params)
    assert response.status_code == 200
    return {row.event.pk for row in response.context["rows"]}


def _pks(trail, *names):
    return {trail[name].pk for name in names}


def test_the_trail_filters_by_action_prefix(client, auditor, mixed_trail):
    client.force_login(auditor)
    assert _shown(client, {"action": "initiative."}) == _pks(mixed_trail, "a", "c")
    assert _shown(client, {"action": "vote"}) == _pks(mixed_trail, "b")


def test_the_trail_filters_by_actor_including_system(client, auditor, mixed_trail, council_member):
    client.force_login(auditor)
    assert _shown(client, {"actor": council_member.pk}) == _pks(mixed_trail, "b", "d")
    assert _shown(client, {"actor": "system"}) == _pks(mixed_trail, "c")


def test_the_trail_filters_by_object_type(client, auditor, mixed_trail):
    client.force_login(auditor)
    assert _shown(client, {"object_type": "portfolio.businessunit"}) == _pks(mixed_trail, "d")


def test_the_trail_filters_by_initiative(client, auditor, mixed_trail, other_initiative):
    client.force_login(auditor)
    assert _shown(client, {"initiative": other_initiative.pk}) == _pks(mixed_trail, "c")


def test_the_trail_filters_by_date_range(client, auditor, mixed_trail):
    client.force_login(auditor)
    assert _shown(client, {"date_from": "2026-03-05", "date_to": "2026-03-10"}) == _pks(
        mixed_trail, "b"
    )
    assert _shown(client, {"date_from": "2026-03-09"}) == _pks(mixed_trail, "b", "c", "d")
    assert _shown(client, {"date_to": "2026-03-02"}) == _pks(mixed_trail, "a")


def test_date_filters_count_days_in_the_site_time_zone(client, auditor, initiative):
    # 23:30 UTC on 2 March is 00:30 on 3 March in Brussels (the site's zone).
    with time_machine.travel(datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)):
        late = _event(initiative, None)
    client.force_login(auditor)
    assert _shown(client, {"date_to": "2026-03-02"}) == set()
    assert _shown(client, {"date_from": "2026-03-03", "date_to": "2026-03-03"}) == {late.pk}


def test_filters_combine_on_the_initiative_trail(client, auditor, mixed_trail, initiative):
    client.force_login(auditor)
    url = reverse("governance:initiative_audit_trail", args=[initiative.pk])
    assert _shown(client, {"action": "vote."}, url) == _pks(mixed_trail, "b")
    assert _shown(client, {"date_to": "2026-03-05"}, url) == _pks(mixed_trail, "a")


def test_filters_not_understood_are_named_and_ignored(client, auditor, mixed_trail):
    client.force_login(auditor)
    response = client.get(reverse("governance:audit_trail"), {"actor": "nobody", "date_from": "x"})
    html = response.content.decode()
    assert "Some filters were not understood" in html
    assert len(response.context["rows"]) == 4


def test_an_htmx_filter_request_returns_only_the_results(client, auditor, mixed_trail):
    client.force_login(auditor)
    response = client.get(
        reverse("governance:audit_trail"),
        {"action": "vote."},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="audit-results",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audit-results"')
    assert 'class="filters"' not in html
    assert "1 event matches these filters" in html
    # The export link is part of the swapped results, so it follows the filters.
    assert f'href="{reverse("governance:audit_export")}?action=vote."' in html


def test_the_trail_is_paginated_by_fifty_newest_first(client, auditor, initiative, product_owner):
    events = [_event(initiative, product_owner) for _ in range(PAGE_SIZE + 7)]
    client.force_login(auditor)
    first = client.get(reverse("governance:audit_trail"))
    assert [row.event.pk for row in first.context["rows"]] == [
        e.pk for e in reversed(events[-PAGE_SIZE:])
    ]
    second = client.get(reverse("governance:audit_trail"), {"page": 2})
    assert len(second.context["rows"]) == 7
    assert "Older →" in first.content.decode()


def test_an_empty_trail_says_so(client, auditor):
    client.force_login(auditor)
    assert "No events yet" in client.get(reverse("governance:audit_trail")).content.decode()


# ---------------------------------------------------------------------------------------------
# CSV export
# ---------------------------------------------------------------------------------------------


def _csv_rows(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


def test_the_csv_export_streams_every_column_with_a_dated_filename(
    client, auditor, initiative, product_owner
):
    first = _event(initiative, product_owner, changes={"stage": ["exploration", "pilot"]})
    second = _event(initiative, None, reason="Nightly reminder")
    client.force_login(auditor)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, 0, tzinfo=datetime.UTC)):
        response = client.get(reverse("governance:audit_export"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="gatehouse-audit-trail-2026-04-01.csv"'
    )
    content = b"".join(response.streaming_content).decode()
    reader = csv.reader(io.StringIO(content))
    assert next(reader) == list(CSV_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["sequence"] for row in rows] == [str(first.sequence), str(second.sequence)]
    row = rows[0]
    assert datetime.datetime.fromisoformat(row["occurred_at"]) == first.occurred_at
    assert row["actor"] == product_owner.username
    assert row["action"] == "initiative.updated"
    assert row["object_type"] == "portfolio.initiative"
    assert row["object_id"] == str(initiative.pk)
    assert row["object"] == initiative.title
    assert row["initiative_id"] == str(initiative.pk)
    assert json.loads(row["changes"]) == {"stage": ["exploration", "pilot"]}
    assert row["prev_hash"] == first.prev_hash
    assert row["hash"] == first.hash
    assert rows[1]["actor"] == ""
    assert rows[1]["reason"] == "Nightly reminder"


def test_the_csv_export_reads_the_rows_only_while_streaming(
    client, auditor, initiative, product_owner
):
    for _ in range(30):
        _event(initiative, product_owner)
    client.force_login(auditor)
    with CaptureQueriesContext(connection) as before_streaming:
        response = client.get(reverse("governance:audit_export"))
    assert not any("core_auditevent" in q["sql"] for q in before_streaming.captured_queries)
    with CaptureQueriesContext(connection) as while_streaming:
        chunks = list(response.streaming_content)
    assert any("core_auditevent" in q["sql"] for q in while_streaming.captured_queries)
    assert len(chunks) == 31  # the header, then one chunk per event
    assert all(chunk.count(b"\n") == 1 for chunk in chunks)


def test_the_csv_export_applies_the_same_filters(client, auditor, mixed_trail, council_member):
    client.force_login(auditor)
    response = client.get(
        reverse("governance:audit_export"), {"actor": council_member.pk, "action": "vote."}
    )
    assert [row["sequence"] for row in _csv_rows(response)] == [str(mixed_trail["b"].sequence)]


def test_the_initiative_csv_export_holds_that_initiative_only(
    client, product_owner, mixed_trail, initiative
):
    client.force_login(product_owner)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, 0, tzinfo=datetime.UTC)):
        response = client.get(reverse("governance:initiative_audit_export", args=[initiative.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="gatehouse-audit-trail-initiative-{initiative.pk}-2026-04-01.csv"'
    )
    rows = _csv_rows(response)
    assert {row["initiative_id"] for row in rows} == {str(initiative.pk)}
    assert [row["sequence"] for row in rows] == [
        str(mixed_trail["a"].sequence),
        str(mixed_trail["b"].sequence),
    ]


def test_a_csv_export_with_a_filter_not_understood_exports_nothing(client, auditor, mixed_trail):
    client.force_login(auditor)
    response = client.get(reverse("governance:audit_export"), {"date_from": "yesterday"})
    assert response.status_code == 400
    assert "date_from" in response.content.decode()


def test_csv_cells_that_would_run_as_spreadsheet_formulas_are_kept_as_text(
    client, auditor, initiative
):
    _event(initiative, None, reason='=HYPERLINK("http://evil.example","click")')
    client.force_login(auditor)
    row = _csv_rows(client.get(reverse("governance:audit_export")))[0]
    assert row["reason"] == '\'=HYPERLINK("http://evil.example","click")'


# ---------------------------------------------------------------------------------------------
# Chain verification
# ---------------------------------------------------------------------------------------------


def test_the_trail_page_does_not_walk_the_chain(client, auditor, initiative, monkeypatch):
    _event(initiative, None)

    def fail(events, anchors=()):
        raise AssertionError("the whole chain must be verified only when asked")

    monkeypatch.setattr("core.audit.verify_audit_chain", fail)
    client.force_login(auditor)
    response = client.get(reverse("governance:audit_trail"))
    assert "Not verified on this page load" in response.content.decode()
    assert "Verify chain now" in response.content.decode()


def test_verify_chain_now_reports_an_intact_chain(client, auditor, initiative, product_owner):
    for _ in range(4):
        _event(initiative, product_owner)
    client.force_login(auditor)
    response = client.post(reverse("governance:audit_verify"))
    assert response.status_code == 200
    assert "Intact</strong>: all 4 events verified" in response.content.decode()


def test_verify_chain_now_reports_the_first_edited_event(
    client, auditor, initiative, product_owner
):
    events = [_event(initiative, product_owner) for _ in range(5)]
    _tamper("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["rewritten", events[2].pk])
    client.force_login(auditor)
    response = client.post(reverse("governance:audit_verify"))
    html = response.content.decode()
    assert f"Broken at event #{events[2].sequence}</strong>: its content does not match" in html
    # The page below marks the same row, without walking the chain.
    assert "does not match its hash" in html


def test_verify_chain_now_counts_the_checkpoints_the_trail_still_reaches(
    client, auditor, initiative, product_owner
):
    _event(initiative, product_owner)
    record_audit_checkpoint(actor=None, target=initiative, reason="board pack")
    _event(initiative, product_owner)
    client.force_login(auditor)
    html = client.post(reverse("governance:audit_verify")).content.decode()
    assert (
        "Intact</strong>: all 2 events verified, each linked to the one before and matching its "
        "hash, and the trail still reaches 1 checkpoint with the hash recorded there." in html
    )


def test_verify_chain_now_reports_a_removed_tail_that_a_checkpoint_remembers(
    client, auditor, initiative, product_owner
):
    events = [_event(initiative, product_owner) for _ in range(3)]
    record_audit_checkpoint(actor=None, target=initiative, reason="board pack")
    last = events[-1].sequence
    _tamper("DELETE FROM core_auditevent WHERE sequence = %s", [last])
    # ... and the head moved back, so the head alone would not tell.
    _tamper(
        "UPDATE core_auditchainhead SET last_sequence = %s, last_hash = %s",
        [events[-2].sequence, events[-2].hash],
    )
    client.force_login(auditor)
    html = client.post(reverse("governance:audit_verify")).content.decode()
    assert f"Broken at event #{last}</strong>: event #{last} is missing: the checkpoint of" in html
    assert f"(board pack) recorded {last} events, the trail ends at #{last - 1}." in html
    assert f"Events before #{last} link up" in html


def test_verify_chain_now_reports_a_deleted_event(client, auditor, initiative, product_owner):
    events = [_event(initiative, product_owner) for _ in range(4)]
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    client.force_login(auditor)
    html = client.post(reverse("governance:audit_verify")).content.decode()
    assert (
        f"Broken at event #{events[1].sequence}</strong>: event #{events[1].sequence} is missing"
        in html
    )


def test_verify_with_htmx_swaps_only_the_chain_status_box(client, auditor, initiative):
    _event(initiative, None)
    client.force_login(auditor)
    response = client.post(
        reverse("governance:audit_verify"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="chain-status"
    )
    html = response.content.decode().strip()
    assert html.startswith('<section id="chain-status"')
    assert "Intact" in html
    assert "audit-results" not in html


def test_verify_needs_the_csrf_token(auditor, initiative):
    _event(initiative, None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)
    assert client.post(reverse("governance:audit_verify")).status_code == 403
    page = client.get(reverse("governance:audit_trail"))
    token = page.cookies["csrftoken"].value
    response = client.post(reverse("governance:audit_verify"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 200


def test_the_initiative_trail_flags_an_edited_event_without_verifying_the_chain(
    client, product_owner, initiative, monkeypatch
):
    event = _event(initiative, product_owner)
    _tamper("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["rewritten", event.pk])
    monkeypatch.setattr(
        "core.audit.verify_audit_chain",
        lambda events, anchors=(): pytest.fail("must not walk the chain"),
    )
    client.force_login(product_owner)
    html = client.get(
        reverse("governance:initiative_audit_trail", args=[initiative.pk])
    ).content.decode()
    assert "1 event on this page does not match its hash" in html


def test_a_real_stage_change_appears_in_the_initiative_trail(client, governance_admin, initiative):
    initiative.delivery_owner = UserFactory(username="delivery", roles=[Role.PRODUCT_OWNER])
    initiative.save()
    initiative_set_stage(
        initiative=initiative, actor=governance_admin, to_stage=Stage.PILOT, reason="Seeded"
    )
    client.force_login(governance_admin)
    html = client.get(
        reverse("governance:initiative_audit_trail", args=[initiative.pk])
    ).content.decode()
    assert "Stage changed" in html
    assert "Exploration → Pilot" in html
    assert "Seeded" in html


# ---------------------------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------------------------

# Session, user, roles, the actor choices, the count, one page of events with their actors,
# the titles of the page's initiatives (not every initiative: the filter is a type-ahead), and
# the chain head.
TRAIL_QUERY_BUDGET = 8
# Session, user, roles, the initiative, the actor choices, the count, one page of events.
INITIATIVE_TRAIL_QUERY_BUDGET = 7


def _portfolio_with_events(size: int):
    actors = [UserFactory(username=f"actor{n}", roles=[Role.PRODUCT_OWNER]) for n in range(4)]
    initiatives = []
    for n in range(size):
        initiative = InitiativeFactory(title=f"Initiative {n:04d}", business_owner=actors[n % 4])
        for k in range(2):
            _event(initiative, actors[(n + k) % 4] if k else None)
        initiatives.append(initiative)
    return initiatives


@pytest.mark.parametrize("size", [5, 200])
def test_the_trail_query_count_is_constant(client, auditor, django_assert_max_num_queries, size):
    _portfolio_with_events(size)
    client.force_login(auditor)
    with django_assert_max_num_queries(TRAIL_QUERY_BUDGET):
        response = client.get(reverse("governance:audit_trail"))
    assert len(response.context["rows"]) == min(2 * size, PAGE_SIZE)
    with django_assert_max_num_queries(TRAIL_QUERY_BUDGET):
        client.get(
            reverse("governance:audit_trail"),
            {"action": "initiative.", "date_from": "2020-01-01"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="audit-results",
        )


@pytest.mark.parametrize("size", [5, 200])
def test_the_initiative_trail_query_count_is_constant(
    client, auditor, django_assert_max_num_queries, size
):
    initiatives = _portfolio_with_events(size)
    target = initiatives[-1]
    for _ in range(60):
        _event(target, auditor)
    client.force_login(auditor)
    with django_assert_max_num_queries(INITIATIVE_TRAIL_QUERY_BUDGET):
        response = client.get(reverse("governance:initiative_audit_trail", args=[target.pk]))
    assert len(response.context["rows"]) == PAGE_SIZE


def test_the_chain_head_is_shown_without_verifying(client, auditor, initiative):
    event = _event(initiative, None)
    client.force_login(auditor)
    html = client.get(reverse("governance:audit_trail")).content.decode()
    assert f"the newest is #{event.sequence}" in html
    assert event.hash[:12] in html
