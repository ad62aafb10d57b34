"""Report generation and sign-off: the only way reports change.

A generation is a new revision (max + 1 for the kind and period): nothing is ever overwritten.
The data is frozen into `snapshot` and rendered to PDF; a failure leaves the revision `failed`
with the error, and re-raises so Celery can retry the same revision. A signed-off report never
changes again.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import audit_value, record_audit_event
from core.errors import ConflictError
from core.permissions import require
from reporting.models import Report, ReportKind, ReportSource, ReportStatus
from reporting.notifications import (
    notify_report_signed_off,
    report_distribution_list,
    report_signed_off_email,
)
from reporting.pdf import render_report_pdf
from reporting.permissions import (
    GENERATE_DENIED_MESSAGE,
    SIGN_OFF_DENIED_MESSAGE,
    can_generate_reports,
    can_sign_off_reports,
)
from reporting.report_data import parse_period, report_data

BUILDABLE = (ReportStatus.QUEUED, ReportStatus.RUNNING, ReportStatus.FAILED)
ERROR_MAX_LENGTH = 4000
_REVISION_ATTEMPTS = 5


def _check_requester(actor: AbstractBaseUser | None) -> None:
    # actor None: the system (management command, scheduled task).
    if actor is not None:
        require(can_generate_reports(actor), GENERATE_DENIED_MESSAGE)


def _period(kind: str, period_label: str) -> tuple[str, datetime.date, datetime.date]:
    """The normalised label and the first and last day; a clear error names a bad kind/period."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": f'Choose "monthly" or "quarterly" (got "{kind}").'})
    start, end = parse_period(kind, period_label)
    label = period_label.strip().upper() if kind == ReportKind.QUARTERLY else period_label.strip()
    return label, start, end


def _create_revision(
    *,
    kind: str,
    label: str,
    start: datetime.date,
    end: datetime.date,
    revision: int,
    actor: AbstractBaseUser | None,
    source: str,
) -> Report:
    """Insert a queued revision and its audit event (the caller holds the transaction)."""
    report = Report.objects.create(
        kind=kind,
        period_start=start,
        period_end=end,
        period_label=label,
        revision=revision,
        status=ReportStatus.QUEUED,
        requested_by=actor if actor is not None and actor.is_authenticated else None,
        source=source,
    )
    record_audit_event(
        actor=actor,
        action="report.requested",
        target=report,
        changes={
            "kind": [None, kind],
            "period_label": [None, label],
            "revision": [None, revision],
            "source": [None, source],
        },
    )
    return report


def report_request(
    *,
    kind: str,
    period_label: str,
    actor: AbstractBaseUser | None = None,
    source: str = ReportSource.COMMAND,
) -> Report:
    """Create the next revision of a report, queued; validates the kind and period first."""
    _check_requester(actor)
    label, start, end = _period(kind, period_label)
    for attempt in range(_REVISION_ATTEMPTS):
        try:
            with transaction.atomic():
                latest = Report.objects.filter(kind=kind, period_label=label).aggregate(
                    top=Max("revision")
                )["top"]
                return _create_revision(
                    kind=kind,
                    label=label,
                    start=start,
                    end=end,
                    revision=(latest or 0) + 1,
                    actor=actor,
                    source=source,
                )
        except IntegrityError:
            # Someone took the same revision number at the same moment: take the next one.
            if attempt == _REVISION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _mark_failed(report: Report, exc: BaseException) -> None:
    error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, error=error, finished_at=timezone.now()
        )
        report.status, report.error = ReportStatus.FAILED, error
        record_audit_event(
            actor=None,
            action="report.failed",
            target=report,
            changes={"status": [ReportStatus.RUNNING, ReportStatus.FAILED], "error": [None, error]},
        )


