"""The readiness services: drafts, saves, submission, supersession, permissions and audit."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from core.errors import ConflictError
from core.models import AuditEvent
from core.roles import Role
from readiness.models import Assessment, AssessmentStatus
from readiness.permissions import (
    INITIATIVE_ASSESSMENT_DENIED_MESSAGE,
    VENDOR_ASSESSMENT_DENIED_MESSAGE,
)
from readiness.rules import evaluate
from readiness.services import (
    assessment_create_draft,
    assessment_evaluate,
    assessment_save,
    assessment_submit,
)
from tests.factories import (
    SCORECARD,
    InitiativeFactory,
    UserFactory,
    VendorFactory,
    scores,
    submitted_scorecard,
)
from tests.roles import SIGNED_IN

pytestmark = pytest.mark.django_db

VENDOR_EVALUATION = "vendor_evaluation"
FEATURE_CHECK = "ai_feature_readiness"
INITIATIVE_EDITORS = {"owner", "governance_admin"}
VENDOR_EDITORS = {"council_member", "governance_admin"}


@pytest.fixture
def vendor(db):
    return VendorFactory(name="Acme Models")


@pytest.fixture
def draft(templates_loaded, initiative, product_owner):
    return assessment_create_draft(
        template_key=SCORECARD, actor=product_owner, initiative=initiative
    )


def _save(assessment, actor, **inputs):
    return assessment_save(
        assessment=assessment, actor=actor, expected_revision=assessment.revision, **inputs
    )


def _complete(draft, actor, default=4, **overrides):
    """Answer every item of the draft's template; comment the low scores."""
    answers = scores(draft.template_version, default, **overrides)
    comments = {item: "Gap owned by the delivery lead" for item, s in answers.items() if s <= 2}
    return _save(draft, actor, answers=answers, comments=comments)


def _codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {key: [e.code for e in errors] for key, errors in error.error_dict.items()}


# ---------------------------------------------------------------------------------------------
# Drafts
# ---------------------------------------------------------------------------------------------


def test_a_draft_starts_empty_on_the_latest_version(draft, scorecard_version, product_owner):
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.template_version == scorecard_version
    assert draft.template.key == SCORECARD
    assert (draft.answers, draft.evidence, draft.comments) == ({}, {}, {})
    assert draft.revision == 1
    assert draft.created_by == product_owner
    assert draft.total is None and draft.band == "" and draft.result == {}


def test_a_vendor_evaluation_is_about_a_vendor(templates_loaded, vendor, council_member):
    draft = assessment_create_draft(
        template_key=VENDOR_EVALUATION, actor=council_member, vendor=vendor
    )
    assert draft.vendor == vendor
    assert draft.initiative is None
    assert draft.template_version == templates_loaded[VENDOR_EVALUATION]


def test_a_vendor_template_cannot_assess_an_initiative(
    templates_loaded, initiative, governance_admin
):
    with pytest.raises(ValidationError) as caught:
        assessment_create_draft(
            template_key=VENDOR_EVALUATION, actor=governance_admin, initiative=initiative
        )
    assert "applies to vendors" in caught.value.message_dict["template"][0]
    assert not Assessment.objects.exists()


def test_an_initiative_template_cannot_assess_a_vendor(templates_loaded, vendor, governance_admin):
    with pytest.raises(ValidationError) as caught:
        assessment_create_draft(template_key=SCORECARD, actor=governance_admin, vendor=vendor)
    assert "applies to initiatives" in caught.value.message_dict["template"][0]


@pytest.mark.parametrize("subjects", ["neither", "both"])
def test_a_draft_is_about_exactly_one_subject(
    templates_loaded, initiative, vendor, governance_admin, subjects
):
    kwargs = {"initiative": initiative, "vendor": vendor} if subjects == "both" else {}
    with pytest.raises(ValidationError, match="exactly one initiative or one vendor"):
        assessment_create_draft(template_key=SCORECARD, actor=governance_admin, **kwargs)


def test_an_unknown_template_is_named(templates_loaded, initiative, product_owner):
    with pytest.raises(ValidationError) as caught:
        assessment_create_draft(template_key="nope", actor=product_owner, initiative=initiative)
    assert caught.value.message_dict == {"template": ["No template “nope” is loaded."]}


