"""Simultaneous saves of one version on PostgreSQL: the row lock lets exactly one win.

SQLite locks the whole file for every writer, so no race can happen there: skipped (CI runs
this file on PostgreSQL).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from core.errors import ConflictError
from core.models import AuditEvent
from core.roles import Role
from portfolio.models import Initiative, Kpi, ProblemStatementVersion
from portfolio.services import initiative_update, problem_statement_save
from portfolio.value.services import kpi_set
from tests.concurrency import run_at_once
from tests.factories import STRONG_STATEMENT, InitiativeFactory, UserFactory
from tests.portfolio.support import TRIAGE_KPI

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks and truly concurrent transactions (SQLite locks the "
        "whole file, so no race can happen); CI runs this file on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def owned():
    owner = UserFactory(username="po", roles=[Role.PRODUCT_OWNER])
    return InitiativeFactory(business_owner=owner, created_by=owner), owner


def test_simultaneous_edits_of_one_initiative_version_let_exactly_one_win(owned):
    initiative, owner = owned
    titles = [f"Title from tab {n}" for n in range(4)]

    results, errors = run_at_once(
        [
            lambda t=t: initiative_update(
                initiative=Initiative(pk=initiative.pk),
                actor=owner,
                data={"title": t},
                expected_version=1,
            )
            for t in titles
        ]
    )

    assert len(results) == 1, errors
    assert all(isinstance(error, ConflictError) for error in errors), errors
    (winner,) = results
    # Each loser was shown the winner's values.
    assert {error.current["title"] for error in errors} == {winner.title}
    saved = Initiative.objects.get(pk=initiative.pk)
    assert (saved.title, saved.version) == (winner.title, 2)
    assert AuditEvent.objects.filter(action="initiative.updated").count() == 1


def test_simultaneous_saves_of_one_problem_statement_version_keep_one_new_version(owned):
    initiative, owner = owned
    problem_statement_save(
        initiative=initiative, actor=owner, data=STRONG_STATEMENT, expected_version=0
    )
    targets = [f"{minutes} minutes per renewal" for minutes in (5, 10, 20, 25)]

    results, errors = run_at_once(
        [
            lambda t=t: problem_statement_save(
                initiative=Initiative(pk=initiative.pk),
                actor=owner,
                data={**STRONG_STATEMENT, "target": t},
                expected_version=1,
            )
            for t in targets
        ]
    )

    assert len(results) == 1, errors
    assert all(isinstance(error, ConflictError) for error in errors), errors
    assert [v.number for v in ProblemStatementVersion.objects.order_by("number")] == [1, 2]
    assert AuditEvent.objects.filter(action="problem_statement.updated").count() == 1


def test_simultaneous_kpi_edits_of_one_version_let_exactly_one_win(owned):
    initiative, owner = owned
    kpi_set(initiative=initiative, actor=owner, data=TRIAGE_KPI, expected_version=0)

    results, errors = run_at_once(
        [
            lambda target=target: kpi_set(
                initiative=Initiative(pk=initiative.pk),
                actor=owner,
                data={"target": Decimal(target)},
                expected_version=1,
            )
            for target in ("5", "6", "7", "8")
        ]
    )

    assert len(results) == 1, errors
    assert all(isinstance(error, ConflictError) for error in errors), errors
    assert Kpi.objects.get(initiative=initiative).version == 2
    assert AuditEvent.objects.filter(action="kpi.updated").count() == 1
