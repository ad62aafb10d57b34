"""Filling an assessment in the browser: start, autosave, conflicts, submit, permissions, queries.

`owner` is the business owner of `initiative`; `other_product_owner` owns nothing.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from core.models import AuditEvent
from readiness.models import Assessment, AssessmentStatus
from readiness.permissions import (
    INITIATIVE_ASSESSMENT_DENIED_MESSAGE,
    VENDOR_ASSESSMENT_DENIED_MESSAGE,
)
from readiness.services import assessment_create_draft, assessment_save
from tests.factories import (
    SCORECARD,
    BusinessUnitFactory,
    InitiativeFactory,
    UserFactory,
    VendorFactory,
    scores,
    submitted_scorecard,
)
from tests.roles import ROLES, signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
EDITORS = {"owner", "governance_admin"}

# Session, user, roles, the assessment with its template, version, subject and people, and the
# submitted result the draft would supersede.
FORM_QUERY_BUDGET = 5
READ_ONLY_QUERY_BUDGET = 4
# Session, user, roles, the initiative, the template versions, the initiative's open drafts.
START_PAGE_QUERY_BUDGET = 6


def form_data(
    version,
    answers: dict[str, object],
    *,
    revision: int,
    evidence: dict[str, str] | None = None,
    comments: dict[str, str] | None = None,
) -> dict[str, str]:
    """What the browser posts: every area's evidence and comment, the chosen radios, revision."""
    data = {"revision": str(revision)}
    for item_id in version.parsed.item_ids:
        data[f"evidence-{item_id}"] = (evidence or {}).get(item_id, "")
        data[f"comment-{item_id}"] = (comments or {}).get(item_id, "")
    for item_id, value in answers.items():
        data[f"answer-{item_id}"] = str(value)
    return data


def complete_form(version, revision: int, default: int = 4, **overrides: int) -> dict[str, str]:
    answers = scores(version, default, **overrides)
    comments = {item: "Owner named next sprint" for item, s in answers.items() if s <= 2}
    return form_data(version, answers, revision=revision, comments=comments)


@pytest.fixture
def draft(scorecard_version, initiative, product_owner):
    return assessment_create_draft(
        template_key=SCORECARD, actor=product_owner, initiative=initiative
    )


# ---------------------------------------------------------------------------------------------
# Starting a draft
# ---------------------------------------------------------------------------------------------


def test_new_scorecard_creates_a_draft_records_it_and_opens_it(
    client, scorecard_version, initiative, product_owner
):
    client.force_login(product_owner)
    response = client.post(
        reverse("readiness:assessment_create", args=[initiative.pk]), {"template": SCORECARD}
    )
    draft = Assessment.objects.get()
    assert response.status_code == 302
    assert response.url == draft.get_absolute_url()
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.template_version == scorecard_version
    assert draft.created_by == product_owner
    event = AuditEvent.objects.get(action="assessment.draft_created")
    assert event.actor == product_owner
    assert event.initiative_id == initiative.pk


def test_new_scorecard_without_a_template_field_starts_the_readiness_scorecard(
    client, templates_loaded, initiative, product_owner
):
    client.force_login(product_owner)
    client.post(reverse("readiness:assessment_create", args=[initiative.pk]))
    assert Assessment.objects.get().template.key == SCORECARD


def test_an_open_draft_is_reused_instead_of_starting_a_second_one(
    client, draft, initiative, governance_admin
):
    client.force_login(governance_admin)
    response = client.post(
        reverse("readiness:assessment_create", args=[initiative.pk]),
        {"template": SCORECARD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert Assessment.objects.count() == 1
    assert "already has a draft" in response.text
    assert AuditEvent.objects.filter(action="assessment.draft_created").count() == 1


def test_a_draft_of_another_template_does_not_count_as_the_scorecard_draft(
    client, templates_loaded, initiative, product_owner
):
    assessment_create_draft(
        template_key="rollout_governance", actor=product_owner, initiative=initiative
    )
    client.force_login(product_owner)
    client.post(reverse("readiness:assessment_create", args=[initiative.pk]))
    assert sorted(Assessment.objects.values_list("template__key", flat=True)) == [
        SCORECARD,
        "rollout_governance",
    ]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("nonsense", "No template “nonsense” is loaded."),
        ("vendor_evaluation", "applies to vendors"),
    ],
)
def test_starting_an_unknown_or_vendor_template_says_why(
    client, templates_loaded, initiative, product_owner, key, message
):
    client.force_login(product_owner)
    response = client.post(
        reverse("readiness:assessment_create", args=[initiative.pk]), {"template": key}
    )
    assert response.status_code == 400
    assert message in response.text
    assert not Assessment.objects.exists()


