"""Report generation and sign-off: the only way reports change.

A generation is a new revision (max + 1 for the kind and period): nothing is ever overwritten.
While one revision of a period is queued or running, asking for that period again joins it
(`ReportInProgressError` names it) instead of making another. The data is frozen into
`snapshot` and rendered to PDF; a failure leaves the revision `failed` with the error, and
re-raises so Celery can retry the same revision. A revision whose worker died is queued again
or failed by `report_recover_stuck`. A signed-off report never changes again.

Generation and sign-off each anchor the audit trail with a checkpoint
(core.audit.record_audit_checkpoint: the number of events and the last hash, when, by whom), so
a removed tail of the trail shows. The PDF prints the checkpoint taken when it was generated:
sign-off does not re-render it (the PDF signed off is exactly the one that was reviewed), so a
checkpoint taken at sign-off cannot be on it; it is recorded all the same, includes the
sign-off's own event, and shows on the report's page.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from core.audit import audit_value, record_audit_checkpoint, record_audit_event
from core.errors import ConflictError
from core.models import AuditCheckpoint
from core.permissions import require
from reporting.models import (
    IN_PROGRESS,
    Report,
    ReportKind,
    ReportSource,
    ReportStatus,
    new_job_id,
)
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
from reporting.rules import StuckAction, StuckVerdict, stuck_report_verdict

# Queued for its first build, or failed and waiting for its job's retry.
BUILDABLE = (ReportStatus.QUEUED, ReportStatus.FAILED)
ERROR_MAX_LENGTH = 4000
_REVISION_ATTEMPTS = 5


class ReportInProgressError(ConflictError):
    """A revision of the same kind and period is already queued or running: join that one."""

    def __init__(self, report: Report) -> None:
        state = report.get_status_display().lower()
        super().__init__(
            f"The {report.get_kind_display().lower()} {report.period_label} is already being "
            f"generated: revision {report.revision} is {state}.",
            current={"id": report.pk, "revision": report.revision, "status": report.status},
        )
        self.report = report


class ReportNotBuildable(ValidationError):
    """This build has nothing to do: the revision is finished, or another job owns it."""


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)


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
    job_id: str | None = None,
) -> Report:
    """Insert a queued revision and its audit event (the caller holds the transaction)."""
    report = Report.objects.create(
        job_id=job_id or new_job_id(),
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
    job_id: str | None = None,
) -> Report:
    """Create the next revision of a report, queued; validates the kind and period first.

    Raises ReportInProgressError, naming it, while a revision of that kind and period is
    queued or running (a stuck one too: `report_recover_stuck` decides about that one).
    `job_id` is the Celery job that will build it (a new id when not given).
    """
    _check_requester(actor)
    label, start, end = _period(kind, period_label)
    for attempt in range(_REVISION_ATTEMPTS):
        try:
            with transaction.atomic():
                in_progress = (
                    Report.objects.filter(kind=kind, period_label=label, status__in=IN_PROGRESS)
                    .order_by("-revision")
                    .first()
                )
                if in_progress is not None:
                    raise ReportInProgressError(in_progress)
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
                    job_id=job_id,
                )
        except IntegrityError:
            # Someone took the same revision number, or queued the same period, at the same
            # moment: look again, and join theirs or take the next number.
            if attempt == _REVISION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _this_attempt(report: Report) -> QuerySet[Report]:
    """The revision, only while it is still the attempt that `report` started.

    A sweep may have given up on a build and handed the revision to another job; what the old
    build does afterwards must then change nothing.
    """
    return Report.objects.filter(
        pk=report.pk, status=ReportStatus.RUNNING, started_at=report.started_at
    )


def _mark_failed(report: Report, exc: BaseException) -> None:
    error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
    with transaction.atomic():
        if not _this_attempt(report).update(
            status=ReportStatus.FAILED, error=error, finished_at=timezone.now()
        ):
            return
        report.status, report.error = ReportStatus.FAILED, error
        record_audit_event(
            actor=None,
            action="report.failed",
            target=report,
            changes={"status": [ReportStatus.RUNNING, ReportStatus.FAILED], "error": [None, error]},
        )


def _generation_checkpoint(report: Report) -> dict[str, object]:
    """Checkpoint the audit trail as the report is made, for its PDF to print.

    Its own short transaction, before rendering: the chain head stays locked only for the
    insert, not while WeasyPrint works. A retried build takes a new one; an old one is still
    true of the trail as it was.
    """
    with transaction.atomic():
        checkpoint = record_audit_checkpoint(
            actor=report.requested_by,
            target=report,
            reason=f"{report} generated",
        )
    return checkpoint_summary(checkpoint)


def checkpoint_summary(checkpoint: AuditCheckpoint) -> dict[str, object]:
    """A checkpoint as the snapshot keeps it (and the PDF prints it)."""
    return {
        "events": checkpoint.sequence,
        "hash": checkpoint.hash,
        "taken_at": audit_value(checkpoint.taken_at),
    }


def _claim(report: Report, *, job_id: str | None, worker: str) -> Report:
    """Mark the revision running for this build, or raise ReportNotBuildable.

    One conditional update: of two deliveries of the same job, or a job and its replacement,
    exactly one starts building. A job (`job_id` given) builds only the revision it was sent
    for; a build from the command line (None) takes any queued or failed revision.
    """
    now = timezone.now()
    claimable = Report.objects.filter(pk=report.pk, status__in=BUILDABLE)
    if job_id is not None:
        claimable = claimable.filter(job_id=job_id)
    try:
        with transaction.atomic():
            claimed = claimable.update(status=ReportStatus.RUNNING, started_at=now, worker=worker)
    except IntegrityError:
        # A failed revision's retry, while someone has asked for the period again since.
        raise ReportNotBuildable(
            {"status": "Another revision of this period is being generated; this one stays failed."}
        ) from None
    if not claimed:
        current = Report.objects.get(pk=report.pk)
        if current.status not in BUILDABLE:
            message = f"A {current.get_status_display().lower()} report cannot be rebuilt."
        elif not current.job_id:
            message = "No job builds this report any more; generate it again."
        else:
            message = "This job was replaced by a newer one for the same report."
        raise ReportNotBuildable({"status": message})
    return Report.objects.get(pk=report.pk)


def report_build(*, report: Report, job_id: str | None = None, worker: str = "") -> Report:
    """Compute, freeze and render a queued (or failed, on retry) revision; status draft.

    `job_id` and `worker` say which Celery job on which worker builds it (None from the
    command line). Raises ReportNotBuildable when there is nothing for this build to do.
    """
    report = _claim(report, job_id=job_id, worker=worker)
    saved_name = ""
    try:
        snapshot = report_data(report.kind, report.period_start, report.period_end)
        snapshot["audit_checkpoint"] = _generation_checkpoint(report)
        pdf = render_report_pdf(
            snapshot=snapshot, period_label=report.period_label, revision=report.revision
        )
        with transaction.atomic():
            claimed = report
            report = Report.objects.select_for_update().get(pk=claimed.pk)
            if (report.status, report.started_at) != (ReportStatus.RUNNING, claimed.started_at):
                # Given up on as stuck while it ran: the revision belongs to another job now.
                return report
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


def report_stuck_verdict(
    report: Report,
    *,
    now: datetime.datetime | None = None,
    restarted_worker: str = "",
    restarted_at: datetime.datetime | None = None,
) -> StuckVerdict | None:
    """What to do about `report` if it is stuck (reporting/rules.py), with today's settings."""
    return stuck_report_verdict(
        status=report.status,
        queued_at=report.queued_at,
        started_at=report.started_at,
        worker=report.worker,
        requeues=report.requeues,
        now=now or timezone.now(),
        stale_after=stale_after(),
        max_requeues=settings.REPORT_STALE_RETRIES,
        restarted_worker=restarted_worker,
        restarted_at=restarted_at,
    )


def stuck_report_candidates(
    *, restarted_worker: str = "", restarted_at: datetime.datetime | None = None
) -> QuerySet[Report]:
    """Revisions that may be stuck: in progress for longer than the limit, or started on a
    worker before it started again. Few rows: at most one in progress per kind and period."""
    cutoff = timezone.now() - stale_after()
    stuck = Q(status=ReportStatus.RUNNING, started_at__lt=cutoff) | Q(
        status=ReportStatus.QUEUED, queued_at__lt=cutoff
    )
    if restarted_worker and restarted_at is not None:
        stuck |= Q(
            status=ReportStatus.RUNNING, worker=restarted_worker, started_at__lt=restarted_at
        )
    return Report.objects.filter(stuck).defer("snapshot").order_by("pk")


@transaction.atomic
def report_recover_stuck(
    *,
    report: Report,
    restarted_worker: str = "",
    restarted_at: datetime.datetime | None = None,
) -> Report | None:
    """Queue a stuck revision again with a new job, or fail it with the reason once it has been
    queued again REPORT_STALE_RETRIES times. `restarted_worker` started at `restarted_at`:
    what it was running before then is stuck whatever its age.

    Returns the revision as changed: queued (the caller sends its new `job_id` to the workers
    once this commits) or failed. Returns None when it is not stuck, or when another sweep
    acted first: the update is conditional on the state the verdict was made from, so two
    sweeps, or a sweep and the worker finishing, cannot both act.
    """
    now = timezone.now()
    verdict = report_stuck_verdict(
        report, now=now, restarted_worker=restarted_worker, restarted_at=restarted_at
    )
    if verdict is None:
        return None
    as_seen = Report.objects.filter(
        pk=report.pk,
        status=report.status,
        queued_at=report.queued_at,
        started_at=report.started_at,
        requeues=report.requeues,
    )
    error = verdict.reason[:ERROR_MAX_LENGTH]
    if verdict.action == StuckAction.REQUEUE:
        changes = {
            "status": [report.status, ReportStatus.QUEUED],
            "requeues": [report.requeues, report.requeues + 1],
        }
        updated = as_seen.update(
            status=ReportStatus.QUEUED,
            job_id=new_job_id(),
            queued_at=now,
            requeues=report.requeues + 1,
            error=error,
        )
        action = "report.requeued"
    else:
        changes = {"status": [report.status, ReportStatus.FAILED], "error": [None, error]}
        # No job id: a late delivery of the last job's message must not build it after all.
        updated = as_seen.update(
            status=ReportStatus.FAILED, job_id="", error=error, finished_at=now
        )
        action = "report.failed"
    if not updated:
        return None
    report = Report.objects.defer("snapshot").get(pk=report.pk)
    record_audit_event(actor=None, action=action, target=report, changes=changes, reason=error)
    return report


@transaction.atomic
def report_sign_off(*, report: Report, actor: AbstractBaseUser) -> Report:
    """A governance admin signs off a draft; a signed-off report never changes again.

    Records an audit checkpoint that includes the sign-off's event.
    """
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
    # After its event, so the checkpoint vouches for the sign-off itself.
    record_audit_checkpoint(actor=actor, target=report, reason=f"{report} signed off")
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