@pytest.mark.parametrize("role", SIGNED_IN)
def test_only_owners_and_admins_start_initiative_assessments(
    templates_loaded, initiative, users_by_role, role
):
    actor = users_by_role[role]
    if role in INITIATIVE_EDITORS:
        assessment_create_draft(template_key=SCORECARD, actor=actor, initiative=initiative)
        assert Assessment.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            assessment_create_draft(template_key=SCORECARD, actor=actor, initiative=initiative)
        assert not Assessment.objects.exists()


def test_the_delivery_owner_may_assess_too(templates_loaded, initiative, other_product_owner):
    initiative.delivery_owner = other_product_owner
    initiative.save()
    draft = assessment_create_draft(
        template_key=SCORECARD, actor=other_product_owner, initiative=initiative
    )
    draft = _complete(draft, other_product_owner)
    assert assessment_submit(assessment=draft, actor=other_product_owner).status == "submitted"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_only_council_members_and_admins_evaluate_vendors(
    templates_loaded, vendor, users_by_role, role
):
    actor = users_by_role[role]
    if role in VENDOR_EDITORS:
        assessment_create_draft(template_key=VENDOR_EVALUATION, actor=actor, vendor=vendor)
        assert Assessment.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            assessment_create_draft(template_key=VENDOR_EVALUATION, actor=actor, vendor=vendor)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_only_owners_and_admins_save_and_submit_an_initiative_draft(draft, users_by_role, role):
    actor = users_by_role[role]
    answers = scores(draft.template_version, 4)
    if role in INITIATIVE_EDITORS:
        saved = assessment_save(assessment=draft, actor=actor, expected_revision=1, answers=answers)
        assert assessment_submit(assessment=saved, actor=actor).status == "submitted"
        return
    with pytest.raises(PermissionDenied):
        assessment_save(assessment=draft, actor=actor, expected_revision=1, answers=answers)
    with pytest.raises(PermissionDenied):
        assessment_submit(assessment=draft, actor=actor)
    draft.refresh_from_db()
    assert draft.answers == {} and draft.status == "draft"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_only_council_members_and_admins_save_a_vendor_draft(
    templates_loaded, vendor, governance_admin, users_by_role, role
):
    draft = assessment_create_draft(
        template_key=VENDOR_EVALUATION, actor=governance_admin, vendor=vendor
    )
    actor = users_by_role[role]
    answers = {"use_case_fit": "ready"}
    if role in VENDOR_EDITORS:
        assert _save(draft, actor, answers=answers).answers == answers
    else:
        with pytest.raises(PermissionDenied):
            _save(draft, actor, answers=answers)


@pytest.mark.parametrize("change", ["start", "save", "submit"])
@pytest.mark.parametrize(
    ("subject", "refused_role", "message"),
    [
        ("initiative", "executive", INITIATIVE_ASSESSMENT_DENIED_MESSAGE),
        ("vendor", "owner", VENDOR_ASSESSMENT_DENIED_MESSAGE),
    ],
    ids=["initiative", "vendor"],
)
def test_a_refused_assessment_change_names_who_may_make_it(
    templates_loaded, initiative, vendor, users_by_role, subject, refused_role, message, change
):
    admin, actor = users_by_role["governance_admin"], users_by_role[refused_role]
    of = {"initiative": initiative} if subject == "initiative" else {"vendor": vendor}
    key = SCORECARD if subject == "initiative" else VENDOR_EVALUATION
    assessment = assessment_create_draft(template_key=key, actor=admin, **of)
    with pytest.raises(PermissionDenied) as refused:
        if change == "start":
            assessment_create_draft(template_key=key, actor=actor, **of)
        elif change == "save":
            _save(assessment, actor, answers={})
        else:
            assessment_submit(assessment=assessment, actor=actor)
    assert str(refused.value) == message


# ---------------------------------------------------------------------------------------------
# Saving a draft
# ---------------------------------------------------------------------------------------------


def test_saving_merges_into_the_draft_and_bumps_the_revision(draft, product_owner):
    draft = _save(draft, product_owner, answers={"ownership": 4, "value_case": 3})
    assert draft.revision == 2
    draft = _save(
        draft,
        product_owner,
        answers={"value_case": 5},
        evidence={"ownership": "  Named owners in the charter  "},
        comments={"value_case": "Quantified in the business case"},
    )
    assert draft.revision == 3
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.answers == {"ownership": 4, "value_case": 5}
    assert stored.evidence == {"ownership": "Named owners in the charter"}
    assert stored.comments == {"value_case": "Quantified in the business case"}
    assert stored.updated_by == product_owner


