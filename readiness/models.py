from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio.models import Initiative, Vendor
from readiness.rules import TemplateDefinition


class AppliesTo(models.TextChoices):
    INITIATIVE = "initiative", "Initiative"
    VENDOR = "vendor", "Vendor"


class AssessmentTemplate(models.Model):
    """A named template (e.g. the readiness scorecard); its content lives in its versions."""

    key = models.SlugField(max_length=64, unique=True, help_text="The id used in DOMAIN.md")
    title = models.CharField(max_length=200)
    applies_to = models.CharField(max_length=16, choices=AppliesTo.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TemplateVersion(models.Model):
    """One immutable version of a template's items and rules.

    Assessments point at the version they were made on, so changing a template never changes
    an existing result.
    """

    template = models.ForeignKey(
        AssessmentTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    definition = models.JSONField(help_text="The validated template document, as loaded")
    checksum = models.CharField(max_length=64, help_text="sha256 of the canonical document")
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique"),
            models.UniqueConstraint(
                fields=["template", "checksum"], name="template_version_content_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @cached_property
    def parsed(self) -> TemplateDefinition:
        return TemplateDefinition.from_dict(self.definition)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SUPERSEDED = "superseded", "Superseded"


class AssessmentQuerySet(models.QuerySet):
    def submitted(self) -> AssessmentQuerySet:
        return self.filter(status=AssessmentStatus.SUBMITTED)

    def for_template(self, key: str) -> AssessmentQuerySet:
        return self.filter(template__key=key)


class Assessment(models.Model):
    """Answers to one template version about one initiative or one vendor.

    A draft changes as people type; submitting freezes it (answers and computed result), and a
    later submission of the same template for the same subject supersedes it.
    """

    # The template is stored beside its version so "the current result of this template"
    # is one indexed lookup and a database constraint.
    template = models.ForeignKey(
        AssessmentTemplate, on_delete=models.PROTECT, related_name="assessments"
    )
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="assessments"
    )
    vendor = models.ForeignKey(
        Vendor, null=True, blank=True, on_delete=models.CASCADE, related_name="assessments"
    )
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True, help_text="{item_id: answer}")
    evidence = models.JSONField(default=dict, blank=True, help_text="{item_id: text}")
    comments = models.JSONField(default=dict, blank=True, help_text="{item_id: text}")
    # Bumped by every save of a draft; a save based on an older revision is a conflict.
    revision = models.PositiveIntegerField(default=1)
    # Frozen at submission so reports never recompute history with newer rules.
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=32, blank=True)
    ready_to_scale = models.BooleanField(default=False)
    # How many areas sit at the lowest level where the template says such an area needs the
    # council's review (the result's `items_needing_review`): the review queue counts the
    # areas still waiting without reading every frozen result.
    items_needing_review_count = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(initiative__isnull=False) & Q(vendor__isnull=True))
                | (Q(initiative__isnull=True) & Q(vendor__isnull=False)),
                name="assessment_exactly_one_subject",
            ),
            # At most one current (submitted) result per template and subject.
            models.UniqueConstraint(
                fields=["template", "initiative"],
                condition=Q(status="submitted", initiative__isnull=False),
                name="assessment_one_current_per_initiative",
            ),
            models.UniqueConstraint(
                fields=["template", "vendor"],
                condition=Q(status="submitted", vendor__isnull=False),
                name="assessment_one_current_per_vendor",
            ),
            # Drafts are shared: one open draft per template and subject.
            models.UniqueConstraint(
                fields=["template", "initiative"],
                condition=Q(status="draft", initiative__isnull=False),
                name="assessment_one_draft_per_initiative",
            ),
            models.UniqueConstraint(
                fields=["template", "vendor"],
                condition=Q(status="draft", vendor__isnull=False),
                name="assessment_one_draft_per_vendor",
            ),
        ]
        indexes = [
            models.Index(fields=["initiative", "status"], name="assessment_initiative_idx"),
            models.Index(fields=["vendor", "status"], name="assessment_vendor_idx"),
            # The review queue's "areas at 1 awaiting review": only current results that have
            # any, in the queue's order (oldest submission first).
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status="submitted", items_needing_review_count__gt=0),
                name="assessment_needing_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.title} of {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("readiness:assessment_detail", args=[self.pk])

    @property
    def subject(self) -> Initiative | Vendor:
        return self.initiative if self.initiative_id else self.vendor

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT
