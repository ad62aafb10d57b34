"""`manage.py seed_readiness`: the demo's readiness results, told through the services, once.

Seeded once for the module; the command's output and preconditions are in test_seed_commands.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEvent
from portfolio.demo_data import DEMO_INITIATIVES
from portfolio.models import Initiative, Stage, Vendor
from readiness.models import Assessment, AssessmentStatus
from readiness.selectors import (
    assessment_history,
    heatmap_rows,
    initiatives_without_scorecard,
    vendors_with_results,
)
from tests.seeding import seed_demo_up_to_readiness, seed_once_per_module

SCORECARD = "readiness_scorecard"
PAST_PILOT = (Stage.CONTROLLED_ROLLOUT, Stage.SCALE, Stage.OPERATION)
# Where each story ends: the readiness results are seeded before the council walks the stages
# (seed_history), so they follow the story, not the stage the initiative is in yet.
STORY_STAGE = {
    spec["title"]: spec["stage_history"][-1][0] if spec["stage_history"] else Stage.EXPLORATION
    for spec in DEMO_INITIATIVES
}
PAST_EXPLORATION_IN_STORY = {
    title for title, stage in STORY_STAGE.items() if stage != Stage.EXPLORATION
}
PAST_PILOT_IN_STORY = {title for title, stage in STORY_STAGE.items() if stage in PAST_PILOT}


def _seed() -> None:
    seed_demo_up_to_readiness()
    call_command("seed_readiness", quiet=True)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Seeded once for this module; each test's changes are rolled back."""
    yield from seed_once_per_module(django_db_blocker, _seed)


def _scorecard(title: str) -> Assessment:
    return Assessment.objects.get(
        initiative__title=title, template__key=SCORECARD, status=AssessmentStatus.SUBMITTED
    )


def _counts() -> dict[str, int]:
    return {
        "assessments": Assessment.objects.count(),
        "submitted": Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).count(),
        "superseded": Assessment.objects.filter(status=AssessmentStatus.SUPERSEDED).count(),
        "drafts": Assessment.objects.filter(status=AssessmentStatus.DRAFT).count(),
        "audit events": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_every_initiative_past_exploration_has_a_current_scorecard_on_the_heatmap(
    seeded: None,
) -> None:
    on_heatmap = [row.initiative.title for row in heatmap_rows()]

    assert len(on_heatmap) >= 8
    assert set(on_heatmap) == PAST_EXPLORATION_IN_STORY
    assert not initiatives_without_scorecard().filter(title__in=PAST_EXPLORATION_IN_STORY).exists()


# title, total, band, ready to scale, blocking areas, areas at 1 needing review.
STORIES = (
    ("Loan application document extraction", 80, "strong", True, set(), set()),
    ("Customer triage and routing", 78, "strong", True, set(), set()),
    ("Sales call coaching", 61, "moderate", False, set(), {"adoption_readiness"}),
    (
        "Self-hosted AI code review",
        51,
        "weak",
        False,
        {"production_readiness"},
        {"delivery_capacity"},
    ),
    (
        "Operations knowledge assistant",
        60,
        "moderate",
        False,
        {"security_readiness", "ownership"},
        set(),
    ),
    ("Payment collections automation", 60, "moderate", False, set(), set()),
    ("Insight synthesis for CX", 72, "moderate", False, set(), set()),
    ("Renewal briefing for enterprise CSMs", 58, "moderate", False, set(), set()),
    (
        "Patient diagnosis support",
        34,
        "low",
        False,
        {
            "success_criteria",
            "security_readiness",
            "privacy_legal_readiness",
            "production_readiness",
        },
        {
            "privacy_legal_readiness",
            "model_risk",
            "technical_feasibility",
            "vendor_readiness",
            "production_readiness",
        },
    ),
    (
        "Resume screening for graduate hiring",
        52,
        "weak",
        False,
        {"privacy_legal_readiness"},
        {"privacy_legal_readiness"},
    ),
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "total", "band", "ready", "blocking", "review"), STORIES, ids=[s[0] for s in STORIES]
)
def test_each_current_scorecard_tells_its_story(
    seeded: None, title: str, total: int, band: str, ready: bool, blocking: set, review: set
) -> None:
    scorecard = _scorecard(title)

    assert (scorecard.total, scorecard.band, scorecard.ready_to_scale) == (total, band, ready)
    assert {item["item_id"] for item in scorecard.result["blocking_items"]} == blocking
    assert set(scorecard.result["items_needing_review"]) == review
    # Every score of 1 or 2 carries the comment the service requires, written for the story.
    low = {item for item, score in scorecard.answers.items() if score <= 2}
    assert low <= {item for item, text in scorecard.comments.items() if len(text) > 30}


