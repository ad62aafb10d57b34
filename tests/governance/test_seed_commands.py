"""`manage.py seed_gates` from other starting points: without the register's seed, with an
initiative that left its stage, what it prints and what it needs first.

What the seeded demo holds is in test_seed_gates.py (seeded once there).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from governance.models import GateRequest, GateRequestStatus
from portfolio.models import Initiative, Status
from tests.seeding import seed_demo_up_to_gates

pytestmark = pytest.mark.django_db

COLLECTIONS = "Payment collections automation"
INSIGHT = "Insight synthesis for CX"


def _pending(title: str):  # noqa: ANN202
    return GateRequest.objects.filter(initiative__title=title, status=GateRequestStatus.PENDING)


def _request(title: str) -> GateRequest:
    return _pending(title).get()


def test_without_the_register_only_the_missing_checklist_is_justified(db: None) -> None:
    seed_demo_up_to_gates(register=False)

    call_command("seed_gates", quiet=True)

    request = _request(COLLECTIONS)
    assert [item["id"] for item in request.evidence if not item["passed"]] == ["checklist_passed"]
    assert "risk" not in request.justification.split("What fails today")[1]
    assert request.votes.count() == 1


def test_an_initiative_no_longer_in_the_stage_is_skipped_and_said_so(db: None) -> None:
    seed_demo_up_to_gates()
    Initiative.objects.filter(title=COLLECTIONS).update(status=Status.PAUSED)

    out = StringIO()
    call_command("seed_gates", stdout=out)

    assert not _pending(COLLECTIONS).exists()
    assert _pending(INSIGHT).exists()
    assert f"{COLLECTIONS} is paused (hold) in Pilot" in out.getvalue()


def test_seed_gates_prints_one_summary_line_unless_quiet(db: None) -> None:
    seed_demo_up_to_gates()
    out = StringIO()
    call_command("seed_gates", stdout=out)

    assert out.getvalue().splitlines() == [
        "Gates: 2 pending gate requests filed with 2 votes, 1 autonomy promotion(s) requested, "
        "1 meeting(s) scheduled; 0 already there, skipped."
    ]
    quiet = StringIO()
    call_command("seed_gates", "--quiet", stdout=quiet)
    assert quiet.getvalue() == ""


def test_seed_gates_needs_the_readiness_seed_first(db: None) -> None:
    call_command("seed_demo", quiet=True)
    call_command("load_templates", stdout=StringIO())
    call_command("seed_governance", quiet=True)

    with pytest.raises(CommandError, match="seed_readiness"):
        call_command("seed_gates", quiet=True)
    assert not GateRequest.objects.exists()
