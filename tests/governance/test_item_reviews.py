"""The explicit review of a readiness area scored 1 (issue 10, point 2): council members and
governance admins record it with an outcome, a note and conditions, on the scorecard page or
through the API; only an accepted review clears the gate's blocker, and its conditions become
action items. Everything goes through the real services, pages and API.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import BlockedError, ConflictError
from core.models import AuditEvent
from governance.gates import selectors
from governance.gates.services import (
    gate_request_create,
    gate_request_decide,
    item_review_record,
    vote_cast,
)
from governance.models import ActionItem, ItemReview, ItemReviewOutcome
from portfolio.models import Initiative
from readiness.models import Assessment, AssessmentStatus
from tests.governance.gate_service_support import (
    item_ids,
    ready_initiative,
    scorecard_answers,
    submit,
)

pytestmark = pytest.mark.django_db

VENDOR = "vendor_readiness"
ADOPTION = "adoption_readiness"
# Session, user, roles, the assessment (template, version, subject, people) and the item
# reviews of its areas at 1.
SCORECARD_PAGE_BUDGET = 5
# Session, user, roles, count, page of reviews (with reviewer and template version).
API_LIST_BUDGET = 5


def current_scorecard(initiative: Initiative) -> Assessment:
    return Assessment.objects.get(
        initiative=initiative,
        template__key="readiness_scorecard",
        status=AssessmentStatus.SUBMITTED,
    )


@pytest.fixture
def two_areas_at_one(templates, gate_policies, product_owner, delivery_owner):
    """A pilot whose scorecard scores vendor and adoption readiness 1, everything else ready."""
    initiative = ready_initiative(templates, product_owner, delivery_owner)
    submit(
        initiative,
        product_owner,
        "readiness_scorecard",
        scorecard_answers(templates, 4, **{VENDOR: 1, ADOPTION: 1}),
    )
    return initiative


@pytest.fixture
def scorecard(two_areas_at_one):
    return current_scorecard(two_areas_at_one)


def lowest_criterion(initiative: Initiative):
    preview = selectors.gate_preview(initiative, timezone.localdate())
    return next(r for r in preview.results if r.id == "lowest_scores_reviewed")


def review(scorecard, actor, item_id=VENDOR, outcome="accepted", note="Reviewed.", **kw):
    return item_review_record(
        assessment=scorecard, item_id=item_id, actor=actor, outcome=outcome, note=note, **kw
    )


# ---------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------


def test_only_accepted_reviews_clear_the_blocker(scorecard, two_areas_at_one, legal, chair):
    assert "User adoption readiness, Vendor readiness" in lowest_criterion(two_areas_at_one).detail
    review(scorecard, legal, VENDOR, "accepted", "Vendor is only a fallback.")
    criterion = lowest_criterion(two_areas_at_one)
    assert not criterion.passed
    assert "without a recorded council review: User adoption readiness." in criterion.detail
    assert "Vendor readiness" not in criterion.detail

    review(scorecard, chair, ADOPTION, "not_accepted", "Nobody uses it yet.")
    criterion = lowest_criterion(two_areas_at_one)
    assert not criterion.passed
    assert criterion.detail == (
        "Areas at 1 the council did not accept: User adoption readiness; fix them and score them "
        "again in a new submission."
    )


def test_a_not_accepted_area_blocks_go_until_it_is_scored_again(
    templates, two_areas_at_one, scorecard, product_owner, legal, chair
):
    review(scorecard, legal, VENDOR, "accepted")
    review(scorecard, legal, ADOPTION, "not_accepted", "Adoption is the blocker.")
    request = gate_request_create(
        initiative=two_areas_at_one, actor=product_owner, justification="Adoption plan booked."
    )
    for member in (chair, legal):
        vote_cast(request=request, actor=member, choice="approve")
    with pytest.raises(BlockedError) as error:
        gate_request_decide(request=request, actor=chair, decision="go", reason="Approved.")
    assert [b["criterion"] for b in error.value.blocked_by] == ["lowest_scores_reviewed"]
    assert "did not accept: User adoption readiness" in error.value.message

    submit(
        two_areas_at_one,
        product_owner,
        "readiness_scorecard",
        scorecard_answers(templates, 4, **{VENDOR: 3, ADOPTION: 3}),
    )
    assert lowest_criterion(two_areas_at_one).passed
    decided = gate_request_decide(request=request, actor=chair, decision="go", reason="Fixed.")
    assert decided.decision == "go"


def test_the_review_records_outcome_note_and_reviewer_with_one_audit_event(scorecard, legal):
    recorded = review(scorecard, legal, VENDOR, "accepted", "Fallback vendor only.")
    assert (recorded.outcome, recorded.note, recorded.reviewer) == (
        ItemReviewOutcome.ACCEPTED,
        "Fallback vendor only.",
        legal,
    )
    (event,) = AuditEvent.objects.filter(action="item_review.recorded")
    assert event.changes["outcome"] == [None, "accepted"]
    assert event.changes["item_id"] == [None, VENDOR]
    assert event.reason == "Fallback vendor only."
    assert not ActionItem.objects.exists()


def test_conditions_become_action_items_for_the_delivery_owner_due_in_30_days(
    scorecard, two_areas_at_one, legal, delivery_owner
):
    recorded = review(
        scorecard,
        legal,
        VENDOR,
        "accepted_with_conditions",
        "Acceptable with an exit plan.",
        conditions="- Sign the DPA\n\n• Name a second vendor\n",
    )
    assert recorded.conditions == "Sign the DPA\nName a second vendor"
    assert lowest_criterion(two_areas_at_one).detail.endswith(": User adoption readiness.")
    items = list(ActionItem.objects.order_by("pk"))
    assert [item.title for item in items] == ["Sign the DPA", "Name a second vendor"]
    due = timezone.localdate() + datetime.timedelta(days=30)
    assert {(item.owner, item.due_date, item.initiative_id) for item in items} == {
        (delivery_owner, due, two_areas_at_one.pk)
    }
    assert all(item.gate_request_id is None for item in items)
    events = AuditEvent.objects.filter(action="action_item.created")
    assert events.count() == 2
    assert all("Vendor readiness" in event.reason for event in events)


def test_without_a_delivery_owner_the_business_owner_owns_the_conditions(
    scorecard, two_areas_at_one, legal, product_owner
):
    Initiative.objects.filter(pk=two_areas_at_one.pk).update(delivery_owner=None)
    review(scorecard, legal, VENDOR, "accepted_with_conditions", "ok", conditions="Sign the DPA")
    assert ActionItem.objects.get().owner == product_owner


@pytest.mark.parametrize(
    ("outcome", "conditions", "field", "words"),
    [
        ("accepted_with_conditions", "", "conditions", "at least one condition"),
        ("accepted_with_conditions", "\n - \n", "conditions", "at least one condition"),
        ("accepted", "Sign the DPA", "conditions", "choose it or clear the conditions"),
        ("not_accepted", "Sign the DPA", "conditions", "choose it or clear the conditions"),
        ("approved", "", "outcome", "Choose the outcome"),
        ("", "", "outcome", "Choose the outcome"),
    ],
)
def test_outcome_and_conditions_must_agree(scorecard, legal, outcome, conditions, field, words):
    with pytest.raises(ValidationError) as error:
        review(scorecard, legal, VENDOR, outcome, "A note.", conditions=conditions)
    assert words in " ".join(error.value.message_dict[field])
    assert not ItemReview.objects.exists()
    assert not ActionItem.objects.exists()


def test_a_note_is_required(scorecard, legal):
    with pytest.raises(ValidationError) as error:
        review(scorecard, legal, VENDOR, "accepted", "   ")
    assert error.value.message_dict["note"] == ["Write what the council concluded about this area."]


def test_a_governance_admin_may_review(scorecard, governance_admin):
    assert review(scorecard, governance_admin).reviewer == governance_admin


@pytest.mark.parametrize(
    "role", ["executive", "owner", "other_product_owner", "auditor", "no_role"]
)
def test_other_roles_may_not_review(role, users_by_role, scorecard):
    with pytest.raises(PermissionDenied, match="council members and governance admins"):
        review(scorecard, users_by_role[role])
    assert not ItemReview.objects.exists()


@pytest.mark.parametrize("stake", ["delivery_owner", "executive_sponsor", "value_owner"])
def test_a_council_member_with_a_stake_is_recused(stake, scorecard, two_areas_at_one, legal):
    Initiative.objects.filter(pk=two_areas_at_one.pk).update(**{stake: legal})
    with pytest.raises(PermissionDenied, match="recused"):
        review(scorecard, legal)
    assert not ItemReview.objects.exists()


def test_an_admin_who_owns_the_initiative_is_recused(scorecard, two_areas_at_one, governance_admin):
    Initiative.objects.filter(pk=two_areas_at_one.pk).update(business_owner=governance_admin)
    with pytest.raises(PermissionDenied, match="business owner"):
        review(scorecard, governance_admin)


def test_a_second_review_of_the_same_area_is_a_conflict_naming_the_first(scorecard, legal, chair):
    review(scorecard, legal, VENDOR, "not_accepted", "Not yet.")
    with pytest.raises(
        ConflictError, match=r"already reviewed \(Not accepted.*\) by Lena Hoffmann"
    ):
        review(scorecard, chair, VENDOR, "accepted")
    assert ItemReview.objects.get().outcome == "not_accepted"


def test_only_areas_at_one_of_the_current_scorecard_are_reviewed(
    templates, two_areas_at_one, scorecard, product_owner, legal
):
    with pytest.raises(ValidationError, match="scored 4"):
        review(scorecard, legal, "ownership")
    with pytest.raises(ValidationError, match="not a scored area"):
        review(scorecard, legal, "nonsense")
    submit(
        two_areas_at_one,
        product_owner,
        "readiness_scorecard",
        scorecard_answers(templates, 4, **{VENDOR: 1}),
    )
    scorecard.refresh_from_db()
    assert scorecard.status == AssessmentStatus.SUPERSEDED
    with pytest.raises(ValidationError, match="current submitted"):
        review(scorecard, legal)


def test_a_checklist_yes_is_not_an_area_at_one(two_areas_at_one, legal, templates):
    # Checklists store "yes" as 1; only the 1-5 scorecard has areas at 1 to review.
    before_poc = Assessment.objects.get(
        initiative=two_areas_at_one, template__key="before_poc", status="submitted"
    )
    with pytest.raises(ValidationError, match="scored"):
        review(before_poc, legal, item_ids(templates, "before_poc")[0])


# ---------------------------------------------------------------------------------------------
# The scorecard page
# ---------------------------------------------------------------------------------------------


def review_url(scorecard, item_id=VENDOR) -> str:
    return reverse("governance:item_review_record", args=[scorecard.pk, item_id])


def area_block(page: str, item_id: str) -> str:
    start = page.index(f'data-testid="item-review-{item_id}"')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize("role", ["council_member", "governance_admin"])
def test_council_members_and_admins_get_a_form_under_each_area_at_one(
    client, role, users_by_role, scorecard
):
    client.force_login(users_by_role[role])
    page = client.get(scorecard.get_absolute_url()).content.decode()
    for item_id in (VENDOR, ADOPTION):
        block = area_block(page, item_id)
        assert f'action="{review_url(scorecard, item_id)}"' in block
        assert 'name="outcome"' in block
    assert 'data-testid="item-review-ownership"' not in page
    assert "0 of 2 accepted, 2 awaiting review" in page


@pytest.mark.parametrize("role", ["executive", "owner", "auditor"])
def test_other_roles_see_that_the_area_awaits_review_without_a_form(
    client, role, users_by_role, scorecard
):
    client.force_login(users_by_role[role])
    page = client.get(scorecard.get_absolute_url()).content.decode()
    block = area_block(page, VENDOR)
    assert "Awaiting the council" in block
    assert "<form" not in block


def test_a_recused_member_sees_why_there_is_no_form(client, scorecard, two_areas_at_one, legal):
    Initiative.objects.filter(pk=two_areas_at_one.pk).update(executive_sponsor=legal)
    client.force_login(legal)
    block = area_block(client.get(scorecard.get_absolute_url()).content.decode(), VENDOR)
    assert "You are recused" in block and "executive sponsor" in block
    assert "<form" not in block


def test_recording_without_javascript_redirects_to_the_area_and_shows_the_review(
    client, scorecard, legal
):
    client.force_login(legal)
    response = client.post(
        review_url(scorecard),
        {
            "outcome": "accepted_with_conditions",
            "note": "Acceptable with an exit plan.",
            "conditions": "Sign the DPA\nName a second vendor",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{scorecard.get_absolute_url()}#area-{VENDOR}"
    page = client.get(response["Location"]).content.decode()
    assert "Review of “Vendor readiness” recorded: Accepted with conditions." in page
    block = area_block(page, VENDOR)
    assert "Accepted with conditions" in block
    assert "Acceptable with an exit plan." in block
    assert "<li>Sign the DPA</li>" in block and "<li>Name a second vendor</li>" in block
    assert "Lena Hoffmann" in block
    assert timezone.localdate().strftime("%b %Y") in block
    assert "Clears the gate" in block
    assert "1 of 2 accepted, 1 awaiting review" in page
    assert ActionItem.objects.count() == 2


def test_a_not_accepted_review_says_it_still_blocks(client, scorecard, chair):
    client.force_login(chair)
    client.post(review_url(scorecard), {"outcome": "not_accepted", "note": "No vendor yet."})
    block = area_block(client.get(scorecard.get_absolute_url()).content.decode(), VENDOR)
    assert "Not accepted" in block and "Still blocks every gate" in block


def test_a_refused_post_shows_the_field_message_and_records_nothing(client, scorecard, legal):
    client.force_login(legal)
    response = client.post(review_url(scorecard), {"outcome": "accepted_with_conditions"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "List at least one condition, one per line." in text
    assert "Write what the council concluded about this area." in text
    assert not ItemReview.objects.exists()


def test_htmx_swaps_only_the_area(client, scorecard, legal):
    client.force_login(legal)
    headers = {"HX-Request": "true"}
    refused = client.post(review_url(scorecard), {"outcome": "accepted"}, headers=headers)
    assert refused.status_code == 400
    assert "<html" not in refused.content.decode()
    assert "Write what the council concluded" in refused.content.decode()
    done = client.post(
        review_url(scorecard), {"outcome": "accepted", "note": "Fine."}, headers=headers
    )
    assert done.status_code == 200
    fragment = done.content.decode()
    assert fragment.lstrip().startswith('<div class="item-review')
    assert "Review recorded: Accepted" in fragment


@pytest.mark.parametrize("role", ["executive", "owner", "auditor"])
def test_other_roles_are_refused_403(client, role, users_by_role, scorecard):
    client.force_login(users_by_role[role])
    response = client.post(review_url(scorecard), {"outcome": "accepted", "note": "x"})
    assert response.status_code == 403
    assert not ItemReview.objects.exists()


def test_a_recused_member_posting_anyway_is_refused_403(client, scorecard, two_areas_at_one, legal):
    Initiative.objects.filter(pk=two_areas_at_one.pk).update(delivery_owner=legal)
    client.force_login(legal)
    response = client.post(review_url(scorecard), {"outcome": "accepted", "note": "x"})
    assert response.status_code == 403
    assert "recused" in response.content.decode()
    assert not ItemReview.objects.exists()


def test_a_second_review_through_the_page_is_409_and_shows_the_first(
    client, scorecard, legal, chair
):
    review(scorecard, legal, VENDOR, "accepted", "Fallback only.")
    client.force_login(chair)
    response = client.post(review_url(scorecard), {"outcome": "not_accepted", "note": "No."})
    assert response.status_code == 409
    text = response.content.decode()
    assert "already reviewed" in text and "Fallback only." in text
    assert ItemReview.objects.get().outcome == "accepted"


def test_the_area_page_works_for_readers_and_404s_for_areas_not_at_one(
    client, scorecard, executive
):
    client.force_login(executive)
    page = client.get(review_url(scorecard))
    assert page.status_code == 200
    assert "Review of an area scored 1: Vendor readiness" in page.content.decode()
    assert client.get(review_url(scorecard, "ownership")).status_code == 404


def test_no_role_cannot_read_the_area_page(client, scorecard, no_role_user):
    client.force_login(no_role_user)
    assert client.get(review_url(scorecard)).status_code == 403


@pytest.mark.parametrize("reviewed", [0, 2])
def test_the_scorecard_page_query_count_is_constant(
    client, scorecard, legal, reviewed, django_assert_max_num_queries, templates
):
    for item_id in (VENDOR, ADOPTION)[:reviewed]:
        review(scorecard, legal, item_id, "accepted_with_conditions", "ok", conditions="A\nB")
    client.force_login(legal)
    with django_assert_max_num_queries(SCORECARD_PAGE_BUDGET):
        response = client.get(scorecard.get_absolute_url())
    assert response.status_code == 200


def test_a_scorecard_without_areas_at_one_runs_no_review_query(
    client,
    templates,
    gate_policies,
    product_owner,
    delivery_owner,
    legal,
    django_assert_num_queries,
):
    initiative = ready_initiative(templates, product_owner, delivery_owner)
    url = current_scorecard(initiative).get_absolute_url()
    client.force_login(legal)
    with django_assert_num_queries(SCORECARD_PAGE_BUDGET - 1):
        page = client.get(url)
    assert "item-review" not in page.content.decode()


# ---------------------------------------------------------------------------------------------
# The queue: every area at 1 waiting for a review, with who may record it
# ---------------------------------------------------------------------------------------------


def test_the_queue_lists_areas_awaiting_review_until_they_are_reviewed(client, scorecard, legal):
    client.force_login(legal)
    page = client.get(reverse("governance:council_queue")).content.decode()
    section = page[page.index('data-testid="areas-awaiting-review"') :]
    assert section.count('data-testid="area-row"') == 2
    assert review_url(scorecard, VENDOR) in section
    review(scorecard, legal, VENDOR, "not_accepted", "No.")
    page = client.get(reverse("governance:council_queue")).content.decode()
    section = page[page.index('data-testid="areas-awaiting-review"') :]
    assert section.count('data-testid="area-row"') == 1
    assert review_url(scorecard, ADOPTION) in section


# ---------------------------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


URL = "/api/v1/item-reviews/"


def test_the_api_records_a_review_with_its_conditions(scorecard, two_areas_at_one, legal):
    response = api(legal).post(
        URL,
        {
            "assessment": scorecard.pk,
            "item_id": VENDOR,
            "outcome": "accepted_with_conditions",
            "note": "With an exit plan.",
            "conditions": "Sign the DPA\nName a second vendor",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["assessment"] == scorecard.pk
    assert body["initiative"] == two_areas_at_one.pk
    assert body["item_title"] == "Vendor readiness"
    assert body["outcome"] == "accepted_with_conditions"
    assert body["conditions"] == ["Sign the DPA", "Name a second vendor"]
    assert body["clears_blocker"] is True
    assert body["reviewer"]["username"] == "lena"
    assert ActionItem.objects.count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"outcome": "accepted"}, "note"),
        ({"outcome": "accepted_with_conditions", "note": "x"}, "conditions"),
        ({"outcome": "accepted", "note": "x", "conditions": "A"}, "conditions"),
        ({"outcome": "maybe", "note": "x"}, "outcome"),
        ({"note": "x"}, "outcome"),
        ({"outcome": "accepted", "note": "x", "item_id": "ownership"}, "item_id"),
        ({"outcome": "accepted", "note": "x", "reviewer": 1}, "reviewer"),
    ],
)
def test_the_api_answers_400_naming_the_field(scorecard, legal, payload, field):
    body = {"assessment": scorecard.pk, "item_id": VENDOR, **payload}
    response = api(legal).post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.data) == [field]
    assert not ItemReview.objects.exists()


@pytest.mark.parametrize("role", ["executive", "owner", "auditor"])
def test_the_api_answers_403_for_other_roles(role, users_by_role, scorecard):
    response = api(users_by_role[role]).post(
        URL,
        {"assessment": scorecard.pk, "item_id": VENDOR, "outcome": "accepted", "note": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert "council members and governance admins" in response.data["detail"]


def test_the_api_answers_403_for_a_recused_admin(scorecard, two_areas_at_one, governance_admin):
    Initiative.objects.filter(pk=two_areas_at_one.pk).update(value_owner=governance_admin)
    response = api(governance_admin).post(
        URL,
        {"assessment": scorecard.pk, "item_id": VENDOR, "outcome": "accepted", "note": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert "value owner" in response.data["detail"]


def test_the_api_answers_409_for_a_second_review(scorecard, legal, governance_admin):
    review(scorecard, legal)
    response = api(governance_admin).post(
        URL,
        {"assessment": scorecard.pk, "item_id": VENDOR, "outcome": "accepted", "note": "x"},
        format="json",
    )
    assert response.status_code == 409
    assert "already reviewed" in response.data["detail"]


@pytest.mark.parametrize("count", [1, 2])
def test_the_api_lists_the_reviews_of_an_assessment_in_constant_queries(
    scorecard, legal, executive, count, django_assert_max_num_queries
):
    for item_id in (VENDOR, ADOPTION)[:count]:
        review(scorecard, legal, item_id)
    client = api(executive)
    with django_assert_max_num_queries(API_LIST_BUDGET):
        response = client.get(URL, {"assessment": scorecard.pk})
    assert response.status_code == 200
    assert [row["item_id"] for row in response.json()["results"]] == [VENDOR, ADOPTION][:count]
    # In the order they were recorded.
    assert client.get(URL, {"assessment": scorecard.pk + 1000}).json()["count"] == 0
    single = client.get(f"{URL}{ItemReview.objects.first().pk}/").json()
    assert single["item_title"] == "Vendor readiness"


def test_the_api_refuses_readers_without_a_role(scorecard, no_role_user):
    assert api(no_role_user).get(URL).status_code == 403
