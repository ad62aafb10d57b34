"""`manage.py seed_readiness` from a given starting point: what it prints, what it needs first.

What the seeded demo holds is in test_seed_readiness.py (seeded once there).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from readiness.models import Assessment
from tests.seeding import seed_demo_up_to_readiness

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: None) -> None:
    seed_demo_up_to_readiness()


def test_seed_readiness_prints_one_summary_line_unless_quiet(demo: None) -> None:
    out = StringIO()
    call_command("seed_readiness", stdout=out)
    lines = out.getvalue().splitlines()

    assert len(lines) == 1
    assert lines[0].startswith("Readiness: 13 scorecards submitted (3 superseded")

    quiet = StringIO()
    call_command("seed_readiness", "--quiet", stdout=quiet)
    assert quiet.getvalue() == ""


def test_seed_readiness_needs_the_templates_loaded_first(db: None) -> None:
    call_command("seed_demo", quiet=True)

    with pytest.raises(CommandError, match="load_templates"):
        call_command("seed_readiness", quiet=True)
    assert not Assessment.objects.exists()
