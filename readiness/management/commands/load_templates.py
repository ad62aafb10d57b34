from django.core.management.base import BaseCommand

from readiness.services import templates_load_shipped


class Command(BaseCommand):
    help = "Load the assessment templates shipped in readiness/templates_data/ (idempotent)."

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        for version, created in templates_load_shipped():
            state = "loaded" if created else "unchanged"
            self.stdout.write(f"{version.template.key:<24} v{version.number}  {state}")
