"""Put reports in the demo archive: last month's draft, the month before signed off, last quarter.

Run last in `make setup`, once the portfolio, scorecards, register and gates are seeded. Two
monthly reports in a row let last month's report show what changed since the one before; the
older one is signed off by the governance admin (gina), as a real month would be. Generated
through the report services (the same path as the schedule), so each has its snapshot, PDF
and audit events. With no REPORT_DISTRIBUTION_LIST set, the sign-off emails nobody.

Idempotent: if the archive holds any report, nothing is generated.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reporting.models import Report, ReportKind, ReportSource
from reporting.schedule import due_period
from reporting.services import report_generate, report_sign_off

SIGNER = "gina"


class Command(BaseCommand):
    help = "Generate the demo's reports (idempotent: skipped when any report exists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def handle(self, *args: object, **options: object) -> None:
        if Report.objects.exists():
            if not options["quiet"]:
                self.stdout.write("The report archive is not empty; nothing generated.")
            return
        signer = get_user_model().objects.filter(username=SIGNER).first()
        if signer is None:
            raise CommandError(f'No user "{SIGNER}": run seed_demo and seed_governance first.')

        today = timezone.localdate()
        last_month = due_period(ReportKind.MONTHLY, today)
        first_of_last_month = today.replace(day=1) - datetime.timedelta(days=1)
        month_before = due_period(ReportKind.MONTHLY, first_of_last_month.replace(day=1))

        older = report_generate(
            kind=ReportKind.MONTHLY, period_label=month_before, source=ReportSource.SCHEDULE
        )
        older = report_sign_off(report=older, actor=signer)
        generated = [older]
        for kind, label in (
            (ReportKind.MONTHLY, last_month),
            (ReportKind.QUARTERLY, due_period(ReportKind.QUARTERLY, today)),
        ):
            generated.append(
                report_generate(kind=kind, period_label=label, source=ReportSource.SCHEDULE)
            )
        if not options["quiet"]:
            for report in generated:
                self.stdout.write(f"{report} ({report.get_status_display().lower()})")