@pytest.mark.django_db
def test_the_named_areas_have_the_scores_of_the_seed_stories(seeded: None) -> None:
    sales = _scorecard("Sales call coaching").answers
    code = _scorecard("Self-hosted AI code review").answers
    knowledge = _scorecard("Operations knowledge assistant").answers
    diagnosis = _scorecard("Patient diagnosis support").answers
    resume = _scorecard("Resume screening for graduate hiring").answers

    assert (sales["adoption_readiness"], sales["workflow_fit"]) == (1, 2)
    assert "24 of 200" in _scorecard("Sales call coaching").comments["adoption_readiness"]
    assert (
        code["technical_feasibility"],
        code["delivery_capacity"],
        code["production_readiness"],
    ) == (2, 1, 2)
    assert (knowledge["security_readiness"], knowledge["ownership"]) == (2, 2)
    assert (diagnosis["privacy_legal_readiness"], diagnosis["model_risk"]) == (1, 1)
    assert (resume["privacy_legal_readiness"], resume["model_risk"]) == (1, 2)
    assert Assessment.objects.exclude(evidence={}).filter(template__key=SCORECARD).count() >= 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "before", "after"),
    [
        ("Sales call coaching", 70, 61),
        ("Customer triage and routing", 64, 78),
        ("Operations knowledge assistant", 62, 60),
    ],
)
def test_some_initiatives_have_an_earlier_superseded_scorecard_for_history(
    seeded: None, client, title: str, before: int, after: int
) -> None:
    initiative = Initiative.objects.get(title=title)
    current = _scorecard(title)

    history = assessment_history(initiative=initiative, template=current.template)

    assert [(a.status, a.total) for a in history] == [
        (AssessmentStatus.SUBMITTED, after),
        (AssessmentStatus.SUPERSEDED, before),
    ]
    earlier = history[1]
    assert earlier.superseded_by_id == current.pk
    # Backdated to when it was scored (its stage), so the history chart has two real points.
    assert (current.submitted_at - earlier.submitted_at).days >= 7

    client.force_login(get_user_model().objects.get(username="otto"))
    page = client.get(
        reverse("readiness:assessment_history", args=[initiative.pk]),
        {"a": earlier.pk, "b": current.pk},
    )
    assert page.status_code == 200
    assert page.context["comparison"] is not None


@pytest.mark.django_db
def test_checklists_cover_the_initiatives_at_each_stage(seeded: None) -> None:
    def results(key: str) -> dict[str, Assessment]:
        return {
            a.initiative.title: a
            for a in Assessment.objects.filter(
                template__key=key, status=AssessmentStatus.SUBMITTED
            ).select_related("initiative")
        }

    before_poc = results("before_poc")
    rollout = results("rollout_governance")

    assert set(before_poc) == PAST_EXPLORATION_IN_STORY
    assert {title for title, a in before_poc.items() if not a.result["passed"]} == {
        "Patient diagnosis support",
        "Resume screening for graduate hiring",
    }
    assert set(rollout) == PAST_PILOT_IN_STORY
    assert {title for title, a in rollout.items() if a.result["passed"]} == {
        "Loan application document extraction",
        "Customer triage and routing",
        "Insight synthesis for CX",
    }
    sales = rollout["Sales call coaching"]
    assert sorted(i for i, v in sales.answers.items() if v == "not_ready") == [
        "security_review",
        "support_model",
        "workflow_fit",
    ]


@pytest.mark.django_db
def test_every_demo_vendor_has_a_current_evaluation_by_the_security_chair(
    seeded: None, client
) -> None:
    vendors = list(vendors_with_results())

    assert vendors and len(vendors) == Vendor.objects.count()
    for vendor in vendors:
        (evaluation,) = vendor.current_evaluations
        assert Assessment.objects.get(pk=evaluation.pk).submitted_by.username == "chris"
        assert evaluation.result["passed"] is False  # every vendor has an open area

    client.force_login(get_user_model().objects.get(username="eva"))
    assert client.get(reverse("readiness:vendor_list")).status_code == 200
    hirerank = Vendor.objects.get(name="HireRank")
    page = client.get(reverse("readiness:vendor_detail", args=[hirerank.pk]))
    assert page.status_code == 200


@pytest.mark.django_db
def test_one_open_draft_is_left_half_filled_on_payment_collections(seeded: None) -> None:
    (draft,) = Assessment.objects.filter(status=AssessmentStatus.DRAFT)

    assert draft.initiative.title == "Payment collections automation"
    assert draft.template.key == SCORECARD
    assert draft.updated_by.username == "priya"
    assert 0 < len(draft.answers) < len(draft.template_version.parsed.item_ids)


@pytest.mark.django_db
def test_everything_went_through_the_services_with_its_audit_event(seeded: None) -> None:
    scored = Assessment.objects.exclude(status=AssessmentStatus.DRAFT)
    submitted_events = AuditEvent.objects.filter(action="assessment.submitted")
    superseded_events = AuditEvent.objects.filter(action="assessment.superseded")

    assert submitted_events.count() == scored.count()
    assert superseded_events.count() == 3
    assert AuditEvent.objects.filter(action="assessment.draft_created").count() == (
        Assessment.objects.count()
    )


@pytest.mark.django_db
def test_running_it_twice_changes_no_counts(seeded: None) -> None:
    before = _counts()
    rows = list(Assessment.objects.values_list("pk", "status", "revision", "submitted_at"))

    call_command("seed_readiness", quiet=True)

    assert _counts() == before
    assert list(Assessment.objects.values_list("pk", "status", "revision", "submitted_at")) == rows


@pytest.mark.django_db
def test_a_rerun_fills_in_only_what_is_missing(seeded: None) -> None:
    Assessment.objects.filter(initiative__title="Renewal briefing for enterprise CSMs").delete()
    Assessment.objects.filter(vendor__name="HireRank").delete()
    before = Assessment.objects.count()

    out = StringIO()
    call_command("seed_readiness", stdout=out)

    assert Assessment.objects.count() == before + 3  # scorecard, before-POC, vendor evaluation
    assert out.getvalue().startswith("Readiness: 1 scorecards submitted")