def test_a_save_that_changes_nothing_keeps_the_revision_and_writes_no_event(draft, product_owner):
    draft = _save(draft, product_owner, answers={"ownership": 4})
    events = AuditEvent.objects.count()
    again = _save(draft, product_owner, answers={"ownership": 4})
    assert again.revision == 2
    assert AuditEvent.objects.count() == events


def test_none_clears_an_answer_and_blank_clears_a_text(draft, product_owner):
    draft = _save(
        draft,
        product_owner,
        answers={"ownership": 2, "value_case": 3},
        evidence={"ownership": "Charter"},
        comments={"ownership": "No delivery owner yet"},
    )
    draft = _save(
        draft,
        product_owner,
        answers={"ownership": None},
        evidence={"ownership": ""},
        comments={"ownership": None},
    )
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.answers == {"value_case": 3}
    assert stored.evidence == {} and stored.comments == {}
    assert stored.revision == 3


def test_a_stale_save_is_a_conflict_carrying_the_other_persons_draft_and_saves_nothing(
    draft, product_owner, governance_admin
):
    opened_at = draft.revision
    _save(draft, governance_admin, answers={"ownership": 5}, comments={"ownership": "Mine"})
    events = AuditEvent.objects.count()
    with pytest.raises(ConflictError) as caught:
        assessment_save(
            assessment=draft,
            actor=product_owner,
            expected_revision=opened_at,
            answers={"ownership": 2, "value_case": 4},
        )
    current = caught.value.current
    assert current["answers"] == {"ownership": 5}
    assert current["comments"] == {"ownership": "Mine"}
    assert current["revision"] == 2
    assert current["updated_by"] == str(governance_admin)
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.answers == {"ownership": 5}
    assert stored.revision == 2
    assert AuditEvent.objects.count() == events


def test_a_save_without_an_expected_revision_is_not_checked(draft, product_owner):
    _save(draft, product_owner, answers={"ownership": 5})
    saved = assessment_save(
        assessment=draft, actor=product_owner, expected_revision=None, answers={"value_case": 3}
    )
    assert saved.answers == {"ownership": 5, "value_case": 3}


@pytest.mark.parametrize(
    ("item", "value", "reason"),
    [
        ("ownership", 6, "score must be between 1 and 5, got 6"),
        ("ownership", 0, "score must be between 1 and 5, got 0"),
        ("ownership", -1, "score must be between 1 and 5, got -1"),
        ("ownership", "5", "score must be a whole number 1–5, got '5'"),
        ("ownership", 4.5, "score must be a whole number 1–5, got 4.5"),
        ("ownership", True, "score must be a whole number 1–5, got True"),
        ("ownership", [3], "score must be a whole number 1–5, got [3]"),
        ("colour", 3, "not an item of template readiness_scorecard"),
    ],
)
def test_an_invalid_answer_names_the_item_and_why_and_saves_nothing(
    draft, product_owner, item, value, reason
):
    with pytest.raises(ValidationError) as caught:
        _save(draft, product_owner, answers={"value_case": 4, item: value})
    assert caught.value.message_dict == {item: [reason]}
    assert _codes(caught.value) == {item: ["invalid_answer"]}
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.answers == {} and stored.revision == 1


def test_every_invalid_answer_is_reported_at_once(draft, product_owner):
    with pytest.raises(ValidationError) as caught:
        _save(draft, product_owner, answers={"ownership": 9, "value_case": "high", "x": 1})
    assert set(caught.value.message_dict) == {"ownership", "value_case", "x"}


def test_a_checklist_takes_its_own_answer_words(templates_loaded, initiative, product_owner):
    draft = assessment_create_draft(
        template_key=FEATURE_CHECK, actor=product_owner, initiative=initiative
    )
    first = draft.template_version.parsed.item_ids[0]
    with pytest.raises(ValidationError) as caught:
        _save(draft, product_owner, answers={first: "maybe"})
    assert caught.value.message_dict == {first: ['answer must be "yes" or "no", got \'maybe\'']}
    draft = _save(draft, product_owner, answers={first: "yes"})
    assert draft.answers == {first: "yes"}
    with pytest.raises(ValidationError):
        _save(draft, product_owner, answers={first: 4})


