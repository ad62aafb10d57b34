"""Simultaneous decisions, votes and returns of an iterate on PostgreSQL: row locks make them
happen one at a time.

Each thread gets its own database connection (Django opens one per thread) and closes it when
done. SQLite locks the whole file for every writer, so it cannot show a race: skipped there.
"""

# The fixtures imported from gate_service_support are requested by name, which ruff reads as
# redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core.audit import verify_audit_chain
from core.errors import ConflictError
from core.models import AuditEvent
from governance.gates.services.decisions import (
    gate_request_decide,
    gate_request_name_acting_chair,
    gate_request_return_iteration,
)
from governance.gates.services.policies import gate_policy_version_create
from governance.gates.services.requests import gate_request_create, vote_cast
from governance.gates.services.status import initiative_status_change
from governance.models import DecidedAs, GateRequest, GateRequestStatus, Seat, Vote
from governance.tasks import return_due_iterations
from portfolio.models import Initiative, Stage, StageTransition, Status
from tests.concurrency import run_at_once
from tests.factories import seated_council_member

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks and truly concurrent transactions (SQLite locks the "
        "whole file, so no race can happen); CI runs this file on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 6


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_simultaneous_go_decisions_advance_the_stage_exactly_once(
    pilot, product_owner, chair, legal
):
    request = gate_request_create(initiative=pilot, actor=product_owner)
    vote_cast(request=request, actor=chair, choice="approve")
    vote_cast(request=request, actor=legal, choice="approve")

    def decide(n: int) -> Callable[[], Any]:
        return lambda: gate_request_decide(
            request=request, actor=chair, decision="go", reason=f"Go from thread {n}"
        )

    results, errors = run_at_once([decide(n) for n in range(THREADS)])

    assert len(results) == 1, errors
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, ConflictError) for error in errors), errors
    assert all("already decided" in error.message for error in errors)
    pilot.refresh_from_db()
    request.refresh_from_db()
    assert pilot.stage == Stage.CONTROLLED_ROLLOUT
    assert request.status == GateRequestStatus.DECIDED
    assert StageTransition.objects.filter(initiative=pilot).count() == 1
    assert events("gate_request.decided") == 1
    assert events("initiative.stage_changed") == 1
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None


def test_simultaneous_decisions_of_different_kinds_apply_only_the_first(
    pilot, product_owner, chair, legal
):
    request = gate_request_create(initiative=pilot, actor=product_owner)
    vote_cast(request=request, actor=chair, choice="approve")
    vote_cast(request=request, actor=legal, choice="approve")
    decisions = ["go", "hold", "kill"] * 2

    results, errors = run_at_once(
        [
            lambda d=d: gate_request_decide(request=request, actor=chair, decision=d, reason=d)
            for d in decisions
        ]
    )

    assert len(results) == 1
    assert all(isinstance(error, ConflictError) for error in errors), errors
    (winner,) = results
    pilot.refresh_from_db()
    expected = {
        "go": (Stage.CONTROLLED_ROLLOUT, "active"),
        "hold": (Stage.PILOT, "paused"),
        "kill": (Stage.PILOT, "stopped"),
    }
    assert (pilot.stage, pilot.status) == expected[winner.decision]
    assert events("gate_request.decided") == 1


def test_simultaneous_status_changes_apply_only_the_first(pilot, chair):
    moves = [Status.PAUSED, Status.STOPPED] * 3

    results, errors = run_at_once(
        [
            lambda to=to: initiative_status_change(
                initiative=Initiative.objects.get(pk=pilot.pk),
                actor=chair,
                to_status=to,
                reason=f"To {to}",
            )
            for to in moves
        ]
    )

    assert len(results) == 1, errors
    assert all(isinstance(error, ConflictError) for error in errors), errors
    (winner,) = results
    pilot.refresh_from_db()
    assert pilot.status == winner.status
    (transition,) = StageTransition.objects.filter(initiative=pilot)
    assert (transition.from_status, transition.to_status) == ("active", winner.status)
    assert events("initiative.status_changed") == 1
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None