def test_start_page_lists_the_initiative_checklists_and_offers_to_continue_a_draft(
    client, draft, product_owner, initiative
):
    client.force_login(product_owner)
    response = client.get(reverse("readiness:assessment_create", args=[initiative.pk]))
    assert response.status_code == 200
    keys = [choice["key"] for choice in response.context["choices"]]
    assert keys[0] == SCORECARD
    assert "rollout_governance" in keys
    assert "vendor_evaluation" not in keys
    assert response.context["choices"][0]["draft"] == draft
    assert "Continue draft" in response.text


# ---------------------------------------------------------------------------------------------
# Permissions: every URL and method, every role
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_owners_and_admins_may_start_an_assessment(
    client, users_by_role, templates_loaded, initiative, role, method
):
    signed_in(client, users_by_role.get(role))
    url = reverse("readiness:assessment_create", args=[initiative.pk])
    response = getattr(client, method)(url, {"template": SCORECARD} if method == "post" else None)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role in EDITORS:
        assert response.status_code == (302 if method == "post" else 200)
    else:
        assert response.status_code == 403
    assert Assessment.objects.exists() == (role in EDITORS and method == "post")


@pytest.mark.parametrize("role", ROLES)
def test_editors_get_the_form_readers_the_read_only_view(client, users_by_role, draft, role):
    signed_in(client, users_by_role.get(role))
    response = client.get(draft.get_absolute_url())
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role == "no_role":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        names = [t.name for t in response.templates]
        expected = "assessment_form" if role in EDITORS else "assessment_detail"
        assert f"readiness/{expected}.html" in names
        assert ('name="answer-ownership"' in response.text) == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_admins_may_save_a_draft(
    client, users_by_role, draft, scorecard_version, role
):
    signed_in(client, users_by_role.get(role))
    response = client.post(
        reverse("readiness:assessment_autosave", args=[draft.pk]),
        form_data(scorecard_version, {"ownership": 4}, revision=draft.revision),
        **HTMX,
    )
    draft.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 200
        assert draft.answers == {"ownership": 4}
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert draft.answers == {}


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_admins_may_submit(client, users_by_role, draft, scorecard_version, role):
    signed_in(client, users_by_role.get(role))
    response = client.post(
        reverse("readiness:assessment_submit", args=[draft.pk]),
        complete_form(scorecard_version, draft.revision),
    )
    draft.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 302
        assert draft.status == AssessmentStatus.SUBMITTED
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert draft.status == AssessmentStatus.DRAFT
        assert draft.answers == {}


@pytest.mark.parametrize("name", ["assessment_detail", "assessment_autosave", "assessment_submit"])
def test_an_unknown_assessment_is_404(client, executive, governance_admin, name):
    client.force_login(governance_admin)
    method = client.get if name == "assessment_detail" else client.post
    assert method(reverse(f"readiness:{name}", args=[99999])).status_code == 404


def test_an_unknown_initiative_is_404_when_starting(client, governance_admin):
    client.force_login(governance_admin)
    response = client.post(reverse("readiness:assessment_create", args=[99999]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "can_edit"),
    [("council_member", True), ("governance_admin", True), ("owner", False), ("auditor", False)],
)
def test_vendor_evaluations_are_filled_by_the_council_and_read_by_everyone(
    client, users_by_role, templates_loaded, council_member, role, can_edit
):
    vendor = VendorFactory(name="Acme AI")
    evaluation = assessment_create_draft(
        template_key="vendor_evaluation", actor=council_member, vendor=vendor
    )
    version = templates_loaded["vendor_evaluation"]
    client.force_login(users_by_role[role])
    page = client.get(evaluation.get_absolute_url())
    assert page.status_code == 200
    assert ('name="answer-use_case_fit"' in page.text) == can_edit
    assert "Acme AI" in page.text
    saved = client.post(
        reverse("readiness:assessment_autosave", args=[evaluation.pk]),
        form_data(version, {"use_case_fit": "ready"}, revision=evaluation.revision),
        **HTMX,
    )
    assert saved.status_code == (200 if can_edit else 403)
    evaluation.refresh_from_db()
    assert evaluation.answers == ({"use_case_fit": "ready"} if can_edit else {})