@pytest.mark.parametrize(
    ("inputs", "item", "reason", "code"),
    [
        ({"evidence": {"ownership": 5}}, "ownership", "evidence must be text", "invalid_evidence"),
        (
            {"evidence": {"colour": "blue"}},
            "colour",
            "not an item of template readiness_scorecard",
            "invalid_evidence",
        ),
        (
            {"comments": {"ownership": "x" * 4001}},
            "ownership",
            "comment is longer than 4000 characters",
            "invalid_comment",
        ),
        (
            {"comments": {"ownership": ["a"]}},
            "ownership",
            "comment must be text",
            "invalid_comment",
        ),
    ],
)
def test_invalid_evidence_and_comments_name_the_item(
    draft, product_owner, inputs, item, reason, code
):
    with pytest.raises(ValidationError) as caught:
        _save(draft, product_owner, answers={"ownership": 3}, **inputs)
    assert caught.value.message_dict == {item: [reason]}
    assert _codes(caught.value) == {item: [code]}
    assert Assessment.objects.get(pk=draft.pk).revision == 1


def test_the_live_result_follows_the_saved_answers(draft, product_owner):
    assert assessment_evaluate(draft).complete is False
    draft = _complete(draft, product_owner, default=5, ownership=2)
    result = assessment_evaluate(draft)
    assert result.complete and result.total == 87
    assert result.band.id == "strong"
    assert [b.item_id for b in result.blocking_items] == ["ownership"]
    assert result.ready_to_scale is False


# ---------------------------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------------------------


def test_an_incomplete_draft_cannot_be_submitted_and_each_missing_item_is_named(
    draft, product_owner
):
    draft = _save(draft, product_owner, answers={"ownership": 4, "value_case": 4})
    with pytest.raises(ValidationError) as caught:
        assessment_submit(assessment=draft, actor=product_owner)
    problems = caught.value.message_dict
    assert len(problems) == 16
    assert "ownership" not in problems
    assert problems["problem_clarity"] == ["Answer this item before submitting."]
    assert set(_codes(caught.value)["problem_clarity"]) == {"missing_answer"}
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_score_needs_a_comment_before_submission(draft, product_owner, score):
    draft = _save(draft, product_owner, answers=scores(draft.template_version, 4, ownership=score))
    with pytest.raises(ValidationError) as caught:
        assessment_submit(assessment=draft, actor=product_owner)
    assert caught.value.message_dict == {
        "ownership": [
            f"A score of {score} needs a comment saying what is missing and who closes it."
        ]
    }
    assert _codes(caught.value) == {"ownership": ["comment_required"]}
    draft = _save(draft, product_owner, comments={"ownership": "No delivery owner named yet"})
    assert assessment_submit(assessment=draft, actor=product_owner).status == "submitted"


def test_submitting_freezes_the_result(draft, product_owner):
    draft = _complete(draft, product_owner, default=5)
    submitted = assessment_submit(assessment=draft, actor=product_owner)
    stored = Assessment.objects.get(pk=submitted.pk)
    assert stored.status == AssessmentStatus.SUBMITTED
    assert stored.total == 90
    assert stored.band == "strong"
    assert stored.ready_to_scale is True
    assert stored.submitted_by == product_owner
    assert stored.submitted_at is not None
    expected = json.loads(
        json.dumps(evaluate(stored.template_version.parsed, stored.answers).as_dict())
    )
    assert stored.result == expected
    assert stored.result["verdict"] == "Ready to scale"
    assert stored.items_needing_review_count == 0


def test_the_areas_at_one_awaiting_review_are_counted_when_frozen(
    initiative, product_owner, templates_loaded
):
    version = templates_loaded[SCORECARD]
    submitted = submitted_scorecard(
        initiative, product_owner, scores(version, 4, adoption_readiness=1, delivery_capacity=1)
    )
    stored = Assessment.objects.get(pk=submitted.pk)
    assert sorted(stored.result["items_needing_review"]) == [
        "adoption_readiness",
        "delivery_capacity",
    ]
    assert stored.items_needing_review_count == 2