def test_simultaneous_votes_by_different_members_are_all_recorded_once(pilot, product_owner):
    request = gate_request_create(initiative=pilot, actor=product_owner)
    seats = [Seat.SECURITY, Seat.LEGAL, Seat.DATA, Seat.PRODUCT, Seat.EXECUTIVE, Seat.DATA]
    members = []
    for n, seat in enumerate(seats):
        member = seated_council_member(seat=seat, username=f"member{n}")
        members.append(member)

    results, errors = run_at_once(
        [
            lambda m=member: vote_cast(request=request, actor=m, choice="approve")
            for member in members
        ]
    )

    assert errors == []
    assert len(results) == len(members)
    votes = Vote.objects.filter(request=request)
    assert votes.count() == len(members)
    assert sorted(votes.values_list("voter__username", flat=True)) == sorted(
        m.username for m in members
    )
    assert events("vote.cast") == len(members)
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None


def test_one_member_voting_from_several_tabs_keeps_one_vote(pilot, product_owner, legal):
    request = gate_request_create(initiative=pilot, actor=product_owner)
    choices = ["approve", "abstain", "approve", "abstain"]

    results, errors = run_at_once(
        [lambda c=c: vote_cast(request=request, actor=legal, choice=c) for c in choices]
    )

    assert errors == []
    (vote,) = Vote.objects.filter(request=request)
    assert vote.voter == legal
    assert events("vote.cast") == 1
    # Repeating the same choice changes nothing but is still recorded as a vote.
    assert events("vote.cast") + events("vote.changed") == len(choices)


def test_votes_racing_a_decision_land_before_it_or_are_refused(pilot, product_owner, chair, legal):
    request = gate_request_create(initiative=pilot, actor=product_owner)
    vote_cast(request=request, actor=chair, choice="approve")
    vote_cast(request=request, actor=legal, choice="approve")
    late = []
    for n in range(THREADS - 1):
        member = seated_council_member(seat=Seat.DATA, username=f"late{n}")
        late.append(member)
    calls = [lambda: gate_request_decide(request=request, actor=chair, decision="go", reason="Go")]
    calls += [
        lambda m=m: vote_cast(request=request, actor=m, choice="reject", comment="Too early")
        for m in late
    ]

    results, errors = run_at_once(calls)

    request.refresh_from_db()
    pilot = Initiative.objects.get(pk=pilot.pk)
    recorded = Vote.objects.filter(request=request, voter__in=late).count()
    if request.status == GateRequestStatus.DECIDED:
        # The decision went through on the votes before it; later votes were refused.
        assert all(isinstance(error, ConflictError) for error in errors), errors
        assert recorded + len(errors) == len(late)
        assert pilot.stage == Stage.CONTROLLED_ROLLOUT
        assert StageTransition.objects.filter(initiative=pilot).count() == 1
    else:
        # Enough rejections came first to block "go": the decision was refused, not applied.
        (error,) = errors
        assert isinstance(error, ValidationError)
        assert recorded == len(late)
        assert pilot.stage == Stage.PILOT
        assert not StageTransition.objects.filter(initiative=pilot).exists()


def test_simultaneous_requests_for_one_initiative_file_one(pilot, product_owner, delivery_owner):
    owners = [product_owner, delivery_owner] * 3

    results, errors = run_at_once(
        [lambda o=o: gate_request_create(initiative=pilot, actor=o) for o in owners]
    )

    assert len(results) == 1
    assert len(errors) == len(owners) - 1
    assert all(isinstance(error, ValidationError) for error in errors), errors
    assert all("already pending" in error.message_dict["initiative"][0] for error in errors)
    assert events("gate_request.filed") == 1


