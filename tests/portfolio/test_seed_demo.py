"""`manage.py seed_demo`: the demo portfolio, loaded through the services, safe to run twice.

The demo is seeded once for the module; what the command prints from an empty database is in
test_seed_commands.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEvent
from core.roles import Role
from portfolio.demo_data import (
    DEMO_AS_OF,
    DEMO_INITIATIVES,
    DEMO_PASSWORD,
    DEMO_USERS,
    STRONG,
    WEAK,
)
from portfolio.models import (
    BusinessUnit,
    Initiative,
    ProblemStatement,
    ProblemStatementVersion,
    Stage,
    StageTransition,
    Status,
    Vendor,
)
from portfolio.problem_statement_rules import check_problem_statement
from tests.seeding import seed_once_per_module


def _statement_versions(quality: str) -> list:
    return [
        pytest.param(version["fields"], id=f"{spec['title']} v{number}")
        for spec in DEMO_INITIATIVES
        for number, version in enumerate(spec["problem_statements"], start=1)
        if version["quality"] == quality
    ]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo portfolio, seeded once for this module (each test's changes are rolled back)."""
    yield from seed_once_per_module(
        django_db_blocker, lambda: call_command("seed_demo", quiet=True)
    )


def _counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "business units": BusinessUnit.objects.count(),
        "vendors": Vendor.objects.count(),
        "initiatives": Initiative.objects.count(),
        "problem statement versions": ProblemStatementVersion.objects.count(),
        "stage transitions": StageTransition.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_seed_creates_at_least_twelve_initiatives_all_active_in_exploration(
    seeded: None,
) -> None:
    # The stages, holds and kills of their stories are the council's: seed_history decides
    # them on gate requests (tests/governance/test_seed_history.py).
    assert Initiative.objects.count() >= 12
    assert set(Initiative.objects.values_list("stage", flat=True)) == {Stage.EXPLORATION}
    assert set(Initiative.objects.values_list("status", flat=True)) == {Status.ACTIVE}
    assert not StageTransition.objects.exists()


@pytest.mark.django_db
def test_seed_creates_every_initiative_in_the_demo_data(seeded: None) -> None:
    titles = set(Initiative.objects.values_list("title", flat=True))
    assert titles == {spec["title"] for spec in DEMO_INITIATIVES}


def test_demo_users_cover_every_role_once_per_username() -> None:
    assert {user["role"] for user in DEMO_USERS} == set(Role)
    usernames = [user["username"] for user in DEMO_USERS]
    assert len(usernames) == len(set(usernames))


@pytest.mark.django_db
@pytest.mark.parametrize("demo_user", DEMO_USERS, ids=lambda user: user["username"])
def test_each_demo_user_has_their_role_and_logs_in_with_the_demo_password(
    seeded: None, client, demo_user: dict[str, str]
) -> None:
    user = get_user_model().objects.get(username=demo_user["username"])
    assert list(user.groups.values_list("name", flat=True)) == [demo_user["role"]]
    assert user.get_full_name() == demo_user["name"]
    assert user.email == f"{demo_user['username']}@example.com"
    # Through the login form, as `make run` prints it (and past the login throttle).
    response = client.post(
        reverse("login"), {"username": demo_user["username"], "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:initiative_list")


@pytest.mark.django_db
def test_running_the_seed_twice_creates_nothing_more_and_changes_nothing(seeded: None) -> None:
    before = _counts()
    initiatives_before = list(
        Initiative.objects.values_list("pk", "version", "stage", "status", "updated_at")
    )

    call_command("seed_demo", quiet=True)

    assert _counts() == before
    assert (
        list(Initiative.objects.values_list("pk", "version", "stage", "status", "updated_at"))
        == initiatives_before
    )


@pytest.mark.django_db
def test_a_second_run_seeds_only_the_initiatives_that_are_missing(seeded: None) -> None:
    Initiative.objects.filter(title="Patient diagnosis support").delete()
    events_before = AuditEvent.objects.count()

    call_command("seed_demo", quiet=True)

    # Only the deleted initiative is seeded again: created, and its one statement.
    assert Initiative.objects.count() == len(DEMO_INITIATIVES)
    assert AuditEvent.objects.count() == events_before + 2


@pytest.mark.parametrize("fields", _statement_versions(STRONG))
def test_strong_demo_problem_statements_score_at_least_four(fields: dict) -> None:
    assert check_problem_statement(fields).clarity_score >= 4


@pytest.mark.parametrize("fields", _statement_versions(WEAK))
def test_weak_demo_problem_statements_score_at_most_two(fields: dict) -> None:
    assert check_problem_statement(fields).clarity_score <= 2


@pytest.mark.django_db
def test_seeded_statements_keep_every_version_with_its_score(seeded: None) -> None:
    assert DEMO_INITIATIVES
    for spec in DEMO_INITIATIVES:
        versions = ProblemStatementVersion.objects.filter(
            statement__initiative__title=spec["title"]
        ).order_by("number")
        expected = [
            check_problem_statement(version["fields"]).clarity_score
            for version in spec["problem_statements"]
        ]
        assert [version.clarity_score for version in versions] == expected, spec["title"]


@pytest.mark.django_db
def test_some_initiatives_improve_a_weak_first_statement_into_a_strong_second(
    seeded: None,
) -> None:
    improved = [
        statement
        for statement in ProblemStatement.objects.select_related("initiative")
        if statement.version >= 2
    ]
    assert len(improved) >= 2
    for statement in improved:
        versions = list(statement.versions.order_by("number"))
        assert versions[0].clarity_score <= 2, statement.initiative.title
        assert versions[-1].clarity_score >= 4, statement.initiative.title
        assert statement.clarity_score == versions[-1].clarity_score


@pytest.mark.django_db
def test_the_unowned_idea_has_no_owners_and_no_problem_statement(seeded: None) -> None:
    idea = Initiative.objects.get(title="Intercompany invoice matching at month-end")
    assert idea.stage == Stage.EXPLORATION
    assert idea.business_owner_id is None and idea.delivery_owner_id is None
    assert not ProblemStatement.objects.filter(initiative=idea).exists()


@pytest.mark.django_db
def test_seeded_dates_start_before_the_demo_date_and_reviews_follow_the_start(
    seeded: None,
) -> None:
    started = list(Initiative.objects.exclude(start_date=None))
    assert started
    for initiative in started:
        assert initiative.start_date < DEMO_AS_OF, initiative.title
        if initiative.next_review_date:
            assert initiative.next_review_date > initiative.start_date, initiative.title
    # Those the story keeps going (seed_history stops one and holds another).
    active = [spec for spec in DEMO_INITIATIVES if spec["status"] is None]
    assert active
    for spec in active:
        initiative = Initiative.objects.get(title=spec["title"])
        assert initiative.next_review_date is not None, initiative.title
