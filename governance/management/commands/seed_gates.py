"""Put the demo's gate work in front of the council: pending requests, votes, an item review.

Run after `seed_governance` (council and policies) and `seed_readiness` (the scorecards and
checklists the gate criteria read); `seed_register` may run before it or not at all. Through the
governance services only:

- "Payment collections automation" asks for Pilot → Controlled rollout, filed by its business
  owner; Lena (legal) approves with a condition, so the queue shows a request with one vote of
  the two it needs. Of the pilots it meets the most criteria (scorecard 60, no critical area
  below 3, no area at 1); what still fails is explained in the justification.
- "Insight synthesis for CX" asks for Controlled rollout → Scale, filed by its business owner;
  Gina (product seat) approves. Its scorecard (72) is below the 75 the scale gate asks for, and
  the justification says why the owner asks anyway.
- Chris (security chair) records the council's review of the area scored 1 on Sales call
  coaching's current scorecard (user adoption readiness).

A request's justification names only the criteria that really fail when it is filed (they are
evaluated first, as the service will), so it stays true whatever else has been seeded.
Idempotent: an initiative that already has any gate request is skipped, and so is an area that
already has its review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from governance.gates.selectors import gate_preview
from governance.gates.services.requests import gate_request_create, vote_cast
from governance.gates.services.reviews import item_review_record
from governance.models import CouncilMembership, GatePolicy, GateRequest, ItemReview
from portfolio.models import Initiative, Stage, Status
from readiness.models import Assessment, AssessmentStatus

SCORECARD = "readiness_scorecard"

# `case`: the owner's argument. `remedies`: the owner's plan for a criterion (by id), added
# after the evaluation's own detail when that criterion fails.
DEMO_REQUESTS: tuple[dict[str, Any], ...] = (
    {
        "initiative": "Payment collections automation",
        "from_stage": Stage.PILOT,
        "by": "paul",
        "case": (
            "The pilot on Benelux SME customers is on track against its success criteria (DSO "
            "and manual touches per overdue invoice). We ask to go live for that segment only, "
            "with human approval above €5,000 and the rollback for incorrect dunning."
        ),
        "remedies": {
            "checklist_passed": (
                "We complete the rollout governance checklist with the council at this review; "
                "its legal checkpoint waits for Lena's review of the dunning wording."
            ),
            "no_unmitigated_high_risk": (
                "Lena's review of the dunning wording and consent basis is in progress; no "
                "customer receives a model-drafted message before it closes."
            ),
        },
        "votes": (
            {
                "by": "lena",
                "choice": "approve_with_conditions",
                "comment": (
                    "Legal: acceptable for the Benelux SME segment on 30-day terms, with human "
                    "approval above €5,000 kept."
                ),
                "conditions": (
                    "Legal sign-off on the dunning email wording and consent basis before any "
                    "customer receives a model-drafted message\n"
                    "Publish a complaint path for disputed reminders in the customer portal"
                ),
            },
        ),
    },
    {
        "initiative": "Insight synthesis for CX",
        "from_stage": Stage.CONTROLLED_ROLLOUT,
        "by": "priya",
        "case": (
            "Limited live with the checkout squad cut the time from a theme in tickets to a "
            "backlog item from 21 days to 6, the CX lead sign-off works and PII redaction "
            "passed security review. We ask to extend the weekly brief to every product area."
        ),
        "remedies": {
            "scorecard_ready": (
                "The gap is delivery capacity: the team is shared with Sales call coaching, "
                "and the leadership decision on extra capacity settles it. Please decide the "
                "two together."
            ),
        },
        "votes": (
            {
                "by": "gina",
                "choice": "approve",
                "comment": (
                    "Product: the value is evidenced and the CX lead sign-off works. Scale "
                    "once the capacity decision is taken."
                ),
                "conditions": "",
            },
        ),
    },
)

DEMO_ITEM_REVIEWS: tuple[dict[str, str], ...] = (
    {
        "initiative": "Sales call coaching",
        "item_id": "adoption_readiness",
        "by": "chris",
        "outcome": "accepted",
        "note": (
            "Reviewed at council: adoption (24 of 200 reps) is the blocker, not the technology. "
            "No further spend on the Callwise contract until weekly active reps pass half the "
            "team; Priya reports the number weekly and we look at it again in six weeks."
        ),
    },
)


@dataclass
class GateSeedSummary:
    requests: int = 0
    votes: int = 0
    reviews: int = 0
    existing: int = 0
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"Gates: {self.requests} pending gate requests filed with {self.votes} votes, "
            f"{self.reviews} item reviews recorded; {self.existing} already there, skipped"
        )
        if self.skipped:
            text += f"; not seeded: {'; '.join(self.skipped)}"
        return text + "."


class Command(BaseCommand):
    help = (
        "File the demo's pending gate requests (payment collections, insight synthesis) with "
        "their first votes, and record the council's review of sales coaching's area scored 1. "
        "Run after seed_governance and seed_readiness; safe to run again."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        with transaction.atomic():
            summary = seed_gates()
        if not quiet:
            self.stdout.write(summary.line())


def seed_gates() -> GateSeedSummary:
    """Create whatever of the demo gate work is missing; never change what exists."""
    if not GatePolicy.objects.exists() or not CouncilMembership.objects.exists():
        raise CommandError(
            "No gate policies or council seats. Run `manage.py seed_governance` first."
        )
    if not Assessment.objects.filter(
        template__key=SCORECARD, status=AssessmentStatus.SUBMITTED
    ).exists():
        raise CommandError("No readiness scorecards yet. Run `manage.py seed_readiness` first.")
    people = _people()
    summary = GateSeedSummary()
    titles = {spec["initiative"] for spec in (*DEMO_REQUESTS, *DEMO_ITEM_REVIEWS)}
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in=titles)}

    for spec in DEMO_REQUESTS:
        initiative = initiatives.get(spec["initiative"])
        if initiative is None:
            summary.skipped.append(f"{spec['initiative']} not found (run seed_demo)")
            continue
        if GateRequest.objects.filter(initiative=initiative).exists():
            summary.existing += 1
            continue
        if initiative.stage != spec["from_stage"] or initiative.status != Status.ACTIVE:
            summary.skipped.append(
                f"{initiative.title} is {initiative.get_status_display().lower()} in "
                f"{initiative.get_stage_display()}, not active in the stage this request is for"
            )
            continue
        request = gate_request_create(
            initiative=initiative,
            actor=people[spec["by"]],
            justification=_justification(initiative, spec),
        )
        summary.requests += 1
        for vote in spec["votes"]:
            vote_cast(
                request=request,
                actor=people[vote["by"]],
                choice=vote["choice"],
                comment=vote["comment"],
                conditions=vote["conditions"],
            )
            summary.votes += 1

    for spec in DEMO_ITEM_REVIEWS:
        initiative = initiatives.get(spec["initiative"])
        scorecard = (
            Assessment.objects.filter(
                initiative=initiative, template__key=SCORECARD, status=AssessmentStatus.SUBMITTED
            ).first()
            if initiative is not None
            else None
        )
        if scorecard is None:
            summary.skipped.append(f"no submitted scorecard for {spec['initiative']}")
            continue
        if ItemReview.objects.filter(assessment=scorecard, item_id=spec["item_id"]).exists():
            summary.existing += 1
            continue
        if (scorecard.result or {}).get("item_scores", {}).get(spec["item_id"]) != 1:
            summary.skipped.append(f"{spec['item_id']} is not scored 1 on {initiative.title}")
            continue
        item_review_record(
            assessment=scorecard,
            item_id=spec["item_id"],
            actor=people[spec["by"]],
            outcome=spec["outcome"],
            note=spec["note"],
        )
        summary.reviews += 1
    return summary


def _justification(initiative: Initiative, spec: Mapping[str, Any]) -> str:
    """The owner's case plus a line per criterion that fails today ("" when all pass).

    The criteria are evaluated on the live record exactly as gate_request_create will, so the
    text names what the council will see failing and nothing else.
    """
    preview = gate_preview(initiative, timezone.localdate())
    if preview is None or preview.all_passed:
        return ""
    lines = [spec["case"], "", "What fails today, and how we close it:"]
    for result in preview.failing:
        detail = result.detail.strip()
        if not detail.endswith((".", "?", "!")):
            detail += "…"  # the evaluation cuts long risk and incident texts short
        plan = spec["remedies"].get(result.id, "")
        lines.append(f"- {result.label}: {detail} {plan}".rstrip())
    return "\n".join(lines)


def _people() -> dict[str, AbstractBaseUser]:
    usernames = {spec["by"] for spec in (*DEMO_REQUESTS, *DEMO_ITEM_REVIEWS)} | {
        vote["by"] for spec in DEMO_REQUESTS for vote in spec["votes"]
    }
    found = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    if missing := sorted(usernames - set(found)):
        raise CommandError(
            f"Demo users missing: {', '.join(missing)}. Run `manage.py seed_demo` first."
        )
    return found
