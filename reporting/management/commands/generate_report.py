"""`manage.py generate_report monthly --period 2026-10` (or `quarterly --period 2026-Q3`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.models import ReportKind
from reporting.services import ReportInProgressError, report_generate


class Command(BaseCommand):
    help = "Generate a new revision of a monthly or quarterly report and print its PDF path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument(
            "--period", required=True, help='"2026-10" for monthly, "2026-Q3" for quarterly'
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = report_generate(kind=options["kind"], period_label=options["period"])
        except ValidationError as exc:
            messages = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
            )
            raise CommandError(messages) from exc
        except ReportInProgressError as exc:
            # A worker is on it: wait for that revision (or, if it is stuck, for the sweep).
            raise CommandError(f"{exc.message} See /reports/{exc.report.pk}/.") from exc
        self.stdout.write(report.pdf.path)
