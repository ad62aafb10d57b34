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
- Priya asks the council to promote Customer triage and routing from agent to automated
  workflow, with evidence for the five conditions (an autonomy promotion, waiting for the
  chair; the chair is the initiative's safety owner, so an acting chair will decide it).
- The next monthly council meeting is scheduled, its agenda frozen with what is pending.

The council's past decisions and the review of Sales call coaching's area scored 1 are
`seed_history`'s.

A request's justification names only the criteria that really fail when it is filed (they are
evaluated first, as the service will), so it stays true whatever else has been seeded.
Idempotent: a request is skipped when the initiative already has one from that stage, the
promotion when the initiative has any, the meeting when one is already ahead.
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

from core.mail import emails_not_sent
from governance.council.services import meeting_create
from governance.gates.selectors import gate_preview
from governance.gates.services.autonomy import autonomy_promotion_request
from governance.gates.services.requests import gate_request_create, vote_cast
from governance.models import (
    AutonomyPromotion,
    CouncilMeeting,
    CouncilMembership,
    GatePolicy,
    GateRequest,
)
from portfolio.demo_timeline import next_council_meeting_at
from portfolio.models import Initiative, Stage, Status
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import Assessment, AssessmentStatus

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

TRIAGE = "Customer triage and routing"
DEMO_PROMOTION: dict[str, Any] = {
    "initiative": TRIAGE,
    "by": "priya",
    "evidence": {
        "precision": (
            "Eval set of 2,000 labelled support emails from September: routing accuracy 95.1% "
            "against the 94% bar; refund and legal categories at 97%."
        ),
        "safety": (
            "Redlines (no auto-close of complaints, legal threats always go to a person) tested "
            "by the security team in November; EU hosting and no training on our data (DPA "
            "clause 7); every routing decision logged to the audit store, checked by Sam."
        ),
        "stability": (
            "Sprints 41 and 42: misroute rate 3.1% and 2.8%, both inside the 5% error budget. "
            "The billing-dispute misroutes (open incident) followed a category change in sprint "
            "43; the fix ships before the council meets."
        ),
        "observability": (
            "Every routed email carries a trace id in the helpdesk that links its input, the "
            "prompt and model versions and the rule that allowed an auto-close; the trace "
            "viewer is on the operations dashboard."
        ),
        "business_proof": (
            "Median first response on email: baseline 14 hours, 2.5 hours when measured on 31 "
            "October 2026; email CSAT up 6 points over the same period."
        ),
    },
}
# Who schedules the next meeting (the chair or a governance admin may).
MEETING_SCHEDULER = "gina"


@dataclass
class GateSeedSummary:
    requests: int = 0
    votes: int = 0
    promotions: int = 0
    meetings: int = 0
    existing: int = 0
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"Gates: {self.requests} pending gate requests filed with {self.votes} votes, "
            f"{self.promotions} autonomy promotion(s) requested, {self.meetings} meeting(s) "
            f"scheduled; {self.existing} already there, skipped"
        )
        if self.skipped:
            text += f"; not seeded: {'; '.join(self.skipped)}"
        return text + "."


class Command(BaseCommand):
    help = (
        "File the demo's pending gate requests (payment collections, insight synthesis) with "
        "their first votes and an autonomy promotion (customer triage), and schedule the next "
        "council meeting. Run after seed_history and seed_register; safe to run again."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        with emails_not_sent(), transaction.atomic():
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
        template__key=SCORECARD_KEY, status=AssessmentStatus.SUBMITTED
    ).exists():
        raise CommandError("No readiness scorecards yet. Run `manage.py seed_readiness` first.")
    people = _people()
    summary = GateSeedSummary()
    titles = {spec["initiative"] for spec in DEMO_REQUESTS} | {DEMO_PROMOTION["initiative"]}
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in=titles)}

    for spec in DEMO_REQUESTS:
        initiative = initiatives.get(spec["initiative"])
        if initiative is None:
            summary.skipped.append(f"{spec['initiative']} not found (run seed_demo)")
            continue
        if GateRequest.objects.filter(
            initiative=initiative, from_stage=spec["from_stage"]
        ).exists():
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

    _request_promotion(initiatives.get(DEMO_PROMOTION["initiative"]), people, summary)
    _schedule_next_meeting(people, summary)
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


def _request_promotion(
    initiative: Initiative | None,
    people: Mapping[str, AbstractBaseUser],
    summary: GateSeedSummary,
) -> None:
    if initiative is None:
        summary.skipped.append(f"{DEMO_PROMOTION['initiative']} not found (run seed_demo)")
        return
    if AutonomyPromotion.objects.filter(initiative=initiative).exists():
        summary.existing += 1
        return
    autonomy_promotion_request(
        initiative=initiative,
        actor=people[DEMO_PROMOTION["by"]],
        evidence=DEMO_PROMOTION["evidence"],
    )
    summary.promotions += 1


def _schedule_next_meeting(
    people: Mapping[str, AbstractBaseUser], summary: GateSeedSummary
) -> None:
    """The council's next monthly meeting, its agenda frozen with what is pending now."""
    now = timezone.now()
    if CouncilMeeting.objects.filter(scheduled_for__gt=now).exists():
        summary.existing += 1
        return
    at = next_council_meeting_at(now)
    meeting_create(
        actor=people[MEETING_SCHEDULER], title=f"AI council, {at:%B %Y}", scheduled_for=at
    )
    summary.meetings += 1


def _people() -> dict[str, AbstractBaseUser]:
    usernames = (
        {spec["by"] for spec in DEMO_REQUESTS}
        | {vote["by"] for spec in DEMO_REQUESTS for vote in spec["votes"]}
        | {DEMO_PROMOTION["by"], MEETING_SCHEDULER}
    )
    found = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    if missing := sorted(usernames - set(found)):
        raise CommandError(
            f"Demo users missing: {', '.join(missing)}. Run `manage.py seed_demo` first."
        )
    return found
