"""Recusal binds the chair on autonomy promotions too: the chair (Chris) is the initiative's
safety owner, so he cannot decide its promotion; he or a governance admin names an acting
chair (a council member who is not recused), who decides, and the promotion, its audit event,
its page and the API say in which capacity. Services, pages, API, and who may do what.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.errors import ConflictError
from core.people import display_name
from core.roles import Role
from governance.gates.permissions import (
    ACTING_CHAIR_DENIED_MESSAGE,
    PROMOTION_CHAIR_RECUSED_MESSAGE,
    PROMOTION_DECIDE_DENIED_MESSAGE,
)
from governance.gates.services import (
    autonomy_promotion_decide,
    autonomy_promotion_name_acting_chair,
    autonomy_promotion_request,
)
from governance.models import AutonomyPromotion, AutonomyPromotionStatus, DecidedAs, Seat
from portfolio.models import Initiative, Stage
from tests.factories import CouncilMembershipFactory, InitiativeFactory
from tests.governance.autonomy_support import GOOD_EVIDENCE, events, level_of
from tests.roles import (
    api_client,
    expected_status,
    readers,
    roles_with,
    signed_in,
    signed_in_except,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/autonomy-promotions/"
# Besides the table's people: the recused chair, and the council member named acting chair.
ROLES = roles_with("chair", "acting_chair")
READERS = readers("chair", "acting_chair")
NAMERS = {"chair", "governance_admin"}
FORM = 'data-testid="acting-chair-form"'


@pytest.fixture
def initiative(product_owner, delivery_owner, business_unit, chair):
    """An active pilot at the assistant level whose safety owner is the chair: he is recused."""
    return InitiativeFactory(
        title="Runbook finder",
        business_unit=business_unit,
        stage=Stage.PILOT,
        business_owner=product_owner,
        delivery_owner=delivery_owner,
        safety_owner=chair,
        created_by=product_owner,
    )


@pytest.fixture
def promotion(initiative, product_owner):
    return autonomy_promotion_request(
        initiative=initiative, actor=product_owner, evidence=GOOD_EVIDENCE
    )


def stored(promotion: AutonomyPromotion) -> AutonomyPromotion:
    return AutonomyPromotion.objects.select_related("acting_chair", "decided_by").get(
        pk=promotion.pk
    )


def page_url(promotion: AutonomyPromotion, name: str = "detail") -> str:
    return reverse(f"governance:autonomy_promotion_{name}", args=[promotion.pk])


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------


def test_a_recused_chair_cannot_decide_and_is_told_to_name_an_acting_chair(
    promotion, initiative, chair
):
    with pytest.raises(PermissionDenied) as error:
        autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Yes")
    assert str(error.value) == PROMOTION_CHAIR_RECUSED_MESSAGE
    assert "name an acting chair" in PROMOTION_CHAIR_RECUSED_MESSAGE
    assert stored(promotion).status == AutonomyPromotionStatus.PENDING
    assert level_of(initiative) == "assistant"
    assert events("autonomy_promotion.decided") == []


@pytest.mark.parametrize("namer", ["chair", "governance_admin"])
def test_the_chair_or_an_admin_names_an_acting_chair(namer, users_by_role, chair, legal, promotion):
    actor = chair if namer == "chair" else users_by_role[namer]
    named = autonomy_promotion_name_acting_chair(promotion=promotion, actor=actor, member=legal)
    assert named.acting_chair == legal
    assert stored(promotion).acting_chair == legal
    (event,) = events("autonomy_promotion.acting_chair_named")
    assert event.actor == actor
    assert event.initiative_id == promotion.initiative_id
    assert event.changes == {"acting_chair": [None, legal.pk]}


def test_the_acting_chair_decides_and_the_record_and_audit_say_so(
    promotion, initiative, chair, legal
):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    decided = autonomy_promotion_decide(
        promotion=promotion, actor=legal, approve=True, reason="Evidence holds up"
    )
    assert decided.status == AutonomyPromotionStatus.APPROVED
    assert (decided.decided_by, decided.decided_as) == (legal, DecidedAs.ACTING_CHAIR)
    assert stored(promotion).decided_as == "acting_chair"
    assert level_of(initiative) == "agent"
    (decision,) = events("autonomy_promotion.decided")
    assert decision.actor == legal
    assert decision.changes == {
        "status": ["pending", "approved"],
        "decided_as": [None, "acting_chair"],
    }
    assert len(events("initiative.autonomy_changed")) == 1


def test_only_the_named_member_acts_as_chair(promotion, chair, legal, data_member):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    with pytest.raises(PermissionDenied, match=PROMOTION_DECIDE_DENIED_MESSAGE):
        autonomy_promotion_decide(promotion=promotion, actor=data_member, approve=True, reason="Y")
    assert stored(promotion).status == AutonomyPromotionStatus.PENDING


def test_a_replaced_acting_chair_no_longer_decides(promotion, chair, legal, data_member):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=data_member)
    with pytest.raises(PermissionDenied):
        autonomy_promotion_decide(promotion=promotion, actor=legal, approve=True, reason="Yes")
    decided = autonomy_promotion_decide(
        promotion=promotion, actor=data_member, approve=False, reason="Thin"
    )
    assert decided.decided_as == DecidedAs.ACTING_CHAIR
    changes = [e.changes for e in events("autonomy_promotion.acting_chair_named")]
    assert changes == [
        {"acting_chair": [None, legal.pk]},
        {"acting_chair": [legal.pk, data_member.pk]},
    ]


def test_an_acting_chair_who_becomes_recused_no_longer_decides(promotion, initiative, chair, legal):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    Initiative.objects.filter(pk=initiative.pk).update(value_owner=legal)
    with pytest.raises(PermissionDenied):
        autonomy_promotion_decide(promotion=promotion, actor=legal, approve=True, reason="Yes")
    assert level_of(initiative) == "assistant"


def test_a_recused_member_the_chair_or_someone_off_the_council_cannot_be_named(
    promotion, chair, product_owner, executive, governance_admin
):
    # The business owner also sits on the council: recused from their own initiative.
    CouncilMembershipFactory(user=product_owner, seat=Seat.PRODUCT)
    product_owner.groups.add(Group.objects.get(name=Role.COUNCIL_MEMBER))
    # Read again: roles and membership are cached on the user object.
    owner_on_council = get_user_model().objects.get(pk=product_owner.pk)
    cases = [
        (owner_on_council, "Paula Owner is recused: the initiative's business owner."),
        (chair, "The chair decides as chair; name another council member."),
        (executive, f"{display_name(executive)} holds no active council seat."),
    ]
    assert cases
    for member, message in cases:
        with pytest.raises(ValidationError) as error:
            autonomy_promotion_name_acting_chair(
                promotion=promotion, actor=governance_admin, member=member
            )
        assert error.value.message_dict == {"member": [message]}
    assert stored(promotion).acting_chair is None
    assert events("autonomy_promotion.acting_chair_named") == []


@pytest.mark.parametrize("role", signed_in_except("governance_admin"))
def test_nobody_but_the_chair_or_an_admin_names_an_acting_chair(
    role, users_by_role, promotion, legal
):
    with pytest.raises(PermissionDenied, match=ACTING_CHAIR_DENIED_MESSAGE):
        autonomy_promotion_name_acting_chair(
            promotion=promotion, actor=users_by_role[role], member=legal
        )
    assert stored(promotion).acting_chair is None


def test_naming_the_same_member_again_records_nothing_and_none_clears(promotion, chair, legal):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    assert len(events("autonomy_promotion.acting_chair_named")) == 1
    cleared = autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=None)
    assert cleared.acting_chair is None
    assert events("autonomy_promotion.acting_chair_named")[-1].changes == {
        "acting_chair": [legal.pk, None]
    }
    with pytest.raises(PermissionDenied, match="recused"):
        autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Yes")


def test_no_acting_chair_is_named_once_decided(promotion, chair, legal, data_member):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    autonomy_promotion_decide(promotion=promotion, actor=legal, approve=False, reason="Thin")
    with pytest.raises(ConflictError, match="already rejected by Lena Hoffmann"):
        autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=data_member)
    assert stored(promotion).acting_chair == legal


def test_a_chair_who_is_not_recused_still_decides_as_chair(initiative, product_owner, chair, legal):
    Initiative.objects.filter(pk=initiative.pk).update(safety_owner=None)
    promotion = autonomy_promotion_request(
        initiative=Initiative.objects.get(pk=initiative.pk),
        actor=product_owner,
        evidence=GOOD_EVIDENCE,
    )
    decided = autonomy_promotion_decide(
        promotion=promotion, actor=chair, approve=True, reason="Proven"
    )
    assert decided.decided_as == DecidedAs.CHAIR


# ---------------------------------------------------------------------------------------------
# The promotion's page
# ---------------------------------------------------------------------------------------------


def test_the_recused_chair_names_an_acting_chair_who_decides_on_the_page(
    client, promotion, initiative, chair, legal
):
    client.force_login(chair)
    page = client.get(page_url(promotion))
    assert 'data-testid="chair-recused"' in page.text
    assert "name an acting chair" in page.text
    assert FORM in page.text
    assert "Record decision" not in page.text
    response = client.post(page_url(promotion, "acting_chair"), {"member": legal.pk})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Acting chair for this promotion: Lena Hoffmann." in page.text
    assert 'data-testid="acting-chair-named"' in page.text

    client.force_login(legal)
    page = client.get(page_url(promotion))
    assert "Acting chair's decision" in page.text
    assert FORM not in page.text
    response = client.post(
        page_url(promotion, "decide"), {"decision": "approve", "reason": "Proven twice"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Autonomy promotion approved as acting chair" in page.text
    assert 'data-testid="acting-chair"' in page.text
    assert "as acting chair, in the chair's place" in page.text
    assert "Record decision" not in page.text
    assert FORM not in page.text  # decided: nobody names anyone any more
    assert level_of(initiative) == "agent"


def test_a_decision_by_the_chair_shows_that_capacity(
    client, initiative, product_owner, chair, auditor
):
    Initiative.objects.filter(pk=initiative.pk).update(safety_owner=None)
    promotion = autonomy_promotion_request(
        initiative=Initiative.objects.get(pk=initiative.pk),
        actor=product_owner,
        evidence=GOOD_EVIDENCE,
    )
    autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Proven")
    client.force_login(auditor)
    page = client.get(page_url(promotion))
    assert "Chris Dubois, as council chair" in page.text
    assert 'data-testid="acting-chair"' not in page.text


def test_others_are_told_they_wait_for_the_acting_chair(client, promotion, chair, legal, executive):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    client.force_login(executive)
    page = client.get(page_url(promotion))
    assert "Waiting for the acting chair's decision" in page.text
    assert "Lena Hoffmann" in page.text
    assert FORM not in page.text


def test_the_form_offers_only_members_who_may_stand_in(
    client, promotion, chair, legal, data_member, governance_admin
):
    client.force_login(governance_admin)
    form = client.get(page_url(promotion)).context["acting_chair_form"]
    choices = list(form.fields["member"].queryset)
    assert choices == [data_member, legal]  # neither the recused chair nor anyone off the council


def test_naming_someone_who_may_not_stand_in_shows_the_form_again(
    client, promotion, chair, product_owner
):
    client.force_login(chair)
    response = client.post(page_url(promotion, "acting_chair"), {"member": product_owner.pk})
    assert response.status_code == 400
    assert "member" in response.context["acting_chair_form"].errors
    assert 'role="alert"' in response.text
    assert stored(promotion).acting_chair is None


def test_naming_on_a_decided_promotion_says_so(client, promotion, chair, legal, data_member):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    autonomy_promotion_decide(promotion=promotion, actor=legal, approve=True, reason="Proven")
    client.force_login(chair)
    response = client.post(page_url(promotion, "acting_chair"), {"member": data_member.pk})
    assert response.status_code == 302
    assert "already approved" in client.get(response["Location"]).text
    assert stored(promotion).acting_chair == legal


def test_the_acting_chair_url_takes_only_post(client, promotion, chair):
    client.force_login(chair)
    assert client.get(page_url(promotion, "acting_chair")).status_code == 405


# The promotion's page for the chair, who sees the acting-chair form: the session and its
# user, the roles, the promotion (with initiative and people, the acting chair among them,
# joined), the chair's council membership, and the form's choice of members (the one query
# the form adds; readers who cannot name anyone pay five).
PAGE_BUDGET = 6


def test_the_promotion_page_keeps_its_query_budget(
    client, promotion, chair, legal, data_member, django_assert_max_num_queries
):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    client.force_login(chair)
    with django_assert_max_num_queries(PAGE_BUDGET):
        page = client.get(page_url(promotion))
    assert FORM in page.text


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def test_the_api_names_an_acting_chair_who_decides(promotion, initiative, chair, legal):
    named = api_client(chair).post(
        f"{API}{promotion.pk}/acting-chair/", {"member": legal.pk}, format="json"
    )
    assert named.status_code == 200, named.data
    assert named.data["acting_chair"]["username"] == "lena"
    assert named.data["decided_as"] == ""
    decided = api_client(legal).post(
        f"{API}{promotion.pk}/decide/", {"approve": True, "reason": "Proven"}, format="json"
    )
    assert decided.status_code == 200, decided.data
    assert decided.data["status"] == "approved"
    assert decided.data["decided_by"]["username"] == "lena"
    assert decided.data["decided_as"] == "acting_chair"
    assert level_of(initiative) == "agent"


def test_the_api_shows_the_acting_chair_fields_to_every_reader(promotion, auditor):
    body = api_client(auditor).get(f"{API}{promotion.pk}/").data
    assert body["acting_chair"] is None
    assert body["decided_as"] == ""
    listed = api_client(auditor).get(API).data["results"]
    assert [(row["acting_chair"], row["decided_as"]) for row in listed] == [(None, "")]


def test_the_api_refuses_a_recused_member_naming_the_field(
    promotion, chair, product_owner, governance_admin
):
    CouncilMembershipFactory(user=product_owner, seat=Seat.PRODUCT)
    product_owner.groups.add(Group.objects.get(name=Role.COUNCIL_MEMBER))
    response = api_client(governance_admin).post(
        f"{API}{promotion.pk}/acting-chair/", {"member": product_owner.pk}, format="json"
    )
    assert response.status_code == 400
    assert "recused" in str(response.data["member"])
    assert stored(promotion).acting_chair is None


def test_the_api_answers_409_once_decided(promotion, chair, legal, data_member):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    autonomy_promotion_decide(promotion=promotion, actor=legal, approve=True, reason="Proven")
    response = api_client(chair).post(
        f"{API}{promotion.pk}/acting-chair/", {"member": data_member.pk}, format="json"
    )
    assert response.status_code == 409
    assert "already approved" in response.data["detail"]


def test_the_api_tells_others_who_may_name(promotion, council_member, legal):
    response = api_client(council_member).post(
        f"{API}{promotion.pk}/acting-chair/", {"member": legal.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.data["detail"] == ACTING_CHAIR_DENIED_MESSAGE


# ---------------------------------------------------------------------------------------------
# Who may do what, per role (tests/roles.py): the chair is recused, Lena is acting chair, and
# naming someone means naming Dana in her place.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def ctx(users_by_role, promotion, chair, legal, data_member):
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)
    return {
        **users_by_role,
        "chair": chair,
        "acting_chair": legal,
        "promotion": promotion,
        "stand_in": data_member,
    }


# (name, page or api, method, url builder, data builder, allowed, success status)
CASES = [
    ("page", False, "get", lambda c: page_url(c["promotion"]), None, READERS, 200),
    (
        "page: name acting chair",
        False,
        "post",
        lambda c: page_url(c["promotion"], "acting_chair"),
        lambda c: {"member": c["stand_in"].pk},
        NAMERS,
        302,
    ),
    (
        "page: decide",
        False,
        "post",
        lambda c: page_url(c["promotion"], "decide"),
        lambda c: {"decision": "approve", "reason": "Proven"},
        {"acting_chair"},
        302,
    ),
    ("api: detail", True, "get", lambda c: f"{API}{c['promotion'].pk}/", None, READERS, 200),
    (
        "api: name acting chair",
        True,
        "post",
        lambda c: f"{API}{c['promotion'].pk}/acting-chair/",
        lambda c: {"member": c["stand_in"].pk},
        NAMERS,
        200,
    ),
    (
        "api: decide",
        True,
        "post",
        lambda c: f"{API}{c['promotion'].pk}/decide/",
        lambda c: {"approve": True, "reason": "Proven"},
        {"acting_chair"},
        200,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "api", "method", "url", "data", "allowed", "success"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_acting_chair_permissions(
    client, ctx, role, name, api, method, url, data, allowed, success
):
    user = ctx.get(role)
    caller = api_client(user) if api else signed_in(client, user)
    payload = data(ctx) if data else None
    extra = {"format": "json"} if api else {}
    response = getattr(caller, method)(url(ctx), payload, **extra)
    expected = expected_status(role, allowed, success, api=api)
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code}, expected {expected}"
    )
    promotion = stored(ctx["promotion"])
    changed = role in allowed and method == "post"
    assert promotion.acting_chair == (
        ctx["stand_in"] if changed and "name" in name else ctx["acting_chair"]
    )
    assert promotion.status == ("approved" if changed and "decide" in name else "pending")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_chair_and_admins_see_the_acting_chair_form(client, ctx, role):
    response = signed_in(client, ctx.get(role)).get(page_url(ctx["promotion"]))
    assert response.status_code == expected_status(role, READERS, 200, api=False)
    if response.status_code == 200:
        assert (FORM in response.text) == (role in NAMERS)
        assert ("Record decision" in response.text) == (role == "acting_chair")
