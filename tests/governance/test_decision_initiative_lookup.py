"""/decisions/new/ names the decision's initiative with the type-ahead (a text field with
suggestions), not a drop-down of every initiative; without JavaScript an id or the exact title
works, and empty means the whole portfolio."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import LeadershipDecision
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

NEW = reverse("governance:leadership_decision_create")
SUGGESTIONS = reverse("portfolio:initiative_suggestions")


def decision_post(governance_admin, initiative: str) -> dict[str, object]:
    return {
        "initiative": initiative,
        "question": "Fund a second pilot market?",
        "options": "Fund now\nWait a quarter",
        "implications": "",
        "owner": governance_admin.pk,
        "due_date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    }


@pytest.fixture
def loans(db):
    return InitiativeFactory(title="Loan document extraction")


def test_the_form_offers_a_text_field_with_suggestions_not_every_initiative(
    client, governance_admin
):
    for n in range(30):
        InitiativeFactory(title=f"Initiative {n:03d}")
    client.force_login(governance_admin)

    html = client.get(NEW).text

    field = re.search(r'<input type="text" name="initiative"[^>]*>', html).group(0)
    assert 'list="id_initiative-suggestions"' in field
    assert f'hx-get="{SUGGESTIONS}"' in field
    assert '<label for="id_initiative">' in html
    assert "Initiative 007" not in html


@pytest.mark.parametrize("typed", ["id", "  loan DOCUMENT extraction "])
def test_a_typed_id_or_exact_title_names_the_initiative(client, governance_admin, loans, typed):
    client.force_login(governance_admin)

    response = client.post(
        NEW, decision_post(governance_admin, str(loans.pk) if typed == "id" else typed)
    )

    assert response.status_code == 302
    decision = LeadershipDecision.objects.get()
    assert decision.initiative == loans
    assert decision.question == "Fund a second pilot market?"


def test_left_empty_the_decision_is_about_the_whole_portfolio(client, governance_admin, loans):
    client.force_login(governance_admin)

    response = client.post(NEW, decision_post(governance_admin, ""))

    assert response.status_code == 302
    assert LeadershipDecision.objects.get().initiative is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("999999", "No initiative has the id 999999."),
        ("Loan", "No initiative is titled “Loan”"),
        ("twins", "Several initiatives are titled “twins”: type the id of the one you mean."),
    ],
)
def test_a_value_that_names_no_single_initiative_is_refused_on_the_field(
    client, governance_admin, loans, typed, message
):
    InitiativeFactory(title="Twins")
    InitiativeFactory(title="TWINS")
    client.force_login(governance_admin)

    response = client.post(NEW, decision_post(governance_admin, typed))

    assert response.status_code == 200  # the form again, with the error
    assert any(message in error for error in response.context["form"].errors["initiative"])
    assert not LeadershipDecision.objects.exists()


def test_after_another_field_is_refused_the_chosen_initiative_is_kept_and_named(
    client, governance_admin, loans
):
    client.force_login(governance_admin)

    response = client.post(NEW, {**decision_post(governance_admin, str(loans.pk)), "question": ""})

    assert response.status_code == 200  # the form again, with the error
    html = response.text
    assert f'value="{loans.pk}"' in html
    assert (
        '<span class="helptext" id="id_initiative-suggestions-chosen">'
        "Loan document extraction</span>"
    ) in html
