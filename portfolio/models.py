from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.functional import cached_property

from portfolio.vocabulary import STAGE_IDS, STAGE_LABELS, STATUS_LABELS

# The one-page template's parts plus the measurable extras, in the order the page shows them.
PROBLEM_STATEMENT_FIELDS: tuple[str, ...] = (
    "user_team",
    "friction",
    "cause",
    "cost",
    "desired_outcome",
    "success_metric",
    "constraints",
    "kpi",
    "baseline",
    "target",
    "target_date",
    "non_ai_alternative",
)


class Stage(models.TextChoices):
    EXPLORATION = "exploration", STAGE_LABELS["exploration"]
    PILOT = "pilot", STAGE_LABELS["pilot"]
    CONTROLLED_ROLLOUT = "controlled_rollout", STAGE_LABELS["controlled_rollout"]
    SCALE = "scale", STAGE_LABELS["scale"]
    OPERATION = "operation", STAGE_LABELS["operation"]


STAGE_ORDER: tuple[str, ...] = STAGE_IDS


class Status(models.TextChoices):
    ACTIVE = "active", STATUS_LABELS["active"]
    PAUSED = "paused", STATUS_LABELS["paused"]
    STOPPED = "stopped", STATUS_LABELS["stopped"]


class AutonomyLevel(models.TextChoices):
    ASSISTANT = "assistant", "Assistant (AI drafts, humans apply)"
    AGENT = "agent", "Agent (bounded actions with rules and rollback)"
    AUTOMATED_WORKFLOW = "automated_workflow", "Automated workflow (humans for high-risk cases)"


class RiskTier(models.TextChoices):
    PROHIBITED = "prohibited", "Prohibited (Art. 5)"
    HIGH = "high", "High risk (Art. 6, Annex III)"
    LIMITED = "limited", "Limited (transparency, Art. 50)"
    MINIMAL = "minimal", "Minimal"


class Sourcing(models.TextChoices):
    BUILD = "build", "Build"
    BUY = "buy", "Buy"
    PARTNER = "partner", "Partner"


class ValueCategory(models.TextChoices):
    COST = "cost", "Cost"
    SPEED = "speed", "Speed"
    QUALITY = "quality", "Quality"
    REVENUE = "revenue", "Revenue"
    RISK_REDUCTION = "risk_reduction", "Risk reduction"


_MONEY = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}
NOT_NEGATIVE = MinValueValidator(0, message="An amount cannot be negative.")


