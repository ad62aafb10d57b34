"""Put reports in the demo archive: last month's review (a draft) and last quarter's summary
(signed off by the governance admin, gina, as the board pack would be).

Run last in `make setup`, once the portfolio, scorecards, register and gates are seeded.
Generated through the report services (the path the schedule takes), so each has its snapshot,
PDF and audit events. With no REPORT_DISTRIBUTION_LIST set, the sign-off emails nobody.

No older month is seeded on purpose: its snapshot would hold today's figures, and the
"since the previous report" comparison would then contradict the stage moves it lists.

Idempotent: if the archive holds any report, nothing is generated.
"""

from __future__ import annotations

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
        quarterly = self._generate(ReportKind.QUARTERLY, due_period(ReportKind.QUARTERLY, today))
        if quarterly is not None:
            quarterly = report_sign_off(report=quarterly, actor=signer)
        monthly = self._generate(ReportKind.MONTHLY, due_period(ReportKind.MONTHLY, today))
        if not options["quiet"]:
            for report in (monthly, quarterly):
                if report is not None:
                    self.stdout.write(f"{report} ({report.get_status_display().lower()})")

    def _generate(self, kind: str, period_label: str) -> Report | None:
        try:
            return report_generate(
                kind=kind, period_label=period_label, source=ReportSource.SCHEDULE
            )
        except Exception as exc:
            # A demo must still start on a machine where PDFs cannot be made (WeasyPrint needs
            # Pango); the failed revision stays in the archive with its error for the user.
            self.stderr.write(
                f"The demo {kind} report {period_label} could not be generated ({exc}); "
                f"the archive shows it as failed. See README, Reports."
            )
            return None
