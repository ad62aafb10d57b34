"""Which stage and status moves an initiative may make: ALLOWED_TRANSITIONS and its rules."""

from __future__ import annotations

import pytest

from portfolio.models import Stage, Status
from portfolio.rules import ALLOWED_TRANSITIONS, stage_change_problems, status_change_problems


def test_the_table_covers_every_stage_and_every_status():
    assert set(ALLOWED_TRANSITIONS["stage"]) == set(Stage.values)
    assert set(ALLOWED_TRANSITIONS["status"]) == set(Status.values)


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [("active", "paused"), ("active", "stopped"), ("paused", "active"), ("paused", "stopped")],
)
def test_hold_resume_and_kill_are_allowed(from_status, to_status):
    assert status_change_problems(from_status=from_status, to_status=to_status) == ()


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        ("stopped", "active"),
        ("stopped", "paused"),
        ("stopped", "stopped"),
        ("active", "active"),
        ("paused", "paused"),
        ("active", "archived"),
    ],
)
def test_stopped_is_final_and_no_change_is_not_a_move(from_status, to_status):
    (problem,) = status_change_problems(from_status=from_status, to_status=to_status)
    assert problem == f"An initiative that is {from_status} cannot become {to_status}."


def test_an_admin_may_correct_a_stage_backwards():
    assert (
        stage_change_problems(
            from_stage="scale",
            to_stage="pilot",
            business_owner_named=True,
            delivery_owner_named=True,
        )
        == ()
    )


def test_staying_in_the_same_stage_is_not_a_move():
    assert stage_change_problems(
        from_stage="pilot", to_stage="pilot", business_owner_named=True, delivery_owner_named=True
    ) == ("The initiative is already in this stage.",)
