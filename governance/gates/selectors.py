"""Read queries for the gates: snapshots for the criteria, the review queue, pilot purgatory,
gate policies with their versions.

Every function runs a fixed number of queries whatever the size of the portfolio, so the pages
and API built on them can pin their query counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.roles import User
from governance.council.permissions import council_seat, initiative_owner_ids
from governance.council.rules import Tally, VoteInput, go_blockers, is_recused, tally
from governance.gates.criterion_rules import (
    AssessmentFacts,
    GateSnapshot,
    IncidentFacts,
    ProblemStatementFacts,
    RiskFacts,
)
from governance.gates.drift_rules import in_pilot_purgatory
from governance.gates.rules import CriterionResult, evaluate_gate
from governance.models import (
    ITEM_REVIEW_CLEARING_OUTCOMES,
    Decision,
    GatePolicy,
    GatePolicyVersion,
    GateRequest,
    GateRequestStatus,
    Incident,
    IncidentStatus,
    ItemReview,
    ReReview,
    Risk,
    RiskStatus,
    Vote,
)
from portfolio.models import Initiative, ProblemStatement, Stage, Status
from portfolio.vocabulary import next_stage
from readiness.models import Assessment, AssessmentStatus, TemplateVersion
from readiness.rules import AnswerType


def _assessment_facts(
    assessment: Assessment, reviewed: frozenset[str], not_accepted: frozenset[str]
) -> AssessmentFacts:
    definition = assessment.template_version.definition or {}
    result = assessment.result or {}
    items = definition.get("items") or []
    return AssessmentFacts(
        id=assessment.pk,
        template_key=assessment.template.key,
        template_title=assessment.template.title,
        submitted_on=timezone.localdate(assessment.submitted_at)
        if assessment.submitted_at
        else None,
        total=assessment.total,
        passed=result.get("passed"),
        item_scores=dict(result.get("item_scores") or {}),
        critical_items=dict((definition.get("rules") or {}).get("critical_items") or {}),
        item_titles={item["id"]: item.get("title", item["id"]) for item in items},
        reviewed_items=reviewed,
        not_accepted_items=not_accepted,
    )


def gate_snapshot(initiative: Initiative, today: date) -> GateSnapshot:
    """What the gate criteria read about `initiative` today, in five queries.

    Uses the live record: the problem statement, the current (submitted) assessment of each
    template with the council's item reviews (only an accepted review, with or without
    conditions, counts as reviewed; "not accepted" is kept apart so the criterion can say so),
    the risks that are not closed and the open incidents.
    """
    statement = ProblemStatement.objects.filter(initiative_id=initiative.pk).first()
    assessments = list(
        Assessment.objects.filter(initiative_id=initiative.pk, status=AssessmentStatus.SUBMITTED)
        .select_related("template", "template_version")
        .only(
            "pk",
            "total",
            "result",
            "submitted_at",
            "template__key",
            "template__title",
            "template_version__definition",
        )
    )
    reviewed: dict[int, set[str]] = {}
    not_accepted: dict[int, set[str]] = {}
    for assessment_id, item_id, outcome in ItemReview.objects.filter(
        assessment_id__in=[a.pk for a in assessments]
    ).values_list("assessment_id", "item_id", "outcome"):
        kept = reviewed if outcome in ITEM_REVIEW_CLEARING_OUTCOMES else not_accepted
        kept.setdefault(assessment_id, set()).add(item_id)
    risks = Risk.objects.filter(initiative_id=initiative.pk).exclude(status=RiskStatus.CLOSED)
    incidents = Incident.objects.filter(initiative_id=initiative.pk, status=IncidentStatus.OPEN)
    return GateSnapshot(
        initiative_id=initiative.pk,
        stage=initiative.stage,
        status=initiative.status,
        today=today,
        business_owner_named=initiative.business_owner_id is not None,
        delivery_owner_named=initiative.delivery_owner_id is not None,
        eu_ai_act_tier=initiative.eu_ai_act_tier,
        problem_statement=ProblemStatementFacts(id=statement.pk, content=statement.content())
        if statement is not None
        else None,
        assessments={
            a.template.key: _assessment_facts(
                a,
                frozenset(reviewed.get(a.pk, ())),
                frozenset(not_accepted.get(a.pk, ())),
            )
            for a in assessments
        },
        risks=tuple(
            RiskFacts(r.pk, r.description, r.severity, r.status, r.mitigation)
            for r in risks.only("pk", "description", "severity", "status", "mitigation")
        ),
        incidents=tuple(
            IncidentFacts(i.pk, i.summary, i.status)
            for i in incidents.only("pk", "summary", "status")
        ),
    )


def current_policy_version(from_stage: str, to_stage: str) -> GatePolicyVersion | None:
    """The newest version of the policy for this transition (what a new request is held to)."""
    return (
        GatePolicyVersion.objects.filter(policy__from_stage=from_stage, policy__to_stage=to_stage)
        .select_related("policy")
        .order_by("-number")
        .first()
    )


def next_gate_criteria(initiative: Initiative) -> list[dict[str, Any]]:
    """The criteria of the gate the initiative faces next ([] at the last stage or with no
    policy): what a new request would be held to."""
    to_stage = next_stage(initiative.stage)
    version = current_policy_version(initiative.stage, to_stage) if to_stage else None
    return list(version.criteria) if version is not None else []


@dataclass(frozen=True)
class GatePreview:
    """The next gate of an initiative, evaluated live: what a request filed now would freeze."""

    from_stage: str
    to_stage: str
    policy_version: GatePolicyVersion | None
    results: tuple[CriterionResult, ...]

    @property
    def all_passed(self) -> bool:
        return bool(self.results) and all(result.passed for result in self.results)

    @property
    def failing(self) -> tuple[CriterionResult, ...]:
        return tuple(result for result in self.results if not result.passed)


def gate_preview(initiative: Initiative, today: date) -> GatePreview | None:
    """The initiative's next gate, evaluated against the live record; None at the last stage.

    `policy_version` is None (and `results` empty) when no policy exists for the transition.
    """
    to_stage = next_stage(initiative.stage)
    if to_stage is None:
        return None
    version = current_policy_version(initiative.stage, to_stage)
    if version is None:
        return GatePreview(initiative.stage, to_stage, None, ())
    results = evaluate_gate(version.criteria, gate_snapshot(initiative, today))
    return GatePreview(initiative.stage, to_stage, version, results)


def evidence_url(kind: str, evidence_id: int | None, initiative_id: int) -> str:
    """Where a criterion's evidence lives, for the request page to link to ("" for none).

    Frozen evidence stores the kind and id, not a URL, so links follow the current URL scheme.
    The register pages belong to another module; until they exist the initiative page is used.
    """
    candidates: list[tuple[str, list[int]]] = []
    if kind == "problem_statement":
        candidates = [("portfolio:problem_statement_edit", [initiative_id])]
    elif kind == "assessment":
        candidates = (
            [("readiness:assessment_detail", [evidence_id])]
            if evidence_id
            else [("readiness:assessment_history", [initiative_id])]
        )
    elif kind == "risk":
        candidates = [("governance:risk_detail", [evidence_id])] if evidence_id else []
        candidates.append(("governance:initiative_risks", [initiative_id]))
    elif kind == "incident":
        candidates = [("governance:incident_detail", [evidence_id])] if evidence_id else []
        candidates.append(("governance:initiative_incidents", [initiative_id]))
    elif kind == "initiative":
        candidates = [("portfolio:initiative_detail", [initiative_id])]
    else:
        return ""
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return reverse("portfolio:initiative_detail", args=[initiative_id])


def request_tally(request: GateRequest, votes: Sequence[Vote] | None = None) -> Tally:
    """The tally of a request's votes under the request's own policy version.

    Pass `votes` (e.g. prefetched) to avoid a query; the policy version should be loaded with
    the request (select_related) for the same reason.
    """
    version = request.policy_version
    rows = list(request.votes.all()) if votes is None else votes
    return tally(
        [VoteInput(vote.seat, vote.choice) for vote in rows],
        quorum=version.quorum,
        required_seats=version.required_seats,
    )


def _last_decision_subquery(initiative_ref: str) -> Subquery:
    return Subquery(
        GateRequest.objects.filter(
            initiative_id=OuterRef(initiative_ref), status=GateRequestStatus.DECIDED
        )
        .order_by("-decided_at")
        .values("decided_at")[:1],
        output_field=DateTimeField(),
    )


@dataclass(frozen=True)
class QueueEntry:
    request: GateRequest
    tally: Tally
    overdue: bool
    # The viewer's relation to the request.
    recused: bool
    my_vote: Vote | None
    in_pilot_purgatory: bool
    go_blockers: tuple[str, ...]


def pending_requests() -> QuerySet[GateRequest]:
    """Pending gate requests with what the queue shows, votes prefetched, by due date."""
    return (
        GateRequest.objects.filter(status=GateRequestStatus.PENDING)
        .select_related(
            "initiative__business_unit",
            "initiative__business_owner",
            "initiative__delivery_owner",
            "requested_by",
            "policy_version__policy",
        )
        .prefetch_related(
            Prefetch(
                "votes", queryset=Vote.objects.select_related("voter").order_by("cast_at", "pk")
            )
        )
        .annotate(initiative_last_decision_at=_last_decision_subquery("initiative_id"))
        .order_by("review_due_at", "pk")
    )


def pending_queue(now: datetime, *, overdue_only: bool = False) -> QuerySet[GateRequest]:
    """The pending requests in queue order, for a page to slice in SQL: by due date, which
    puts the overdue ones (due before `now`) first, most overdue on top."""
    queryset = pending_requests()
    return queryset.filter(review_due_at__lt=now) if overdue_only else queryset


def review_queue(
    user: User, now: datetime, requests: Iterable[GateRequest] | None = None
) -> list[QueueEntry]:
    """Each pending request with its tally, overdue flag and the viewer's vote or recusal.

    `requests` is a page of `pending_queue(now)` (default: every pending request). Overdue
    requests come first (most overdue on top), then the rest by due date. Three queries
    (requests, votes, the viewer's membership) however many requests there are.
    """
    council_seat(user)  # warm the membership cache: one query, not one per request
    days = settings.PILOT_PURGATORY_DAYS
    entries: list[QueueEntry] = []
    for request in pending_requests() if requests is None else requests:
        votes = list(request.votes.all())
        initiative = request.initiative
        result = request_tally(request, votes)
        entries.append(
            QueueEntry(
                request=request,
                tally=result,
                overdue=request.review_due_at < now,
                recused=user.is_authenticated
                and is_recused(user.pk, initiative_owner_ids(initiative)),
                my_vote=next((vote for vote in votes if vote.voter_id == user.pk), None),
                in_pilot_purgatory=in_pilot_purgatory(
                    stage=initiative.stage,
                    stage_changed_at=initiative.stage_changed_at or initiative.created_at,
                    last_decision_at=request.initiative_last_decision_at,
                    now=now,
                    days=days,
                    status=initiative.status,
                ),
                go_blockers=go_blockers(result, quorum=request.policy_version.quorum),
            )
        )
    entries.sort(
        key=lambda entry: (not entry.overdue, entry.request.review_due_at, entry.request.pk)
    )
    return entries


def annotate_pilot_purgatory(
    queryset: QuerySet[Initiative], now: datetime, days: int | None = None
) -> QuerySet[Initiative]:
    """Add `last_gate_decision_at`, `pilot_clock_started_at` and `in_pilot_purgatory`.

    The same rule as `governance.gates.drift_rules.in_pilot_purgatory`, in SQL, so lists and
    the API flag every row without a query each. An initiative with no recorded stage change
    counts from its creation.
    """
    days = settings.PILOT_PURGATORY_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    entered = Coalesce("stage_changed_at", "created_at")
    last_decision = _last_decision_subquery("pk")
    return queryset.annotate(
        last_gate_decision_at=last_decision,
        pilot_clock_started_at=Greatest(entered, Coalesce(last_decision, entered)),
        in_pilot_purgatory=Case(
            When(
                Q(stage=Stage.PILOT, status=Status.ACTIVE, pilot_clock_started_at__lt=cutoff),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def pilot_purgatory_initiatives(now: datetime, days: int | None = None) -> QuerySet[Initiative]:
    """Initiatives in pilot over PILOT_PURGATORY_DAYS with no gate decision, longest first."""
    return (
        annotate_pilot_purgatory(Initiative.objects.with_list_relations(), now, days)
        # Implied by in_pilot_purgatory; said first so that the database works out the last
        # decision of active pilots only, not of every initiative.
        .filter(stage=Stage.PILOT, status=Status.ACTIVE)
        .filter(in_pilot_purgatory=True)
        .order_by("pilot_clock_started_at", "pk")
    )


def last_gate_decision_at(initiative: Initiative) -> datetime | None:
    return (
        GateRequest.objects.filter(initiative_id=initiative.pk, status=GateRequestStatus.DECIDED)
        .order_by("-decided_at")
        .values_list("decided_at", flat=True)
        .first()
    )


def initiative_in_pilot_purgatory(initiative: Initiative, now: datetime) -> bool:
    """The purgatory flag for one initiative (at most one query)."""
    if initiative.stage != Stage.PILOT or initiative.status != Status.ACTIVE:
        return False
    return in_pilot_purgatory(
        stage=initiative.stage,
        stage_changed_at=initiative.stage_changed_at or initiative.created_at,
        last_decision_at=last_gate_decision_at(initiative),
        now=now,
        days=settings.PILOT_PURGATORY_DAYS,
        status=initiative.status,
    )


def has_go_decision(initiative_id: int) -> bool:
    """Whether the council ever approved this initiative through a gate ("after approval")."""
    return GateRequest.objects.filter(
        initiative_id=initiative_id, status=GateRequestStatus.DECIDED, decision=Decision.GO
    ).exists()


def last_go_decision(initiative_id: int) -> GateRequest | None:
    """The initiative's most recent decided go (what an open re-review puts in question)."""
    return (
        GateRequest.objects.filter(
            initiative_id=initiative_id, status=GateRequestStatus.DECIDED, decision=Decision.GO
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


def open_rereviews() -> QuerySet[ReReview]:
    """Every open re-review with its initiative and business owner, longest waiting first."""
    return (
        ReReview.objects.filter(resolved_at__isnull=True)
        .select_related("initiative__business_owner")
        .order_by("raised_at", "pk")
    )


@dataclass(frozen=True)
class AreaAwaitingReview:
    """An area scored 1 on an initiative's current scorecard that nobody has reviewed yet."""

    assessment: Assessment
    item_id: str
    item_title: str


@dataclass(frozen=True)
class AreasAwaitingReview:
    """The first areas awaiting review (`shown`) and how many there are in all (`count`)."""

    shown: list[AreaAwaitingReview]
    count: int


def areas_awaiting_review(*, limit: int) -> AreasAwaitingReview:
    """Areas scored 1 on the current submitted 1-5 assessments of active initiatives with no
    review recorded: the first `limit` (oldest submission first, then in the template's order)
    and the count of all, in three queries whatever the size of the portfolio.

    The database counts the areas from the counts frozen at submission (no result is unpacked
    for that) and names only those of the assessments the first `limit` fall in; only those
    assessments and their template versions are read.
    """
    current = Assessment.objects.filter(
        status=AssessmentStatus.SUBMITTED,
        initiative__status=Status.ACTIVE,
        template_version__definition__answer_type=AnswerType.SCORE_1_5.value,
    )
    flagged, count = _unreviewed_lowest_scores(current, limit)
    if not flagged:
        return AreasAwaitingReview(shown=[], count=count)
    assessments = list(
        Assessment.objects.filter(pk__in=flagged)
        .select_related("initiative")
        .defer("answers", "evidence", "comments", "result")
        .order_by("submitted_at", "pk")
    )
    versions = {
        version.pk: version.parsed
        for version in TemplateVersion.objects.filter(
            pk__in={assessment.template_version_id for assessment in assessments}
        )
    }
    shown = [
        AreaAwaitingReview(assessment, item.id, item.title)
        for assessment in assessments
        for item in versions[assessment.template_version_id].items
        if item.id in flagged[assessment.pk]
    ]
    return AreasAwaitingReview(shown=shown[:limit], count=count)


# Per current assessment with areas at 1 awaiting review, how many still have no review: the
# count frozen at submission less the assessment's reviews (a review is only ever recorded for
# such an area), so nothing is unpacked to count. `areas_before` is how many the assessments
# ahead of it in the queue's order have, so the assessments the first `limit` areas fall in are
# those with `areas_before` < limit; only for those is the frozen list unpacked, to name the
# areas without a review (ids joined by spaces: they are slugs). `total` counts every area.
_UNREVIEWED_LOWEST_SQL = """
SELECT numbered.id, ({unreviewed_ids}) AS item_ids, numbered.total FROM (
    SELECT id,
        SUM(areas) OVER (ORDER BY submitted_at, id ROWS UNBOUNDED PRECEDING) - areas
            AS areas_before,
        SUM(areas) OVER () AS total
    FROM (
        SELECT assessment.id, assessment.submitted_at,
            assessment.items_needing_review_count - COALESCE(reviewed.areas, 0) AS areas
        FROM ({current}) AS assessment
        LEFT JOIN (
            SELECT assessment_id, COUNT(*) AS areas FROM {reviews} GROUP BY assessment_id
        ) AS reviewed ON reviewed.assessment_id = assessment.id
    ) AS per_assessment
    WHERE areas > 0
) AS numbered
INNER JOIN {assessments} AS flagged ON flagged.id = numbered.id
WHERE numbered.areas_before < %s
"""

# How each database names the areas of `flagged` that have no review yet.
_UNREVIEWED_IDS = {
    "postgresql": (
        "SELECT string_agg(item, ' ') "
        "FROM jsonb_array_elements_text(flagged.result -> 'items_needing_review') AS item "
        "WHERE NOT EXISTS (SELECT 1 FROM {reviews} AS review "
        "WHERE review.assessment_id = flagged.id AND review.item_id = item)"
    ),
    "sqlite": (
        "SELECT group_concat(item.value, ' ') "
        "FROM json_each(flagged.result, '$.items_needing_review') AS item "
        "WHERE NOT EXISTS (SELECT 1 FROM {reviews} AS review "
        "WHERE review.assessment_id = flagged.id AND review.item_id = item.value)"
    ),
}


def _unreviewed_lowest_scores(
    current: QuerySet[Assessment], limit: int
) -> tuple[dict[int, set[str]], int]:
    """{assessment id: its unreviewed areas at 1} for the assessments the first `limit` such
    areas fall in, and the number of such areas in all `current` assessments; one query."""
    # A subquery whose columns are named id, submitted_at and items_needing_review_count.
    inner, params = (
        current.filter(items_needing_review_count__gt=0)
        .order_by()
        .values("id", "submitted_at", "items_needing_review_count")
        .query.sql_with_params()
    )
    reviews = connection.ops.quote_name(ItemReview._meta.db_table)
    sql = _UNREVIEWED_LOWEST_SQL.format(
        unreviewed_ids=_UNREVIEWED_IDS[connection.vendor].format(reviews=reviews),
        reviews=reviews,
        current=inner,
        assessments=connection.ops.quote_name(Assessment._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, limit))
        rows = cursor.fetchall()
    flagged = {assessment_id: set(item_ids.split()) for assessment_id, item_ids, _ in rows}
    return flagged, int(rows[0][2]) if rows else 0


def open_rereview(initiative_id: int) -> ReReview | None:
    return ReReview.objects.filter(initiative_id=initiative_id, resolved_at__isnull=True).first()


@dataclass(frozen=True)
class InitiativeGateState:
    pending_request: GateRequest | None
    last_decided_request: GateRequest | None
    open_rereview: ReReview | None
    in_pilot_purgatory: bool
    days_since_clock_start: int | None


def initiative_gate_state(initiative: Initiative, now: datetime) -> InitiativeGateState:
    """Pending request, latest decision, open re-review and purgatory, in three queries."""
    requests = list(
        GateRequest.objects.filter(
            Q(status=GateRequestStatus.PENDING) | Q(status=GateRequestStatus.DECIDED),
            initiative_id=initiative.pk,
        )
        .select_related("decided_by", "requested_by")
        .order_by("-decided_at", "-pk")
    )
    pending = next((r for r in requests if r.status == GateRequestStatus.PENDING), None)
    decided = [r for r in requests if r.status == GateRequestStatus.DECIDED]
    last = max(decided, key=lambda r: r.decided_at) if decided else None
    entered = initiative.stage_changed_at or initiative.created_at
    start = max(moment for moment in (entered, last.decided_at if last else None) if moment)
    flagged = in_pilot_purgatory(
        stage=initiative.stage,
        stage_changed_at=entered,
        last_decision_at=last.decided_at if last else None,
        now=now,
        days=settings.PILOT_PURGATORY_DAYS,
        status=initiative.status,
    )
    return InitiativeGateState(
        pending_request=pending,
        last_decided_request=last,
        open_rereview=open_rereview(initiative.pk),
        in_pilot_purgatory=flagged,
        days_since_clock_start=(now - start).days if start else None,
    )


def policy_versions() -> QuerySet[GatePolicyVersion]:
    """Versions newest first, each with `pending_count`: the pending requests filed under it."""
    return (
        GatePolicyVersion.objects.select_related("created_by")
        .annotate(
            pending_count=Count("requests", filter=Q(requests__status=GateRequestStatus.PENDING))
        )
        .order_by("-number")
    )


def policies_with_versions() -> QuerySet[GatePolicy]:
    """Every gate with all its versions as `version_list` (newest first): two queries."""
    return GatePolicy.objects.prefetch_related(
        Prefetch("versions", queryset=policy_versions(), to_attr="version_list")
    ).order_by("id")
