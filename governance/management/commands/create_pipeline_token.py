"""manage.py create_pipeline_token <name>: a read-only API token for a deployment pipeline."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.gates.pipeline_access import pipeline_token_issue


class Command(BaseCommand):
    help = (
        "Create (idempotently) the user pipeline-<name> in the 'pipeline' group and print its "
        "API token. The token may only GET /api/v1/initiatives/<id>/gate-status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Pipeline name, e.g. ci-prod (lowercase slug)")
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Replace the existing token; the old one stops working at once.",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        try:
            issued = pipeline_token_issue(name=options["name"], rotate=options["rotate"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if issued.user_created:
            note = "created"
        elif issued.token_created:
            note = "new token issued"
        else:
            note = "already existed; same token"
        # The token alone on stdout, so `TOKEN=$(manage.py create_pipeline_token ci)` works.
        self.stderr.write(
            f"{issued.user.get_username()}: {note}. Use it as "
            "'Authorization: Token <token>' on GET /api/v1/initiatives/<id>/gate-status?stage=…"
        )
        self.stdout.write(issued.key)
