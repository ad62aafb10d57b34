from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_audit_chain
from core.models import AuditEvent


class Command(BaseCommand):
    help = "Walk the audit trail's hash chain and report the first broken link."

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
        broken = verify_audit_chain(events)
        if broken is not None:
            raise CommandError(f"Audit chain broken at event #{broken.sequence}: {broken.reason}.")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} events verified."))