def test_the_chair_and_the_acting_chair_deciding_at_once_record_one_decision(
    pilot, product_owner, chair, legal
):
    # The chair is not recused, only expected to be away: both may decide, and do at once.
    security = seated_council_member(seat=Seat.SECURITY, username="sam")
    acting = seated_council_member(seat=Seat.DATA, username="dana")
    request = gate_request_create(initiative=pilot, actor=product_owner)
    vote_cast(request=request, actor=legal, choice="approve")
    vote_cast(request=request, actor=security, choice="approve")
    gate_request_name_acting_chair(request=request, actor=chair, member=acting)
    deciders = [chair, acting] * (THREADS // 2)

    results, errors = run_at_once(
        [
            lambda who=who: gate_request_decide(
                request=request, actor=who, decision="go", reason=f"Go from {who.username}"
            )
            for who in deciders
        ]
    )

    assert len(results) == 1, errors
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, ConflictError) for error in errors), errors
    (winner,) = results
    expected_as = {chair.pk: DecidedAs.CHAIR, acting.pk: DecidedAs.ACTING_CHAIR}
    assert winner.decided_as == expected_as[winner.decided_by_id]
    pilot.refresh_from_db()
    assert pilot.stage == Stage.CONTROLLED_ROLLOUT
    assert StageTransition.objects.filter(initiative=pilot).count() == 1
    assert events("gate_request.decided") == 1
    assert events("initiative.stage_changed") == 1
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None


@pytest.fixture
def due_iterate(pilot, product_owner, chair, legal):
    """An iterate decided on `pilot`'s request, due back in a week; returns it and its day."""
    request = gate_request_create(initiative=pilot, actor=product_owner)
    vote_cast(request=request, actor=chair, choice="approve")
    vote_cast(request=request, actor=legal, choice="approve")
    due = timezone.localdate() + datetime.timedelta(days=7)
    gate_request_decide(
        request=request, actor=chair, decision="iterate", reason="Fix it.", iterate_due_on=due
    )
    return request, datetime.datetime.combine(due, datetime.time(8)).astimezone()


def test_simultaneous_returns_of_one_due_iterate_file_it_once(due_iterate):
    request, due = due_iterate

    with time_machine.travel(due):
        results, errors = run_at_once(
            [lambda: gate_request_return_iteration(request=request) for _ in range(THREADS)]
        )

    assert errors == []
    (back,) = [result for result in results if result is not None]
    assert back.returned_from_id == request.pk
    assert back.status == GateRequestStatus.PENDING
    assert GateRequest.objects.filter(returned_from=request).count() == 1
    assert events("gate_request.filed") == 2  # the request and its one return
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None


def test_beat_and_a_starting_worker_returning_iterates_at_once_file_each_once(due_iterate):
    # Beat's daily run and a worker's catch-up when it starts may overlap.
    request, due = due_iterate

    with time_machine.travel(due):
        results, errors = run_at_once([return_due_iterations, return_due_iterations])

    assert errors == []
    assert sorted(results) == [0, 1]
    assert GateRequest.objects.filter(returned_from=request).count() == 1


def test_simultaneous_policy_edits_of_one_version_save_exactly_one(gate_policies, governance_admin):
    current = gate_policies["pilot"]

    def edit(quorum: int) -> Callable[[], Any]:
        return lambda: gate_policy_version_create(
            policy=current.policy,
            actor=governance_admin,
            criteria=current.criteria,
            quorum=quorum,
            required_seats=current.required_seats,
            decider_roles=current.decider_roles,
            note=f"Quorum {quorum}",
            expected_version=current.number,
        )

    loaded = events("gate_policy.version_created")

    results, errors = run_at_once([edit(quorum) for quorum in range(3, 3 + THREADS)])

    assert len(results) == 1, errors
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, ConflictError) for error in errors), errors
    (saved,) = results
    assert all(error.current["number"] == saved.number for error in errors)
    assert list(current.policy.versions.values_list("number", flat=True)) == [2, 1]
    assert events("gate_policy.version_created") == loaded + 1