def test_refused_pages_say_who_may_fill_the_assessment(
    client, users_by_role, draft, scorecard_version
):
    client.force_login(users_by_role["executive"])
    refused = client.post(
        reverse("readiness:assessment_autosave", args=[draft.pk]),
        form_data(scorecard_version, {}, revision=draft.revision),
        **HTMX,
    )
    assert refused.status_code == 403
    assert escape(INITIATIVE_ASSESSMENT_DENIED_MESSAGE) in refused.text
    vendor = VendorFactory(name="Acme AI")
    client.force_login(users_by_role["owner"])
    refused = client.post(reverse("readiness:vendor_assessment_create", args=[vendor.pk]))
    assert refused.status_code == 403
    assert escape(VENDOR_ASSESSMENT_DENIED_MESSAGE) in refused.text


# ---------------------------------------------------------------------------------------------
# The form
# ---------------------------------------------------------------------------------------------


def test_form_shows_every_area_with_its_question_checks_red_flags_and_guide(
    client, draft, product_owner, scorecard_version
):
    client.force_login(product_owner)
    response = client.get(draft.get_absolute_url())
    template = scorecard_version.parsed
    ownership = template.item("ownership")
    assert response.text.count('class="area card') == 18
    assert ownership.key_question in response.text
    assert ownership.what_to_check[0] in response.text
    assert ownership.red_flags[0] in response.text
    for level in "12345":
        assert f'id="answer-ownership-{level}"' in response.text
        assert ownership.guidance[level].replace("\u201c", "&ldquo;")[:20] in response.text or (
            ownership.guidance[level][:20] in response.text
        )
    assert "<legend>Score for Ownership</legend>" in response.text
    assert "Critical: 3 or more to scale" in response.text
    assert "Ready to scale, or only ready to discuss?" in response.text
    assert f'name="revision" id="assessment-revision" value="{draft.revision}"' in response.text
    # Autosave: the whole form on every radio change and, debounced, on typing; one at a time.
    assert 'hx-post="{}"'.format(reverse("readiness:assessment_autosave", args=[draft.pk])) in (
        response.text
    )
    assert 'hx-sync="this:queue last"' in response.text
    assert "input[target.tagName==='TEXTAREA'] delay:600ms" in response.text
    # Without JavaScript the same form posts to save/, and Submit to submit/.
    assert 'formaction="{}"'.format(reverse("readiness:assessment_submit", args=[draft.pk])) in (
        response.text
    )


def test_binary_templates_offer_their_two_options(
    client, templates_loaded, initiative, product_owner
):
    checklist = assessment_create_draft(
        template_key="rollout_governance", actor=product_owner, initiative=initiative
    )
    client.force_login(product_owner)
    response = client.get(checklist.get_absolute_url())
    assert 'id="answer-ownership-ready"' in response.text
    assert 'id="answer-ownership-not_ready"' in response.text
    assert "<legend>Answer for Ownership</legend>" in response.text


# ---------------------------------------------------------------------------------------------
# Autosave
# ---------------------------------------------------------------------------------------------


