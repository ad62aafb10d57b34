"""Give the demo portfolio its value data: a KPI per initiative, monthly measurements, adoption
and run costs, through the same services the app uses.

Run after seed_demo. Idempotent: an initiative that already has a KPI is skipped entirely, and a
missing demo initiative is skipped with a note, so a second run writes nothing.

The KPIs come from each initiative's problem statement (same KPI, baseline, target and date).
Some are on track, some off: Sales call coaching (adoption 24 of 200) and Insight synthesis are
behind their path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portfolio.demo_data import DEMO_ADMIN_USERNAME
from portfolio.models import Initiative, Kpi
from portfolio.permissions import can_edit_initiative
from portfolio.services import initiative_update
from portfolio.value.services import adoption_set, kpi_set, measurements_import_csv


@dataclass(frozen=True)
class ValueSpec:
    title: str
    kpi: dict[str, Any]
    measurements: tuple[tuple[date, str, str], ...]  # (day, value, note)
    active_users: int | None
    target_users: int | None
    # Set only when the initiative has no monthly run cost yet.
    monthly_run_cost: Decimal | None = None


def _kpi(name: str, unit: str, direction: str, baseline: str, target: str, by: date, budget: str):  # noqa: ANN202, PLR0913
    return {
        "name": name,
        "unit": unit,
        "direction": direction,
        "baseline": Decimal(baseline),
        "target": Decimal(target),
        "target_date": by,
        "error_budget": Decimal(budget),
    }


VALUE_SPECS: tuple[ValueSpec, ...] = (
    ValueSpec(
        "Loan application document extraction",
        _kpi(
            "Median time from application received to underwriting start",
            "days",
            "decrease",
            "4",
            "1",
            date(2025, 9, 30),
            "0.25",
        ),
        (
            (date(2025, 6, 30), "2.1", "Extraction live for mortgages"),
            (date(2025, 9, 30), "1.2", ""),
            (date(2026, 3, 31), "1.0", "Target reached"),
            (date(2026, 6, 30), "0.9", ""),
            (date(2026, 9, 30), "0.9", ""),
        ),
        140,
        150,
    ),
    ValueSpec(
        "Self-hosted AI code review",
        _kpi(
            "Median time from pull request opened to first review",
            "hours",
            "decrease",
            "26",
            "4",
            date(2027, 3, 31),
            "2",
        ),
        (
            (date(2026, 7, 31), "26", "Pilot starts in two teams"),
            (date(2026, 8, 31), "21", ""),
            (date(2026, 9, 30), "17", ""),
            (date(2026, 10, 31), "13", "Third team joins"),
        ),
        60,
        180,
        Decimal("3500"),
    ),
    ValueSpec(
        "Sales call coaching",
        _kpi(
            "Win rate of account executives in their first 12 months",
            "%",
            "increase",
            "18",
            "23",
            date(2026, 12, 31),
            "0.5",
        ),
        (
            (date(2026, 5, 31), "18.0", ""),
            (date(2026, 6, 30), "18.4", ""),
            (date(2026, 8, 31), "18.6", "Few AEs use the coaching summaries"),
            (date(2026, 10, 31), "18.9", ""),
        ),
        24,
        200,
    ),
    ValueSpec(
        "Customer triage and routing",
        _kpi(
            "Median first-response time on email",
            "hours",
            "decrease",
            "14",
            "2",
            date(2026, 9, 30),
            "1",
        ),
        (
            (date(2026, 1, 31), "14", "Baseline month"),
            (date(2026, 3, 31), "11", ""),
            (date(2026, 5, 31), "8", ""),
            (date(2026, 7, 31), "5.5", ""),
            (date(2026, 9, 30), "3", ""),
            (date(2026, 10, 31), "2.5", "Holiday backlog"),
        ),
        85,
        90,
    ),
    ValueSpec(
        "Payment collections automation",
        _kpi(
            "Days sales outstanding (Benelux SME segment)",
            "days",
            "decrease",
            "52",
            "42",
            date(2027, 3, 31),
            "1.5",
        ),
        (
            (date(2026, 8, 31), "52", ""),
            (date(2026, 9, 30), "50.5", ""),
            (date(2026, 10, 31), "49", ""),
        ),
        6,
        12,
        Decimal("1800"),
    ),
    ValueSpec(
        "Insight synthesis for CX",
        _kpi(
            "Days from a theme appearing in tickets to a backlog item",
            "days",
            "decrease",
            "21",
            "5",
            date(2026, 12, 31),
            "2",
        ),
        (
            (date(2026, 5, 31), "21", ""),
            (date(2026, 7, 31), "17", ""),
            (date(2026, 9, 30), "14", "Product managers read the brief but rarely file items"),
            (date(2026, 10, 31), "13", ""),
        ),
        9,
        25,
    ),
    ValueSpec(
        "Operations knowledge assistant",
        _kpi(
            "Median handle time per refund case",
            "minutes",
            "decrease",
            "18",
            "12",
            date(2027, 2, 26),
            "1",
        ),
        (
            (date(2026, 6, 30), "18", ""),
            (date(2026, 8, 31), "16.5", ""),
            (date(2026, 10, 31), "15.2", ""),
        ),
        45,
        120,
        Decimal("2200"),
    ),
    ValueSpec(
        "Renewal briefing for enterprise CSMs",
        _kpi(
            "Median renewal preparation time",
            "minutes",
            "decrease",
            "180",
            "20",
            date(2027, 1, 29),
            "15",
        ),
        (
            (date(2026, 8, 31), "180", ""),
            (date(2026, 9, 30), "165", ""),
            (date(2026, 10, 31), "120", ""),
        ),
        14,
        40,
    ),
)


def _csv(spec: ValueSpec) -> str:
    lines = ["measured_on,value,note"]
    lines += [f'{day.isoformat()},{value},"{note}"' for day, value, note in spec.measurements]
    return "\n".join(lines) + "\n"


@transaction.atomic
def seed_value() -> tuple[int, int, list[str]]:
    """(seeded, already there, missing titles). Never changes an initiative that has a KPI."""
    admin = get_user_model().objects.filter(username=DEMO_ADMIN_USERNAME).first()
    if admin is None:
        raise CommandError("The demo users are missing: run `manage.py seed_demo` first.")
    seeded, existing, missing = 0, 0, []
    for spec in VALUE_SPECS:
        initiative = (
            Initiative.objects.select_related("business_owner").filter(title=spec.title).first()
        )
        if initiative is None:
            missing.append(spec.title)
            continue
        if Kpi.objects.filter(initiative=initiative).exists():
            existing += 1
            continue
        owner = initiative.business_owner
        actor = owner if owner and can_edit_initiative(owner, initiative) else admin
        kpi = kpi_set(initiative=initiative, actor=actor, data=spec.kpi, expected_version=0)
        measurements_import_csv(kpi=kpi, actor=actor, text=_csv(spec))
        adoption_set(
            initiative=initiative,
            actor=actor,
            active_users=spec.active_users,
            target_users=spec.target_users,
        )
        if spec.monthly_run_cost is not None and initiative.monthly_run_cost is None:
            initiative_update(
                initiative=initiative,
                actor=admin,
                data={"monthly_run_cost": spec.monthly_run_cost},
                expected_version=None,
            )
        seeded += 1
    return seeded, existing, missing


class Command(BaseCommand):
    help = "Give the demo initiatives a KPI, measurements, adoption and run costs (idempotent)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--quiet", action="store_true", help="Print nothing (errors still go to stderr)."
        )

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        seeded, existing, missing = seed_value()
        if not quiet:
            self.stdout.write(
                f"Value data: {seeded} initiative(s) seeded, {existing} already had a KPI."
            )
            for title in missing:
                self.stdout.write(f"Skipped “{title}”: not in the portfolio.")
