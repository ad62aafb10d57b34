"""Stage gates and the council's work: policies, requests, votes, decisions, risks, incidents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio.models import AutonomyLevel, Initiative, Stage
from portfolio.vocabulary import HIGH_RISK_SEVERITY


class Seat(models.TextChoices):
    """The perspective a council member brings; policies require approvals from seats."""

    SECURITY = "security", "Security"
    LEGAL = "legal", "Legal"
    DATA = "data", "Data"
    PRODUCT = "product", "Product"
    EXECUTIVE = "executive", "Executive"


class CouncilMembership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="council_membership"
    )
    seat = models.CharField(max_length=16, choices=Seat.choices)
    is_chair = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["seat", "user__username"]
        constraints = [
            # Exactly one person records decisions; two active chairs would make "the chair's
            # decision" ambiguous (serves council_membership_set's check under concurrency).
            models.UniqueConstraint(
                fields=["is_chair"],
                condition=Q(is_chair=True, active=True),
                name="council_one_active_chair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_seat_display()})"


class GatePolicy(models.Model):
    """The gate for one transition; its rules live in versions."""

    from_stage = models.CharField(max_length=32, choices=Stage.choices)
    to_stage = models.CharField(max_length=32, choices=Stage.choices)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["from_stage", "to_stage"], name="gate_policy_unique")
        ]

    def __str__(self) -> str:
        return self.title


class GatePolicyVersion(models.Model):
    """One immutable version of a gate's criteria and decision rules.

    `criteria` is a list of {"id": criterion id, "params": {...}} evaluated by
    governance.gates.rules; `decider_roles` are Gatehouse roles whose votes count;
    `required_seats` must each have at least one approval.
    """

    policy = models.ForeignKey(GatePolicy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    criteria = models.JSONField()
    decider_roles = models.JSONField(default=list)
    quorum = models.PositiveSmallIntegerField(default=2)
    required_seats = models.JSONField(default=list)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="gate_policy_version_unique"),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="gate_policy_quorum_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"


class GateRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Decision(models.TextChoices):
    GO = "go", "Go (advance)"
    HOLD = "hold", "Hold (pause)"
    KILL = "kill", "Kill (stop)"
    # DOMAIN.md: "iterate" is a bounded fix of at most two sprints; it returns to the council.
    ITERATE = "iterate", "Iterate (bounded fix)"


class DecidedAs(models.TextChoices):
    CHAIR = "chair", "Council chair"
    ACTING_CHAIR = "acting_chair", "Acting chair, in the chair's place"


class GateRequest(models.Model):
    """A product owner's request to move an initiative through a gate, with frozen evidence."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="gate_requests"
    )
    policy_version = models.ForeignKey(
        GatePolicyVersion, on_delete=models.PROTECT, related_name="requests"
    )
    from_stage = models.CharField(max_length=32, choices=Stage.choices)
    to_stage = models.CharField(max_length=32, choices=Stage.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    review_due_at = models.DateTimeField()
    justification = models.TextField(blank=True)
    # The criteria results as they were when the request was filed: [{id, label, passed,
    # detail, link}], so the council decides on what the requester saw.
    evidence = models.JSONField(default=list)
    all_criteria_passed = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=GateRequestStatus.choices, default=GateRequestStatus.PENDING
    )
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(
        "CouncilMeeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    # A non-recused council member the chair (or an admin) names to decide when the chair is
    # recused from this initiative.
    acting_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_as = models.CharField(max_length=16, choices=DecidedAs.choices, blank=True)
    # The criteria as evaluated on the live record when the decision was taken (hard and soft).
    decision_evidence = models.JSONField(default=list, blank=True)
    # "Iterate": the day the bounded fix comes back to the council as a new request.
    iterate_due_on = models.DateField(null=True, blank=True)
    returned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="returns"
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(status="pending"),
                name="gate_request_one_pending_per_initiative",
            ),
            models.CheckConstraint(
                condition=Q(status="decided", decision__in=["go", "hold", "kill", "iterate"])
                | (~Q(status="decided") & Q(decision="")),
                name="gate_request_decision_iff_decided",
            ),
            models.CheckConstraint(
                condition=Q(decision="iterate", iterate_due_on__isnull=False)
                | (~Q(decision="iterate") & Q(iterate_due_on__isnull=True)),
                name="gate_request_iterate_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"


class VoteChoice(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    REJECT = "reject", "Reject"
    ABSTAIN = "abstain", "Abstain"


class Vote(models.Model):
    request = models.ForeignKey(GateRequest, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seat = models.CharField(max_length=16, choices=Seat.choices, blank=True)
    choice = models.CharField(max_length=32, choices=VoteChoice.choices)
    comment = models.TextField(blank=True)
    conditions = models.TextField(blank=True, help_text="One condition per line")
    cast_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cast_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "voter"], name="vote_one_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.voter}: {self.get_choice_display()}"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ActionItem(models.Model):
    """A control action or condition with an owner and a due date."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="action_items"
    )
    gate_request = models.ForeignKey(
        GateRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    status = models.CharField(
        max_length=8, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class RiskCategory(models.TextChoices):
    PRIVACY = "privacy", "Privacy"
    SECURITY = "security", "Security"
    LEGAL = "legal", "Legal"
    ADOPTION = "adoption", "Adoption"
    VENDOR = "vendor", "Vendor"
    DELIVERY = "delivery", "Delivery"
    MODEL_RELIABILITY = "model_reliability", "Model reliability"
    BIAS = "bias", "Bias"
    COST = "cost", "Cost"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Mitigation in progress"
    CLOSED = "closed", "Closed"


class Risk(models.Model):
    """A risk in the register. Severity = likelihood × impact (1–25), computed, never typed."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="risks")
    category = models.CharField(max_length=32, choices=RiskCategory.choices)
    description = models.TextField(max_length=2000)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    severity = models.PositiveSmallIntegerField(editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mitigation = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=16, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    escalation_threshold = models.PositiveSmallIntegerField(
        default=HIGH_RISK_SEVERITY,
        help_text="Severity at or above which the risk goes to the council",
    )
    escalated = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-severity", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5"
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"
            ),
            models.CheckConstraint(
                condition=Q(severity=models.F("likelihood") * models.F("impact")),
                name="risk_severity_is_likelihood_times_impact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} risk: {self.description[:60]}"


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Incident(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="incidents")
    summary = models.CharField(max_length=300)
    response = models.TextField(blank=True)
    impact = models.TextField(blank=True)
    corrective_action = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    occurred_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return self.summary


class LeadershipDecisionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decided"


class LeadershipDecision(models.Model):
    """A decision required from leadership, framed with options and implications."""

    initiative = models.ForeignKey(
        Initiative,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="leadership_decisions",
    )
    question = models.CharField(max_length=300)
    options = models.TextField()
    implications = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    outcome = models.TextField(blank=True)
    status = models.CharField(
        max_length=16,
        choices=LeadershipDecisionStatus.choices,
        default=LeadershipDecisionStatus.OPEN,
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.question


class CouncilMeeting(models.Model):
    title = models.CharField(max_length=200)
    scheduled_for = models.DateTimeField()
    # Built from pending requests, overdue actions and escalated risks when the meeting is
    # created, then frozen: the agenda is what the council was asked to look at.
    agenda = models.JSONField(default=dict)
    minutes = models.TextField(blank=True)
    # Bumped on every minutes save, so two people editing the minutes cannot overwrite each
    # other silently (the save is a conditional update on the version they loaded).
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_for"]

    def __str__(self) -> str:
        return self.title


class ReReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed: the approval still holds"
    SENT_BACK = "sent_back", "Sent back: the approval is withdrawn"
    SUPERSEDED = "superseded", "Superseded by a new gate decision"


class ReReview(models.Model):
    """A material change after approval; open until the council confirms or a new gate passes."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="rereviews")
    changes = models.JSONField(help_text="[{field, label, before, after}]")
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=16, choices=ReReviewOutcome.choices, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(resolved_at__isnull=True),
                name="rereview_one_open_per_initiative",
            )
        ]

    def __str__(self) -> str:
        return f"Re-review of {self.initiative}"


class GateException(models.Model):
    """A soft criterion the council overrode to say "go", with the recorded justification.

    Listed as an exception on the request, the initiative, the dashboard and the monthly
    report: the portfolio never moves on an overridden rule unseen.
    """

    gate_request = models.ForeignKey(
        GateRequest, on_delete=models.CASCADE, related_name="exceptions"
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="gate_exceptions"
    )
    criterion_id = models.CharField(max_length=64)
    label = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    justification = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-granted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gate_request", "criterion_id"], name="gate_exception_one_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"Exception on {self.gate_request}: {self.label}"


class ItemReviewOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted: investment may continue"
    ACCEPTED_WITH_CONDITIONS = "accepted_with_conditions", "Accepted with conditions"
    NOT_ACCEPTED = "not_accepted", "Not accepted: fix it and score the area again"


# The outcomes that clear the gate's blocker on an area at 1; "not accepted" keeps it until the
# area is scored again in a new submission.
ITEM_REVIEW_CLEARING_OUTCOMES = frozenset(
    {ItemReviewOutcome.ACCEPTED, ItemReviewOutcome.ACCEPTED_WITH_CONDITIONS}
)


class ItemReview(models.Model):
    """A council member's explicit review of an area scored at the lowest level.

    DOMAIN.md: any area scored 1 requires an explicit review before more investment; gate
    criteria look for one of these per such area in the latest submitted scorecard.
    """

    assessment = models.ForeignKey(
        "readiness.Assessment", on_delete=models.CASCADE, related_name="item_reviews"
    )
    item_id = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Accepted (with or without conditions) clears the gate's blocker; not accepted keeps it
    # until the area is scored again in a new submission.
    outcome = models.CharField(
        max_length=32, choices=ItemReviewOutcome.choices, default=ItemReviewOutcome.ACCEPTED
    )
    note = models.TextField()
    conditions = models.TextField(blank=True, help_text="One condition per line")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item_id"], name="item_review_one_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.item_id} on assessment #{self.assessment_id}"


class AutonomyPromotionStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AutonomyPromotion(models.Model):
    """A request to raise an initiative's autonomy level (assistant → agent → automated
    workflow), with evidence for each of the five conditions; the council decides.

    `evidence` maps each condition id (governance.gates.autonomy_rules.AUTONOMY_CONDITIONS) to
    what shows it is met.
    """

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="autonomy_promotions"
    )
    from_level = models.CharField(max_length=32, choices=AutonomyLevel.choices)
    to_level = models.CharField(max_length=32, choices=AutonomyLevel.choices)
    evidence = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16,
        choices=AutonomyPromotionStatus.choices,
        default=AutonomyPromotionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # As on GateRequest: a non-recused council member the chair (or an admin) names to decide
    # when the chair is recused from this initiative, and in what capacity it was decided.
    acting_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_as = models.CharField(max_length=16, choices=DecidedAs.choices, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(status="pending"),
                name="autonomy_promotion_one_pending_per_initiative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.get_from_level_display()} → {self.get_to_level_display()}"