class BusinessUnit(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Vendor(models.Model):
    name = models.CharField(max_length=120, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def stage_rank() -> Case:
    """An integer expression that sorts stages in their lifecycle order, not alphabetically."""
    return Case(
        *(When(stage=stage, then=Value(rank)) for rank, stage in enumerate(STAGE_ORDER)),
        output_field=models.IntegerField(),
    )


class InitiativeQuerySet(models.QuerySet):
    def with_list_relations(self) -> InitiativeQuerySet:
        return self.select_related(
            "business_unit", "business_owner", "delivery_owner", "executive_sponsor"
        )

    def with_detail_relations(self) -> InitiativeQuerySet:
        return self.select_related(
            "business_unit",
            "business_owner",
            "delivery_owner",
            "executive_sponsor",
            "value_owner",
            "safety_owner",
            "created_by",
            "problem_statement",
            "kpi",
        ).prefetch_related(
            "vendors",
            # The Value section's status needs every measurement's day and value; one query, and
            # none when the initiative has no KPI.
            models.Prefetch(
                "kpi__measurements",
                queryset=KpiMeasurement.objects.only("id", "kpi_id", "measured_on", "value"),
            ),
        )

    def owned_by(self, user_id: int) -> InitiativeQuerySet:
        return self.filter(Q(business_owner_id=user_id) | Q(delivery_owner_id=user_id))

    def search(self, text: str) -> InitiativeQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(value_statement__icontains=text)
            | Q(business_unit__name__icontains=text)
        )

    def with_stage_rank(self) -> InitiativeQuerySet:
        return self.annotate(stage_rank=stage_rank())


class Initiative(models.Model):
    """An AI use case in the portfolio, from exploration to operation."""

    title = models.CharField(max_length=200)
    business_unit = models.ForeignKey(
        BusinessUnit, on_delete=models.PROTECT, related_name="initiatives"
    )
    business_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives_as_business_owner",
    )
    delivery_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives_as_delivery_owner",
    )
    executive_sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives_as_sponsor",
    )
    value_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives_as_value_owner",
    )
    safety_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives_as_safety_owner",
    )
    escalation_path = models.TextField(blank=True)
    stage = models.CharField(max_length=32, choices=Stage.choices, default=Stage.EXPLORATION)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    autonomy_level = models.CharField(
        max_length=32, choices=AutonomyLevel.choices, default=AutonomyLevel.ASSISTANT
    )
    eu_ai_act_tier = models.CharField(
        "EU AI Act risk tier", max_length=16, choices=RiskTier.choices, default=RiskTier.MINIMAL
    )
    sourcing = models.CharField(
        "build / buy / partner", max_length=16, choices=Sourcing.choices, default=Sourcing.BUILD
    )
    vendors = models.ManyToManyField(Vendor, blank=True, related_name="initiatives")
    value_category = models.CharField(max_length=32, choices=ValueCategory.choices)
    value_statement = models.CharField(max_length=300, blank=True)
    poc_budget = models.DecimalField("POC budget", validators=[NOT_NEGATIVE], **_MONEY)
    production_budget_estimate = models.DecimalField(validators=[NOT_NEGATIVE], **_MONEY)
    actual_spend = models.DecimalField(validators=[NOT_NEGATIVE], **_MONEY)
    monthly_run_cost = models.DecimalField(validators=[NOT_NEGATIVE], **_MONEY)
    # Adoption: people using it now against the people it is meant for.
    active_users = models.PositiveIntegerField(null=True, blank=True)
    target_users = models.PositiveIntegerField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    # The day the review-due reminder for the current next_review_date was sent. The daily job
    # claims an initiative by setting it with a conditional UPDATE, so a rerun or a second worker
    # sends nothing twice; moving next_review_date past it makes the initiative due again.
    review_reminder_sent_on = models.DateField(null=True, blank=True, editable=False)
    # Bumped by every update; an edit made on an older version is refused as a conflict.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="initiative_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="initiative_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(eu_ai_act_tier__in=RiskTier.values), name="initiative_tier_valid"
            ),
            models.CheckConstraint(
                condition=Q(next_review_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(next_review_date__gte=models.F("start_date")),
                name="initiative_review_after_start",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"initiative_{name}_not_negative",
                )
                for name in (
                    "poc_budget",
                    "production_budget_estimate",
                    "actual_spend",
                    "monthly_run_cost",
                )
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "status"], name="initiative_stage_status_idx"),
            # The portfolio list's default order (ORDER BY title, id), the initiative
            # type-ahead's matches and the "not yet assessed" line of the heatmap read a page
            # in this order without sorting every initiative.
            models.Index(fields=["title", "id"], name="initiative_title_id_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portfolio:initiative_detail", args=[self.pk])

    def clean(self) -> None:
        if self.start_date and self.next_review_date and self.next_review_date < self.start_date:
            raise ValidationError(
                {"next_review_date": "The next review date cannot be before the start date."}
            )

    def is_owner(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in (self.business_owner_id, self.delivery_owner_id)


class StageTransitionQuerySet(models.QuerySet):
    def stage_moves(self) -> StageTransitionQuerySet:
        """Rows that moved the stage (reports count these as "stage moves")."""
        return self.filter(to_status="")

    def status_changes(self) -> StageTransitionQuerySet:
        """Rows that paused, resumed or stopped the initiative in its stage."""
        return self.exclude(to_status="")


class StageTransition(models.Model):
    """A stage or status change, with who made it and why (one row per change).

    A row is one or the other, never both (the constraint below): a stage move has different
    stages and no status; a status change (pause, resume, stop) keeps the stage in both columns
    and names the statuses. `gate_request_id` is the governance gate request whose decision
    caused it, if any: a plain id, because the portfolio is the base layer and depends on no
    app built on it (governance.GateRequest.pk; nothing is deleted there, so it stays valid).
    """

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="stage_transitions"
    )
    from_stage = models.CharField(max_length=32, choices=Stage.choices)
    to_stage = models.CharField(max_length=32, choices=Stage.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    gate_request_id = models.PositiveIntegerField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    reason = models.TextField()
    occurred_at = models.DateTimeField(auto_now_add=True)

    objects = StageTransitionQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(from_status="", to_status="") & ~Q(from_stage=models.F("to_stage")))
                | (
                    Q(from_stage=models.F("to_stage"))
                    & Q(from_status__in=Status.values, to_status__in=Status.values)
                    & ~Q(from_status=models.F("to_status"))
                ),
                name="stage_transition_stage_move_or_status_change",
            ),
        ]

    def __str__(self) -> str:
        if self.is_status_change:
            return f"{self.initiative}: {self.from_status} → {self.to_status}"
        return f"{self.initiative}: {self.from_stage} → {self.to_stage}"

    @property
    def is_status_change(self) -> bool:
        return bool(self.to_status)


