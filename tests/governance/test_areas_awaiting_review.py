"""The review queue's "Areas scored 1 awaiting review": which areas, in which order, and that a
long list costs the same three queries as a short one (the database finds and counts the areas;
only the shown ones' assessments are read).

Scorecards are submitted through the services, reviews recorded through the service.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from governance.gates.selectors import areas_awaiting_review
from governance.gates.services import item_review_record
from portfolio.models import Initiative, Status
from tests.factories import InitiativeFactory
from tests.governance.gate_service_support import item_ids, scorecard_answers, submit

pytestmark = pytest.mark.django_db

# The areas' order on the scorecard differs from their names' (and PostgreSQL's key) order.
VALUE, OWNERSHIP, WORKFLOW, ADOPTION, VENDOR = (
    "value_case",
    "ownership",
    "workflow_fit",
    "adoption_readiness",
    "vendor_readiness",
)
# Assessments, the shown ones' template versions, and the areas found and counted.
QUERIES = 3


def scorecard(templates, owner, title: str, *, at: datetime.datetime, status=Status.ACTIVE, **ones):
    initiative = InitiativeFactory(title=title, business_owner=owner, created_by=owner)
    with time_machine.travel(at, tick=False):
        assessment = submit(
            initiative,
            owner,
            "readiness_scorecard",
            scorecard_answers(templates, 4, **dict.fromkeys(ones, 1)),
        )
    if status != Status.ACTIVE:
        Initiative.objects.filter(pk=initiative.pk).update(status=status)
    return assessment


@pytest.fixture
def portfolio(templates, product_owner, legal):
    """Beta (oldest, three areas at 1, one reviewed), Alpha (two areas at 1, filed later but
    submitted between), Gamma (paused), Delta (its scorecard at 1 superseded by a clean one),
    and a rollout checklist answered "not ready" (not a 1-5 assessment)."""
    now = timezone.now()
    beta = scorecard(
        templates,
        product_owner,
        "Beta",
        at=now - datetime.timedelta(days=30),
        **dict.fromkeys((WORKFLOW, ADOPTION, VENDOR), 1),
    )
    alpha = scorecard(
        templates,
        product_owner,
        "Alpha",
        at=now - datetime.timedelta(days=20),
        **dict.fromkeys((OWNERSHIP, VALUE), 1),
    )
    scorecard(
        templates,
        product_owner,
        "Gamma",
        at=now - datetime.timedelta(days=40),
        status=Status.PAUSED,
        **{VENDOR: 1},
    )
    delta = scorecard(
        templates, product_owner, "Delta", at=now - datetime.timedelta(days=50), **{VENDOR: 1}
    )
    submit(delta.initiative, product_owner, "readiness_scorecard", scorecard_answers(templates, 4))
    submit(
        alpha.initiative,
        product_owner,
        "rollout_governance",
        dict.fromkeys(item_ids(templates, "rollout_governance"), "not_ready"),
    )
    item_review_record(
        assessment=beta, item_id=ADOPTION, actor=legal, outcome="accepted", note="Reviewed."
    )
    return {"alpha": alpha, "beta": beta}


def shown(areas) -> list[tuple[str, str]]:
    return [(area.assessment.initiative.title, area.item_id) for area in areas.shown]


def test_unreviewed_areas_of_current_scorecards_oldest_submission_first_in_scorecard_order(
    portfolio, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        areas = areas_awaiting_review(limit=50)

    assert shown(areas) == [
        ("Beta", WORKFLOW),
        ("Beta", VENDOR),
        ("Alpha", VALUE),
        ("Alpha", OWNERSHIP),
    ]
    assert areas.count == 4
    titles = [area.item_title for area in areas.shown]
    assert titles[:2] == ["User workflow fit", "Vendor readiness"]


@pytest.mark.parametrize(
    ("limit", "first"),
    [
        (1, [("Beta", WORKFLOW)]),
        (3, [("Beta", WORKFLOW), ("Beta", VENDOR), ("Alpha", VALUE)]),
    ],
)
def test_only_the_first_areas_are_shown_but_all_are_counted(
    portfolio, django_assert_num_queries, limit, first
):
    with django_assert_num_queries(QUERIES):
        areas = areas_awaiting_review(limit=limit)

    assert shown(areas) == first
    assert areas.count == 4


def test_a_reviewed_area_leaves_the_list(portfolio, legal):
    for item_id in (WORKFLOW, VENDOR):
        item_review_record(
            assessment=portfolio["beta"],
            item_id=item_id,
            actor=legal,
            outcome="not_accepted",
            note="Not yet.",
        )

    areas = areas_awaiting_review(limit=50)

    assert shown(areas) == [("Alpha", VALUE), ("Alpha", OWNERSHIP)]
    assert areas.count == 2


def test_nothing_awaiting_review_costs_one_query(
    templates, product_owner, django_assert_num_queries
):
    scorecard(templates, product_owner, "Clean", at=timezone.now())

    with django_assert_num_queries(1):
        areas = areas_awaiting_review(limit=50)

    assert areas.shown == []
    assert areas.count == 0
