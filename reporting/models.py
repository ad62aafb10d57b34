"""Executive reports: a frozen snapshot of the portfolio for one period, rendered to PDF.

Each generation is a new revision; a report is never overwritten, and a signed-off one never
changes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils import timezone

from core.people import display_name


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly executive review"
    QUARTERLY = "quarterly", "Quarterly board summary"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DRAFT = "draft", "Draft"
    FAILED = "failed", "Failed"
    SIGNED_OFF = "signed_off", "Signed off"


# A report a worker is on, or waiting for one: at most one per kind and period.
IN_PROGRESS = (ReportStatus.QUEUED, ReportStatus.RUNNING)


class ReportSource(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    BROWSER = "browser", "Browser"
    COMMAND = "command", "Command line"
    API = "api", "API"


def new_job_id() -> str:
    """An id for the Celery job that is to build a revision (Celery takes it as the task id)."""
    return str(uuid.uuid4())


class ReportQuerySet(models.QuerySet):
    def for_display(self) -> ReportQuerySet:
        """What a row or a report page shows: its people, and not the (large) frozen snapshot,
        only the moment it was computed (`snapshot_generated_at`)."""
        return (
            self.select_related("requested_by", "signed_off_by")
            .defer("snapshot")
            .annotate(snapshot_generated_at=KT("snapshot__generated_at"))
        )


class Report(models.Model):
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=16, help_text='e.g. "2026-10" or "2026-Q3"')
    revision = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    snapshot = models.JSONField(default=dict, blank=True, help_text="The frozen report data")
    pdf = models.FileField(upload_to="reports/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(
        max_length=16, choices=ReportSource.choices, default=ReportSource.COMMAND
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # How a revision gets built in the background (reporting/rules.py says when it is stuck).
    job_id = models.CharField(
        max_length=64,
        blank=True,
        default=new_job_id,
        help_text="The Celery job that is to build it; a message of an older job is ignored. "
        "Empty once no job will build it again.",
    )
    queued_at = models.DateTimeField(
        default=timezone.now, help_text="When it was last handed to the workers"
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last started building it"
    )
    worker = models.CharField(
        max_length=255, blank=True, help_text="The worker that last started building it"
    )
    requeues = models.PositiveSmallIntegerField(
        default=0, help_text="Times it was queued again because it was stuck"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the signed-off PDF went to the distribution list"
    )
    emailed_to = models.TextField(blank=True, help_text="The addresses it went to, one per line")

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_label", "revision"], name="report_unique_revision"
            ),
            # A second request for a period being generated joins that revision
            # (services.report_request); this makes two requests at the same moment fail too.
            models.UniqueConstraint(
                fields=["kind", "period_label"],
                condition=Q(status__in=IN_PROGRESS),
                name="report_one_in_progress_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_label} rev {self.revision}"

    @property
    def generated_by(self) -> str:
        """The person who asked for it, else where it came from (Schedule, Command line, API)."""
        if self.requested_by is not None:
            return display_name(self.requested_by)
        return self.get_source_display()

    def download_name(self, suffix: str = ".pdf") -> str:
        return f"{self.kind}-{self.period_label}-rev{self.revision}{suffix}"