class ProblemStatement(models.Model):
    """The current one-page problem statement of an initiative; every save adds a version."""

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="problem_statement"
    )
    user_team = models.CharField("specific user or team", max_length=300, blank=True)
    friction = models.TextField("specific friction", max_length=2000, blank=True)
    cause = models.TextField(
        "current constraint or workflow breakdown", max_length=2000, blank=True
    )
    cost = models.TextField(
        "measurable cost, delay, risk or missed opportunity", max_length=2000, blank=True
    )
    desired_outcome = models.TextField(max_length=2000, blank=True)
    success_metric = models.TextField(max_length=1000, blank=True)
    constraints = models.TextField(
        "constraints (data, workflow, compliance, security, customer)",
        max_length=2000,
        blank=True,
    )
    kpi = models.CharField("single KPI that must move", max_length=200, blank=True)
    baseline = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=200, blank=True)
    target_date = models.DateField(null=True, blank=True)
    non_ai_alternative = models.TextField("non-AI alternative", max_length=2000, blank=True)
    clarity_score = models.PositiveSmallIntegerField(
        "suggested problem-clarity score", default=1, help_text="1–5, from the statement checks"
    )
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(clarity_score__gte=1, clarity_score__lte=5),
                name="problem_statement_clarity_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"Problem statement of {self.initiative}"

    def clean(self) -> None:
        start = self.initiative.start_date if self.initiative_id else None
        if self.target_date and start and self.target_date < start:
            raise ValidationError(
                {
                    "target_date": (
                        "The target date cannot be before the initiative's start date "
                        f"({start:%d %b %Y})."
                    )
                }
            )

    def content(self) -> dict[str, object]:
        """The statement's fields as plain values (dates as ISO strings), in template order."""
        values: dict[str, object] = {}
        for name in PROBLEM_STATEMENT_FIELDS:
            value = getattr(self, name)
            values[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return values


class ProblemStatementVersion(models.Model):
    """A frozen copy of a problem statement as it was saved; never edited."""

    statement = models.ForeignKey(
        ProblemStatement, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    content = models.JSONField()
    clarity_score = models.PositiveSmallIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "number"], name="problem_statement_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number} of {self.statement}"


class KpiDirection(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"


class MeasurementSource(models.TextChoices):
    BROWSER = "browser", "Entered in the browser"
    API = "api", "API"
    CSV = "csv", "CSV upload"


_KPI_NUMBER = {"max_digits": 16, "decimal_places": 4}


class Kpi(models.Model):
    """The one KPI an initiative must move: where it starts, where it must get to, and by when."""

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE, related_name="kpi")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60, help_text="e.g. hours, days, documents per month")
    direction = models.CharField(max_length=16, choices=KpiDirection.choices)
    baseline = models.DecimalField(**_KPI_NUMBER)
    target = models.DecimalField(**_KPI_NUMBER)
    target_date = models.DateField()
    # How far behind the straight-line path to target a measurement may be and still count as
    # on track, in the KPI's own unit.
    error_budget = models.DecimalField(
        **_KPI_NUMBER, default=0, validators=[MinValueValidator(0, "Cannot be negative.")]
    )
    # Bumped by every update; an edit made on an older version is refused as a conflict.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=KpiDirection.values), name="kpi_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(error_budget__gte=0), name="kpi_error_budget_not_negative"
            ),
            # A target equal to the baseline would make "progress" meaningless.
            models.CheckConstraint(
                condition=~Q(target=models.F("baseline")), name="kpi_target_differs_from_baseline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    @cached_property
    def current_status(self):  # noqa: ANN201 — a portfolio.value.rules.KpiStatus
        """Where the KPI stands today, from its measurements (one query, or none if prefetched)."""
        from django.utils import timezone

        from portfolio.value.rules import kpi_status

        return kpi_status(
            direction=self.direction,
            baseline=self.baseline,
            target=self.target,
            target_date=self.target_date,
            error_budget=self.error_budget,
            measurements=[(m.measured_on, m.value) for m in self.measurements.all()],
            today=timezone.localdate(),
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.baseline is not None and self.target is not None:
            if self.target == self.baseline:
                errors["target"] = "The target must differ from the baseline."
            elif self.direction == KpiDirection.INCREASE and self.target < self.baseline:
                errors["target"] = (
                    "For a KPI where higher is better the target must be above the baseline."
                )
            elif self.direction == KpiDirection.DECREASE and self.target > self.baseline:
                errors["target"] = (
                    "For a KPI where lower is better the target must be below the baseline."
                )
        if errors:
            raise ValidationError(errors)


class KpiMeasurement(models.Model):
    """One value of an initiative's KPI on one day."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(**_KPI_NUMBER)
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(
        max_length=16, choices=MeasurementSource.choices, default=MeasurementSource.BROWSER
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measured_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "measured_on"], name="kpi_measurement_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(source__in=MeasurementSource.values),
                name="kpi_measurement_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} on {self.measured_on}"