def report_build(*, report: Report) -> Report:
    """Compute, freeze and render a queued (or failed, on retry) revision; status draft."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status not in BUILDABLE:
            raise ValidationError(
                {"status": f"A {report.get_status_display().lower()} report cannot be rebuilt."}
            )
        report.status = ReportStatus.RUNNING
        report.save(update_fields=["status"])
    saved_name = ""
    try:
        snapshot = report_data(report.kind, report.period_start, report.period_end)
        pdf = render_report_pdf(
            snapshot=snapshot, period_label=report.period_label, revision=report.revision
        )
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report.pk)
            report.snapshot = snapshot
            report.error = ""
            report.status = ReportStatus.DRAFT
            report.finished_at = timezone.now()
            name = f"{report.kind}-{report.period_label}-rev{report.revision}.pdf"
            report.pdf.save(name, ContentFile(pdf), save=False)
            saved_name = report.pdf.name
            report.save()
            record_audit_event(
                actor=None,
                action="report.generated",
                target=report,
                changes={
                    "status": [ReportStatus.RUNNING, ReportStatus.DRAFT],
                    "pdf": [None, report.pdf.name],
                },
            )
    except Exception as exc:
        if saved_name:
            # The row was rolled back: do not leave its file behind.
            report.pdf.storage.delete(saved_name)
        _mark_failed(report, exc)
        raise
    return report


def report_generate(
    *,
    kind: str,
    period_label: str,
    actor: AbstractBaseUser | None = None,
    source: str = ReportSource.COMMAND,
) -> Report:
    """Generate a new revision of a report end to end (request + build)."""
    report = report_request(kind=kind, period_label=period_label, actor=actor, source=source)
    return report_build(report=report)


@transaction.atomic
def report_sign_off(*, report: Report, actor: AbstractBaseUser) -> Report:
    """A governance admin signs off a draft; a signed-off report never changes again."""
    require(can_sign_off_reports(actor), SIGN_OFF_DENIED_MESSAGE)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        state = report.get_status_display().lower()
        # Usually someone signed it off (or regenerated it) since the page was loaded.
        raise ConflictError(
            f"Only a draft can be signed off; this one is {state}.",
            current={
                "status": report.get_status_display(),
                "signed_off_by": str(report.signed_off_by or ""),
                "signed_off_at": audit_value(report.signed_off_at),
            },
        )
    report.status = ReportStatus.SIGNED_OFF
    report.signed_off_by = actor
    report.signed_off_at = timezone.now()
    report.save(update_fields=["status", "signed_off_by", "signed_off_at"])
    record_audit_event(
        actor=actor,
        action="report.signed_off",
        target=report,
        changes={"status": [ReportStatus.DRAFT, ReportStatus.SIGNED_OFF]},
    )
    notify_report_signed_off(report)
    return report


def report_request_scheduled(*, kind: str, period_label: str) -> Report | None:
    """Queue revision 1 of a scheduled report, unless any report for that period exists.

    Returns None when one exists (whatever its status or source) or when another scheduler won
    the race: beat, a starting worker and the daily catch-up may all try at once, and the unique
    revision constraint lets exactly one of them create the row.
    """
    label, start, end = _period(kind, period_label)
    if Report.objects.filter(kind=kind, period_label=label).exists():
        return None
    try:
        with transaction.atomic():
            return _create_revision(
                kind=kind,
                label=label,
                start=start,
                end=end,
                revision=1,
                actor=None,
                source=ReportSource.SCHEDULE,
            )
    except IntegrityError:
        return None


@transaction.atomic
def report_mark_emailed(*, report: Report, recipients: Sequence[str]) -> Report:
    """Record that a signed-off report's PDF went to `recipients`; happens at most once.

    emailed_at and emailed_to are the only fields a signed-off report ever changes, and only
    from empty: the conditional update matches nothing for a draft or an already-emailed report.
    """
    now = timezone.now()
    emailed_to = "\n".join(recipients)
    updated = Report.objects.filter(
        pk=report.pk, status=ReportStatus.SIGNED_OFF, emailed_at__isnull=True
    ).update(emailed_at=now, emailed_to=emailed_to)
    if not updated:
        raise ValidationError(
            {"emailed_at": "Only a signed-off report not emailed yet can be marked as emailed."}
        )
    report.emailed_at, report.emailed_to = now, emailed_to
    record_audit_event(
        actor=None,
        action="report.emailed",
        target=report,
        changes={"emailed_at": [None, audit_value(now)], "emailed_to": [None, list(recipients)]},
        reason=f"Sent to {', '.join(recipients)}.",
    )
    return report


@transaction.atomic
def report_email(*, report: Report) -> list[str]:
    """Email a signed-off report's PDF to the distribution list, once; returns the addresses.

    Returns [] when no distribution list is configured or the report was already emailed.
    Refuses anything not signed off. The row stays locked while the email goes out, so two
    deliveries of the task cannot both send; a failed send rolls back and records nothing, so
    the retry sends again.
    """
    # of=("self",): PostgreSQL cannot lock the nullable side of the join to the signer.
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("signed_off_by")
        .get(pk=report.pk)
    )
    if report.status != ReportStatus.SIGNED_OFF:
        state = report.get_status_display().lower()
        raise ValidationError(
            {"status": f"Only a signed-off report is emailed; this one is {state}."}
        )
    if report.emailed_at is not None:
        return []
    recipients = report_distribution_list()
    if not recipients:
        return []
    report_signed_off_email(report, recipients).send()
    report_mark_emailed(report=report, recipients=recipients)
    return recipients