def test_a_critical_area_below_three_is_frozen_as_blocking(
    initiative, product_owner, templates_loaded
):
    version = templates_loaded[SCORECARD]
    submitted = submitted_scorecard(
        initiative, product_owner, scores(version, 5, security_readiness=2, value_case=3)
    )
    assert submitted.total == 85
    assert submitted.band == "strong"
    assert submitted.ready_to_scale is False
    assert submitted.result["blocking_items"][0]["item_id"] == "security_readiness"
    assert submitted.result["verdict"] == "Only ready to discuss"


def test_a_submission_with_a_stale_revision_is_a_conflict(draft, product_owner, governance_admin):
    draft = _complete(draft, product_owner)
    _save(draft, governance_admin, comments={"ownership": "Checked"})
    with pytest.raises(ConflictError) as caught:
        assessment_submit(assessment=draft, actor=product_owner, expected_revision=draft.revision)
    assert caught.value.current["comments"] == {"ownership": "Checked"}
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


def test_a_submitted_assessment_is_immutable(initiative, product_owner, scorecard_version):
    submitted = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 4))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="submitted and can no longer change"):
        assessment_save(
            assessment=submitted,
            actor=product_owner,
            expected_revision=submitted.revision,
            answers={"ownership": 1},
        )
    with pytest.raises(ValidationError, match="already submitted"):
        assessment_submit(assessment=submitted, actor=product_owner)
    stored = Assessment.objects.get(pk=submitted.pk)
    assert stored.answers["ownership"] == 4
    assert stored.status == "submitted"
    assert AuditEvent.objects.count() == events


def test_a_second_submission_supersedes_the_first(initiative, product_owner, scorecard_version):
    first = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    second = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 4))
    first.refresh_from_db()
    assert first.status == AssessmentStatus.SUPERSEDED
    assert first.superseded_by == second
    # Its frozen result stays as it was.
    assert first.total == 54 and first.band == "weak"
    assert second.status == AssessmentStatus.SUBMITTED and second.superseded_by is None
    assert list(Assessment.objects.submitted()) == [second]


def test_supersession_is_per_template_and_subject(
    templates_loaded, initiative, product_owner, scorecard_version
):
    other = InitiativeFactory(business_owner=product_owner)
    mine = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    theirs = submitted_scorecard(other, product_owner, scores(scorecard_version, 4))
    guardrails = assessment_create_draft(
        template_key="use_case_guardrails", actor=product_owner, initiative=initiative
    )
    answers = dict.fromkeys(guardrails.template_version.parsed.item_ids, "yes")
    guardrails = _save(guardrails, product_owner, answers=answers)
    assessment_submit(assessment=guardrails, actor=product_owner)
    assert set(Assessment.objects.submitted()) == {mine, theirs, guardrails}


def test_a_new_draft_beside_a_submitted_result_leaves_the_result_current(
    initiative, product_owner, scorecard_version
):
    submitted = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 4))
    draft = assessment_create_draft(
        template_key=SCORECARD, actor=product_owner, initiative=initiative
    )
    assert draft.status == "draft"
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.parametrize("subject", ["initiative", "vendor"])
def test_the_database_allows_one_submitted_result_per_template_and_subject(
    templates_loaded, initiative, vendor, governance_admin, subject
):
    key = SCORECARD if subject == "initiative" else VENDOR_EVALUATION
    kwargs = {"initiative": initiative} if subject == "initiative" else {"vendor": vendor}
    first = assessment_create_draft(template_key=key, actor=governance_admin, **kwargs)
    Assessment.objects.filter(pk=first.pk).update(status=AssessmentStatus.SUBMITTED)
    second = assessment_create_draft(template_key=key, actor=governance_admin, **kwargs)
    assert second != first
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=second.pk).update(status=AssessmentStatus.SUBMITTED)
    # Superseded results are history: any number may exist.
    Assessment.objects.filter(pk=first.pk).update(status=AssessmentStatus.SUPERSEDED)
    Assessment.objects.filter(pk=second.pk).update(status=AssessmentStatus.SUBMITTED)