def test_autosave_saves_answers_and_returns_the_summary_and_the_new_revision(
    client, draft, product_owner, scorecard_version
):
    client.force_login(product_owner)
    data = form_data(
        scorecard_version,
        scores(scorecard_version, 2),
        revision=draft.revision,
        evidence={"ownership": "RACI in the wiki"},
        comments={"ownership": "Delivery owner leaves in May"},
    )
    response = client.post(reverse("readiness:assessment_autosave", args=[draft.pk]), data, **HTMX)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.answers == scores(scorecard_version, 2)
    assert draft.evidence == {"ownership": "RACI in the wiki"}
    assert draft.comments == {"ownership": "Delivery owner leaves in May"}
    assert draft.revision == 2
    text = response.text
    assert "Weak readiness" in text
    assert "Keep in pilot or redesign" in text
    assert "Only ready to discuss" in text
    assert "Ownership is 2: critical areas need at least 3 before scale" in text
    assert (
        '<input type="hidden" name="revision" id="assessment-revision" value="2" '
        'hx-swap-oob="outerHTML">'
    ) in text
    assert "Saved " in text
    # The live note: a score of 2 without a comment is flagged, with a comment it is not.
    assert 'id="comment-note-problem_clarity" class="comment-note comment-note-missing"' in text
    assert 'id="comment-note-ownership" class="comment-note"' in text

    raised = form_data(
        scorecard_version, scores(scorecard_version, 5, ownership=4), revision=draft.revision
    )
    response = client.post(
        reverse("readiness:assessment_autosave", args=[draft.pk]), raised, **HTMX
    )
    assert "Strong readiness" in response.text
    assert "Ready to scale" in response.text
    assert 'value="3" hx-swap-oob="outerHTML"' in response.text


def test_autosave_records_only_what_changed(client, draft, product_owner, scorecard_version):
    client.force_login(product_owner)
    url = reverse("readiness:assessment_autosave", args=[draft.pk])
    client.post(url, form_data(scorecard_version, {"ownership": 3}, revision=1), **HTMX)
    client.post(url, form_data(scorecard_version, {"ownership": 3}, revision=2), **HTMX)
    draft.refresh_from_db()
    assert draft.revision == 2
    events = AuditEvent.objects.filter(action="assessment.updated")
    assert [e.changes for e in events] == [{"answers.ownership": [None, 3]}]


