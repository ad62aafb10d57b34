"""The initiative type-ahead of the filters: a text field with suggestions instead of a drop-down
of every initiative, which keeps `?initiative=<id>` and works without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import InitiativeFactory
from tests.governance.register_support import make_risk
from tests.roles import READERS, ROLES

pytestmark = pytest.mark.django_db

SUGGESTIONS = reverse("portfolio:initiative_suggestions")
RISKS = reverse("governance:risk_list")


def _options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="(\d+)">([^<]*)</option>', html)


@pytest.mark.parametrize("role", ROLES)
def test_every_gatehouse_role_may_ask_for_suggestions(client, users_by_role, role):
    if role != "anonymous":
        client.force_login(users_by_role[role])
    response = client.get(SUGGESTIONS, {"q": "loan"})
    if role == "anonymous":
        assert response.status_code == 302
    elif role not in READERS:
        assert response.status_code == 403
    else:
        assert response.status_code == 200


def test_suggestions_match_the_title_or_the_id_and_stop_at_twenty(client, executive):
    loans = [InitiativeFactory(title=f"Loan triage {n:02d}") for n in range(25)]
    other = InitiativeFactory(title="Claims intake")
    client.force_login(executive)
    options = _options(client.get(SUGGESTIONS, {"q": "LOAN tri"}).text)
    assert options == [(str(i.pk), i.title) for i in loans[:20]]
    assert (str(other.pk), "Claims intake") in _options(
        client.get(SUGGESTIONS, {"q": str(other.pk)}).text
    )
    # htmx sends the filter field's own value, named like the field.
    assert _options(client.get(SUGGESTIONS, {"initiative": "claims"}).text) == [
        (str(other.pk), "Claims intake")
    ]


def test_the_risk_register_offers_a_text_field_not_every_initiative(
    client, executive, product_owner
):
    initiatives = [
        InitiativeFactory(title=f"Initiative {n:03d}", business_owner=product_owner)
        for n in range(30)
    ]
    make_risk(initiatives[0], product_owner)
    client.force_login(executive)
    html = client.get(RISKS).text
    field = re.search(r'<input type="text" name="initiative"[^>]*>', html).group(0)
    assert 'list="id_initiative-suggestions"' in field
    assert f'hx-get="{SUGGESTIONS}"' in field
    assert "Initiative 007" not in html  # no option per initiative


def test_a_bookmarked_id_still_filters_and_names_the_initiative(client, executive, product_owner):
    loans = InitiativeFactory(title="Loans", business_owner=product_owner)
    hiring = InitiativeFactory(title="Hiring", business_owner=product_owner)
    make_risk(loans, product_owner, description="Late legal review")
    make_risk(hiring, product_owner, description="No bias testing")
    client.force_login(executive)
    html = client.get(RISKS, {"initiative": loans.pk}).text
    assert "Late legal review" in html and "No bias testing" not in html
    assert f'value="{loans.pk}"' in html
    assert '<span class="helptext" id="id_initiative-suggestions-chosen">Loans</span>' in html


def test_without_javascript_a_typed_title_filters_too(client, executive, product_owner):
    loans = InitiativeFactory(title="Loans", business_owner=product_owner)
    hiring = InitiativeFactory(title="Hiring", business_owner=product_owner)
    make_risk(loans, product_owner, description="Late legal review")
    make_risk(hiring, product_owner, description="No bias testing")
    client.force_login(executive)
    html = client.get(RISKS, {"initiative": "  loans "}).text
    assert "Late legal review" in html and "No bias testing" not in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("999999", "No initiative has the id 999999."),
        ("Loan", "No initiative is titled “Loan”"),
        ("Twins", "Several initiatives are titled “Twins”: type the id of the one you mean."),
    ],
)
def test_a_value_that_names_no_single_initiative_is_an_error_on_the_field(
    client, executive, typed, message
):
    InitiativeFactory(title="Loans")
    InitiativeFactory(title="Twins")
    InitiativeFactory(title="twins")
    client.force_login(executive)
    response = client.get(RISKS, {"initiative": typed})
    assert response.status_code == 200
    assert any(message in error for error in response.context["filter"].errors["initiative"])


def test_the_api_keeps_the_initiative_id_filter(client, executive, product_owner):
    loans = InitiativeFactory(title="Loans", business_owner=product_owner)
    risk = make_risk(loans, product_owner)
    make_risk(InitiativeFactory(title="Hiring", business_owner=product_owner), product_owner)
    client.force_login(executive)
    body = client.get("/api/v1/risks/", {"initiative": loans.pk}).json()
    assert [row["id"] for row in body["results"]] == [risk.pk]
