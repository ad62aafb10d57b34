"""The portfolio's seed commands run on an empty database: what they print, what they need first.

What the seeded demo holds is in test_seed_demo.py and test_value_seed.py (seeded once there).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portfolio.demo_data import DEMO_INITIATIVES, DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db


def test_seed_prints_a_summary_and_the_demo_logins() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert f"{len(DEMO_INITIATIVES)} new" in text
    assert DEMO_USERS
    for user in DEMO_USERS:
        assert user["username"] in text
    assert DEMO_PASSWORD in text


def test_seed_prints_nothing_when_quiet() -> None:
    out = StringIO()
    call_command("seed_demo", quiet=True, stdout=out)
    assert out.getvalue() == ""


def test_seed_value_without_the_demo_portfolio_says_what_to_run():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_value")
