from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_stored_audit_chain


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain, against the chain head and every checkpoint, and "
        "report the first broken link."
    )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        verification = verify_stored_audit_chain()
        broken = verification.broken
        if broken is not None:
            raise CommandError(f"Audit chain broken at event #{broken.sequence}: {broken.reason}.")
        count = verification.events_checked
        checkpoints = verification.checkpoints_checked
        matched = (
            f", {checkpoints} checkpoint{'' if checkpoints == 1 else 's'} matched"
            if checkpoints
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {count} events verified{matched}.")
        )