def test_a_stale_autosave_is_refused_and_shows_the_other_persons_change(
    client, draft, product_owner, governance_admin, scorecard_version
):
    # Both opened revision 1; the admin saved first.
    assessment_save(
        assessment=draft,
        actor=governance_admin,
        expected_revision=1,
        answers={"ownership": 4},
        comments={"value_case": "Finance signed off the model"},
    )
    client.force_login(product_owner)
    mine = form_data(
        scorecard_version,
        {"ownership": 2},
        revision=1,
        comments={"ownership": "No delivery owner yet"},
    )
    response = client.post(reverse("readiness:assessment_autosave", args=[draft.pk]), mine, **HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#assessment-problems"
    assert response["HX-Reswap"] == "innerHTML"
    text = response.text
    assert f"Not saved: {governance_admin.get_full_name()} saved this draft" in text
    assert "Your input is still in the form" in text
    assert "Load their version" in text
    assert f'href="{draft.get_absolute_url()}"' in text
    rows = response.context["conflict"]["rows"]
    assert {
        "anchor": "area-ownership",
        "area": "Ownership",
        "what": "Answer",
        "theirs": "4 · Mostly ready",
        "mine": "2 · Major gaps",
    } in rows
    assert {(row["area"], row["what"]) for row in rows} == {
        ("Ownership", "Answer"),
        ("Ownership", "Comment"),
        ("Value case", "Comment"),
    }
    # No revision swap: the next autosave must not overwrite their answers unseen. The status
    # line in the summary box says it was not saved.
    assert "assessment-revision" not in text
    assert '<p id="save-status" hx-swap-oob="innerHTML">Not saved' in text
    draft.refresh_from_db()
    assert draft.revision == 2
    assert draft.answers == {"ownership": 4}
    assert draft.comments == {"value_case": "Finance signed off the model"}


def test_a_stale_save_of_exactly_the_saved_content_is_not_a_conflict(
    client, draft, product_owner, scorecard_version
):
    """Two saves of the same form crossing (an autosave in flight, then Save) agree."""
    client.force_login(product_owner)
    url = reverse("readiness:assessment_autosave", args=[draft.pk])
    data = form_data(scorecard_version, {"ownership": 3}, revision=1)
    assert client.post(url, data, **HTMX).status_code == 200
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    assert 'value="2" hx-swap-oob="outerHTML"' in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("answer-ownership", "7", "Ownership: score must be between 1 and 5, got 7"),
        (
            "answer-ownership",
            "high",
            "Ownership: score must be a whole number 1–5, got &#x27;high&#x27;",
        ),
        ("answer-bogus", "3", "bogus: not an item of template readiness_scorecard"),
        ("evidence-ownership", "x" * 4001, "Ownership: evidence is longer than 4000 characters"),
    ],
)
def test_an_invalid_answer_is_refused_naming_the_item(
    client, draft, product_owner, scorecard_version, field, value, message
):
    client.force_login(product_owner)
    data = form_data(scorecard_version, {"problem_clarity": 4}, revision=1)
    data[field] = value
    response = client.post(reverse("readiness:assessment_autosave", args=[draft.pk]), data, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#assessment-problems"
    assert message in response.text
    draft.refresh_from_db()
    assert draft.answers == {}
    assert draft.revision == 1


def test_a_save_without_a_revision_is_refused(client, draft, product_owner, scorecard_version):
    client.force_login(product_owner)
    data = form_data(scorecard_version, {"ownership": 4}, revision=1)
    del data["revision"]
    response = client.post(reverse("readiness:assessment_autosave", args=[draft.pk]), data, **HTMX)
    assert response.status_code == 400
    assert "reload the page" in response.text
    draft.refresh_from_db()
    assert draft.answers == {}


def test_without_javascript_save_draft_saves_everything_and_comes_back(
    client, draft, product_owner, scorecard_version
):
    client.force_login(product_owner)
    response = client.post(
        reverse("readiness:assessment_autosave", args=[draft.pk]),
        form_data(scorecard_version, scores(scorecard_version, 4), revision=1),
        follow=True,
    )
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert "Draft saved." in response.text
    assert "Moderate readiness" in response.text
    draft.refresh_from_db()
    assert draft.answers == scores(scorecard_version, 4)


def test_without_javascript_a_conflict_keeps_the_users_input_in_the_form(
    client, draft, product_owner, governance_admin, scorecard_version
):
    assessment_save(
        assessment=draft, actor=governance_admin, expected_revision=1, answers={"ownership": 4}
    )
    client.force_login(product_owner)
    response = client.post(
        reverse("readiness:assessment_autosave", args=[draft.pk]),
        form_data(
            scorecard_version, {"ownership": 2}, revision=1, evidence={"ownership": "My notes"}
        ),
    )
    assert response.status_code == 409
    assert "Load their version" in response.text
    assert ">My notes</textarea>" in response.text
    assert 'id="answer-ownership-2" value="2" checked' in response.text
    # Still the revision the user started from: pressing Save again cannot overwrite silently.
    assert 'id="assessment-revision" value="1"' in response.text
    draft.refresh_from_db()
    assert draft.answers == {"ownership": 4}


# ---------------------------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------------------------


def test_submitting_an_incomplete_scorecard_names_the_missing_areas(
    client, draft, product_owner, scorecard_version
):
    client.force_login(product_owner)
    answers = scores(scorecard_version, 4)
    del answers["problem_clarity"], answers["executive_visibility"]
    response = client.post(
        reverse("readiness:assessment_submit", args=[draft.pk]),
        form_data(scorecard_version, answers, revision=1),
    )
    assert response.status_code == 400
    assert "Not submitted: please fix 2 problems" in response.text
    assert "Problem clarity: Answer this item before submitting." in response.text
    assert "Executive visibility: Answer this item before submitting." in response.text
    assert 'href="#area-problem_clarity"' in response.text
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    # What was typed is kept as the draft.
    assert draft.answers == answers


def test_a_score_of_two_without_a_comment_blocks_submission_naming_the_area(
    client, draft, product_owner, scorecard_version
):
    client.force_login(product_owner)
    response = client.post(
        reverse("readiness:assessment_submit", args=[draft.pk]),
        form_data(scorecard_version, scores(scorecard_version, 4, ownership=2), revision=1),
    )
    assert response.status_code == 400
    assert (
        "Ownership: A score of 2 needs a comment saying what is missing and who closes it."
        in response.text
    )
    assert 'aria-describedby="area-ownership-error" aria-invalid="true"' in response.text
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_submitting_a_complete_scorecard_freezes_it_and_shows_the_result(
    client, draft, product_owner, scorecard_version
):
    client.force_login(product_owner)
    response = client.post(
        reverse("readiness:assessment_submit", args=[draft.pk]),
        complete_form(scorecard_version, 1, default=5, ownership=4),
        follow=True,
    )
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED
    assert draft.total == 89
    assert draft.band == "strong"
    assert draft.ready_to_scale
    assert draft.submitted_by == product_owner
    text = response.text
    assert "Submitted: 89 of 90, Strong readiness: Ready to scale." in text
    assert "readiness/assessment_detail.html" in [t.name for t in response.templates]
    assert 'name="answer-ownership"' not in text
    assert "Proceed to controlled rollout" in text
    assert "Paula Owner" in text
    event = AuditEvent.objects.get(action="assessment.submitted")
    assert event.actor == product_owner
    assert event.changes["total"] == [None, 89]


def test_the_frozen_result_shows_blocking_and_review_flags(
    client, initiative, product_owner, scorecard_version, executive
):
    assessment = submitted_scorecard(
        initiative, product_owner, scores(scorecard_version, 5, ownership=2, model_risk=1)
    )
    client.force_login(executive)
    text = client.get(assessment.get_absolute_url()).text
    assert "Only ready to discuss" in text
    assert "Ownership is 2: critical areas need at least 3 before scale" in text
    assert "Model risk is 1: an area at the lowest level needs an explicit review" in text
    assert "Strong readiness" in text


def test_a_second_submission_supersedes_the_first(
    client, initiative, product_owner, scorecard_version
):
    first = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    client.force_login(product_owner)
    client.post(reverse("readiness:assessment_create", args=[initiative.pk]))
    second = Assessment.objects.get(status=AssessmentStatus.DRAFT)
    form = client.get(second.get_absolute_url())
    assert "Submitting supersedes the result submitted on" in form.text
    client.post(
        reverse("readiness:assessment_submit", args=[second.pk]),
        complete_form(scorecard_version, second.revision, default=4),
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == AssessmentStatus.SUBMITTED
    assert first.status == AssessmentStatus.SUPERSEDED
    assert first.superseded_by == second
    old_page = client.get(first.get_absolute_url())
    assert "Superseded by the assessment submitted on" in old_page.text
    assert f'href="{second.get_absolute_url()}"' in old_page.text
    # The old page still shows its own frozen result (54 of 90), not the new one (72).
    assert old_page.context["summary"].total == 54
    assert old_page.context["summary"].band["label"] == "Weak readiness"


def test_a_submitted_assessment_cannot_change(client, initiative, product_owner, scorecard_version):
    assessment = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    client.force_login(product_owner)
    before = (assessment.answers, assessment.revision, assessment.total, assessment.submitted_at)
    changed = form_data(scorecard_version, scores(scorecard_version, 5), revision=2)

    saved = client.post(
        reverse("readiness:assessment_autosave", args=[assessment.pk]), changed, follow=True
    )
    assert "This assessment was submitted and can no longer change." in saved.text
    autosaved = client.post(
        reverse("readiness:assessment_autosave", args=[assessment.pk]), changed, **HTMX
    )
    assert autosaved.status_code == 409
    assert "can no longer change" in autosaved.text
    resubmitted = client.post(
        reverse("readiness:assessment_submit", args=[assessment.pk]), changed, follow=True
    )
    assert "can no longer change" in resubmitted.text

    assessment.refresh_from_db()
    after = (assessment.answers, assessment.revision, assessment.total, assessment.submitted_at)
    assert after == before
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1


def test_submit_right_after_an_autosave_of_the_same_form_is_not_a_conflict(
    client, draft, product_owner, scorecard_version
):
    """The autosave took revision 1 to 2 while the page still said 1 when Submit was pressed."""
    client.force_login(product_owner)
    data = complete_form(scorecard_version, 1)
    client.post(reverse("readiness:assessment_autosave", args=[draft.pk]), data, **HTMX)
    response = client.post(reverse("readiness:assessment_submit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED


def test_a_stale_submit_is_a_conflict_and_submits_nothing(
    client, draft, product_owner, governance_admin, scorecard_version
):
    assessment_save(
        assessment=draft, actor=governance_admin, expected_revision=1, answers={"ownership": 1}
    )
    client.force_login(product_owner)
    response = client.post(
        reverse("readiness:assessment_submit", args=[draft.pk]),
        complete_form(scorecard_version, 1),
    )
    assert response.status_code == 409
    assert "Load their version" in response.text
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.answers == {"ownership": 1}


# ---------------------------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------------------------


def _portfolio(size: int, owner) -> list:
    units = [BusinessUnitFactory(name=f"Unit {n}") for n in range(3)]
    return [
        InitiativeFactory(
            title=f"Initiative {n:04d}", business_unit=units[n % 3], business_owner=owner
        )
        for n in range(size)
    ]


@pytest.mark.parametrize("size", [5, 200])
def test_form_page_query_count_is_constant(
    client, templates_loaded, product_owner, django_assert_max_num_queries, size
):
    initiatives = _portfolio(size, product_owner)
    for initiative in initiatives[:3]:
        submitted_scorecard(initiative, product_owner, scores(templates_loaded[SCORECARD], 3))
    target = initiatives[0]
    draft = assessment_create_draft(template_key=SCORECARD, actor=product_owner, initiative=target)
    assessment_save(
        assessment=draft,
        actor=product_owner,
        expected_revision=1,
        answers=scores(templates_loaded[SCORECARD], 2),
    )
    client.force_login(product_owner)
    with django_assert_max_num_queries(FORM_QUERY_BUDGET):
        response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert response.context["previous"] is not None


@pytest.mark.parametrize("size", [5, 200])
def test_read_only_page_query_count_is_constant(
    client, templates_loaded, product_owner, executive, django_assert_max_num_queries, size
):
    initiatives = _portfolio(size, product_owner)
    version = templates_loaded[SCORECARD]
    first = submitted_scorecard(initiatives[-1], product_owner, scores(version, 3))
    submitted_scorecard(initiatives[-1], product_owner, scores(version, 4))
    client.force_login(executive)
    with django_assert_max_num_queries(READ_ONLY_QUERY_BUDGET):
        response = client.get(first.get_absolute_url())
    assert "Superseded by" in response.text


@pytest.mark.parametrize("size", [5, 200])
def test_start_page_query_count_is_constant(
    client, templates_loaded, product_owner, django_assert_max_num_queries, size
):
    initiatives = _portfolio(size, product_owner)
    for initiative in initiatives[:3]:
        assessment_create_draft(template_key=SCORECARD, actor=product_owner, initiative=initiative)
    client.force_login(product_owner)
    with django_assert_max_num_queries(START_PAGE_QUERY_BUDGET):
        response = client.get(reverse("readiness:assessment_create", args=[initiatives[0].pk]))
    assert len(response.context["choices"]) == 6


def test_form_page_queries_do_not_depend_on_the_number_of_items(
    client, templates_loaded, initiative, product_owner
):
    """The 18-area scorecard and the 5-item guardrails run the same queries."""
    counts = {}
    client.force_login(product_owner)
    client.get("/")  # warm the session so both measured requests start alike
    for key in (SCORECARD, "use_case_guardrails"):
        draft = assessment_create_draft(
            template_key=key, actor=product_owner, initiative=initiative
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(draft.get_absolute_url())
        assert response.status_code == 200
        counts[key] = len(queries)
    assert len(templates_loaded[SCORECARD].parsed.items) == 18
    assert len(templates_loaded["use_case_guardrails"].parsed.items) == 5
    assert counts[SCORECARD] == counts["use_case_guardrails"]


def test_people_without_a_role_are_refused_even_on_vendor_evaluations(
    client, templates_loaded, council_member
):
    stranger = UserFactory(username="stranger")
    vendor = VendorFactory(name="Acme AI")
    evaluation = assessment_create_draft(
        template_key="vendor_evaluation", actor=council_member, vendor=vendor
    )
    client.force_login(stranger)
    assert client.get(evaluation.get_absolute_url()).status_code == 403