@pytest.mark.parametrize("subject", ["initiative", "vendor"])
def test_starting_a_draft_twice_returns_the_same_open_draft(
    templates_loaded, initiative, vendor, governance_admin, subject
):
    key = SCORECARD if subject == "initiative" else VENDOR_EVALUATION
    kwargs = {"initiative": initiative} if subject == "initiative" else {"vendor": vendor}
    first = assessment_create_draft(template_key=key, actor=governance_admin, **kwargs)
    again = assessment_create_draft(template_key=key, actor=governance_admin, **kwargs)
    assert again == first
    assert Assessment.objects.filter(status=AssessmentStatus.DRAFT).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            template=first.template, template_version=first.template_version, **kwargs
        )


def test_the_database_refuses_an_assessment_of_both_or_neither_subject(
    scorecard_version, initiative, vendor
):
    for subjects in ({}, {"initiative": initiative, "vendor": vendor}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Assessment.objects.create(
                template=scorecard_version.template, template_version=scorecard_version, **subjects
            )


# ---------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------


def _events(assessment) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="readiness.assessment", object_id=str(assessment.pk)
        ).order_by("id")
    )


def test_every_step_of_an_assessment_writes_an_audit_event(
    initiative, product_owner, scorecard_version
):
    first = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    second = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 5))
    assert [e.action for e in _events(first)] == [
        "assessment.draft_created",
        "assessment.updated",
        "assessment.submitted",
        "assessment.superseded",
    ]
    assert [e.action for e in _events(second)] == [
        "assessment.draft_created",
        "assessment.updated",
        "assessment.submitted",
    ]
    for event in _events(first) + _events(second):
        assert event.actor == product_owner
        assert event.initiative_id == initiative.pk
    created, updated, submitted, superseded = _events(first)
    assert created.changes == {"template_version": [None, str(scorecard_version)]}
    assert updated.changes["answers.ownership"] == [None, 3]
    assert submitted.changes == {
        "status": ["draft", "submitted"],
        "total": [None, 54],
        "band": [None, "weak"],
        "ready_to_scale": [None, False],
    }
    assert superseded.changes == {
        "status": ["submitted", "superseded"],
        "superseded_by": [None, second.pk],
    }


def test_a_clearing_save_is_audited_with_before_and_after(draft, product_owner):
    draft = _save(draft, product_owner, answers={"ownership": 4}, evidence={"ownership": "Doc"})
    _save(draft, product_owner, answers={"ownership": None})
    last = _events(draft)[-1]
    assert last.action == "assessment.updated"
    assert last.changes == {"answers.ownership": [4, None]}


def test_vendor_events_have_no_initiative(templates_loaded, vendor, council_member):
    draft = assessment_create_draft(
        template_key=VENDOR_EVALUATION, actor=council_member, vendor=vendor
    )
    (event,) = _events(draft)
    assert event.action == "assessment.draft_created"
    assert event.actor == council_member
    assert event.initiative_id is None


# ---------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL: SQLite serialises every writer, so it cannot show the race)
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: row locks and concurrent transactions (SQLite locks the file)",
)
@pytest.mark.django_db(transaction=True)
def test_two_people_submitting_the_shared_draft_at_once_submit_it_once(templates_loaded):
    owner = UserFactory(username="race_owner", roles=[Role.PRODUCT_OWNER])
    delivery = UserFactory(username="race_delivery", roles=[Role.PRODUCT_OWNER])
    initiative = InitiativeFactory(business_owner=owner, delivery_owner=delivery)
    version = templates_loaded[SCORECARD]
    earlier = submitted_scorecard(initiative, owner, scores(version, 3))
    draft = assessment_create_draft(template_key=SCORECARD, actor=owner, initiative=initiative)
    draft = _save(draft, owner, answers=scores(version, 4))

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit(actor) -> None:  # noqa: ANN001
        try:
            start.wait(timeout=10)
            assessment_submit(assessment=draft, actor=actor)
        except BaseException as error:  # noqa: BLE001 - reported by the assertions below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(actor,)) for actor in (owner, delivery)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Exactly one submission went through; the other was told, not silently applied twice.
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "already submitted" in str(errors[0])
    draft.refresh_from_db()
    earlier.refresh_from_db()
    assert draft.status == "submitted"
    assert earlier.status == "superseded"
    assert earlier.superseded_by_id == draft.pk
    assert Assessment.objects.filter(initiative=initiative, status="submitted").count() == 1
    assert (
        AuditEvent.objects.filter(action="assessment.submitted", object_id=str(draft.pk)).count()
        == 1
    )
