"""Walk the demo's story through the council: every stage an initiative reached, and every hold
or kill, decided on a gate request at a monthly council meeting.

Run after `seed_governance` (council and policies) and `seed_readiness` (the scorecards and
checklists the criteria read), before `seed_register` and `seed_gates`. `seed_demo` leaves every
initiative in exploration; this command takes each one along its `stage_history` (see
`portfolio.demo_data`), month by month on the story's timeline (`portfolio.demo_timeline`):

- each month that has steps gets a council meeting (second Tuesday, 14:00) whose agenda is
  frozen with that month's requests, and minutes listing its decisions;
- each step is a gate request filed by the initiative's business owner, votes from
  non-recused members holding the policy's required seats up to its quorum, and the chair's go
  (an acting chair's, named by the chair, where the chair is recused), all through the
  governance services: the evidence is evaluated and frozen, a soft criterion that fails is
  overridden with the justification written below and listed as an exception, and a hard one
  stops the seed (the story would break the rules);
- a "status" (hold or kill) is a request for the next stage that the council rejects and the
  chair decides hold or kill on;
- the pilots marked "before_council" drifted in before the gates applied: their stage is
  recorded directly, by the governance admin, and gate-status says so.

The services stamp everything with the current time; afterwards the requests, votes,
decisions, exceptions, stage history and meetings are moved to their place on the timeline.
The audit events keep the moment the seed really ran, and the evidence frozen on a request is
what the criteria said when the seed ran. Idempotent: an initiative that already has a stage
change or a gate request is left alone.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.mail import emails_not_sent
from governance.council.permissions import recused_as
from governance.council.services import meeting_create, meeting_record_minutes
from governance.gates.selectors import gate_preview
from governance.gates.services.decisions import (
    gate_request_decide,
    gate_request_name_acting_chair,
)
from governance.gates.services.requests import gate_request_create, vote_cast
from governance.gates.services.reviews import item_review_record
from governance.models import (
    ActionItem,
    CouncilMeeting,
    CouncilMembership,
    Decision,
    GateException,
    GatePolicy,
    GateRequest,
    ItemReviewOutcome,
    Vote,
    VoteChoice,
)
from portfolio.demo_data import DEMO_ADMIN_USERNAME, DEMO_INITIATIVES
from portfolio.demo_timeline import REQUEST_LEAD_DAYS, council_meeting_at
from portfolio.models import Initiative, StageTransition, Status
from portfolio.services import initiative_change_stage
from portfolio.vocabulary import SCORECARD_KEY, STAGE_LABELS
from readiness.models import Assessment, AssessmentStatus

# Who runs the meetings (schedules them and writes the minutes) and chairs them.
MEETING_ADMIN = "gina"
CHAIR = "chris"
# Whom the chair names when recused, in this order of preference (the first one not recused).
ACTING_CHAIR_PREFERENCE = ("lena", "marc", "gina", "sam")

# What each seat says when it approves a stage step; a rejection says why in the step's data.
SEAT_APPROVALS: Mapping[str, str] = {
    "security": "Security: access, data flows and logging reviewed for this stage; no objection.",
    "legal": "Legal: the data-protection basis and the contracts cover this stage.",
    "executive": "Executive: the business case and the budget for this stage stand.",
    "product": "Product: the problem, the owners and the success criteria are clear.",
    "data": "Data: sources, quality checks and retention are in place for this stage.",
}

# Per initiative, what the story needs beyond its stage_history (see portfolio.demo_data):
# "overrides": the council's justification, by the stage stepped into, for soft criteria that
#   fail when the step is decided (each becomes an exception on the request);
# "reviews": areas scored 1 the council reviews before the step into that stage (dated when
#   the seed runs, like the scorecard they belong to: the gates evaluate the current one);
# "status_request": for a hold or a kill, the owner's case for the next stage that the
#   council turned down, and the rejecting members' comment.
STORY: Mapping[str, Mapping[str, Any]] = {
    "Sales call coaching": {
        "overrides": {
            "controlled_rollout": (
                "The rollout governance checklist's open items (workflow fit, security review, "
                "support model) are closed during the rollout itself: the manager call review "
                "stays as the fallback and the council sees the adoption numbers monthly."
            ),
        },
        "reviews": {
            "pilot": (
                {
                    "item_id": "adoption_readiness",
                    "by": "lena",
                    "outcome": ItemReviewOutcome.ACCEPTED,
                    "note": (
                        "Reviewed at council: adoption (24 of 200 reps) is the blocker, not "
                        "the technology. No further spend on the Callwise contract until "
                        "weekly active reps pass half the team; Priya reports the number "
                        "weekly and we look at it again in six weeks."
                    ),
                },
            ),
        },
    },
    "Patient diagnosis support": {
        "status_request": {
            "case": (
                "Clinical services ask to take diagnosis support into a controlled rollout "
                "with two partner hospitals: clinicians in the trial rate the suggestions "
                "highly."
            ),
            "comment": (
                "Not without a compliant hosting path, an explanation doctors can check and a "
                "settled liability position; none of them is in sight."
            ),
        },
    },
    "Resume screening for graduate hiring": {
        "status_request": {
            "case": (
                "HR asks to use the shortlist for the whole autumn graduate intake, with a "
                "recruiter confirming every shortlist."
            ),
            "comment": (
                "High risk under the EU AI Act (employment): no bias test report, no "
                "explanation for rejected candidates and no audit trail yet."
            ),
        },
    },
}


@dataclass(frozen=True)
class Step:
    """One thing the council (or, before the gates, the admin) decided in the story."""

    spec: Mapping[str, Any]
    at: datetime.datetime
    to_stage: str | None  # the stage stepped into; None for a hold or a kill
    reason: str
    status: str | None = None  # Status.PAUSED or Status.STOPPED for a hold or a kill

    @property
    def title(self) -> str:
        return self.spec["title"]

    @property
    def recorded_directly(self) -> bool:
        return self.to_stage is not None and bool(self.spec.get("before_council"))


@dataclass
class HistorySummary:
    decisions: int = 0
    recorded_directly: int = 0
    meetings: int = 0
    exceptions: int = 0
    existing: int = 0
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"History: {self.decisions} gate decisions at {self.meetings} council meetings "
            f"({self.exceptions} exception(s) granted), {self.recorded_directly} stage(s) "
            f"recorded from before the gates; {self.existing} initiative(s) already had a "
            "history, skipped"
        )
        if self.skipped:
            text += f"; not walked: {'; '.join(self.skipped)}"
        return text + "."


class Command(BaseCommand):
    help = (
        "Take the demo initiatives through their story's stages, holds and kills as gate "
        "requests decided at monthly council meetings over the past months. Run after "
        "seed_governance and seed_readiness; safe to rerun."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        with emails_not_sent(), transaction.atomic():
            summary = seed_history(today=timezone.localdate())
        if not quiet:
            self.stdout.write(summary.line())


def seed_history(*, today: datetime.date) -> HistorySummary:
    """Walk whatever of the demo's story is missing; never change an initiative with a history."""
    if not GatePolicy.objects.exists() or not CouncilMembership.objects.exists():
        raise CommandError(
            "No gate policies or council seats. Run `manage.py seed_governance` first."
        )
    people = _people()
    summary = HistorySummary()
    titles = [spec["title"] for spec in DEMO_INITIATIVES]
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in=titles)}
    walked = set(
        Initiative.objects.filter(title__in=titles)
        .filter(Q(stage_transitions__isnull=False) | Q(gate_requests__isnull=False))
        .values_list("title", flat=True)
    )
    by_month: dict[datetime.datetime, list[Step]] = defaultdict(list)
    for spec in DEMO_INITIATIVES:
        if not spec["stage_history"] and spec.get("status") is None:
            continue
        if spec["title"] not in initiatives:
            summary.skipped.append(f"{spec['title']} not found (run seed_demo)")
            continue
        if spec["title"] in walked:
            summary.existing += 1
            continue
        for step in _steps(spec, today):
            by_month[step.at].append(step)

    for meeting_at in sorted(by_month):
        steps = sorted(by_month[meeting_at], key=lambda step: step.title)
        for step in steps:
            if step.recorded_directly:
                _record_directly(step, initiatives[step.title], people)
                summary.recorded_directly += 1
        council_steps = [step for step in steps if not step.recorded_directly]
        if council_steps:
            _hold_meeting(meeting_at, council_steps, initiatives, people, summary)
    return summary


def _steps(spec: Mapping[str, Any], today: datetime.date) -> list[Step]:
    months = spec.get("stage_months_ago", ())
    if len(months) != len(spec["stage_history"]):
        raise CommandError(f"{spec['title']}: one stage_months_ago per stage_history step.")
    steps = [
        Step(spec=spec, at=council_meeting_at(today, months_ago), to_stage=stage, reason=reason)
        for (stage, reason), months_ago in zip(spec["stage_history"], months, strict=True)
    ]
    if spec.get("status") is not None:
        status, reason = spec["status"]
        at = council_meeting_at(today, spec["status_months_ago"])
        steps.append(Step(spec=spec, at=at, to_stage=None, reason=reason, status=status))
    if [step.at for step in steps] != sorted(step.at for step in steps):
        raise CommandError(f"{spec['title']}: its story's steps are not in time order.")
    return steps


def _record_directly(
    step: Step, initiative: Initiative, people: Mapping[str, AbstractBaseUser]
) -> None:
    """A stage reached before the council's gates applied, recorded by the governance admin."""
    initiative.refresh_from_db()
    initiative_change_stage(
        initiative=initiative,
        actor=people[DEMO_ADMIN_USERNAME],
        to_stage=step.to_stage,
        reason=f"{step.reason} (Started before the council's stage gates applied.)",
    )
    moved = StageTransition.objects.filter(initiative=initiative, gate_request_id__isnull=True)
    latest = moved.order_by("-occurred_at", "-pk").first()
    StageTransition.objects.filter(pk=latest.pk).update(occurred_at=step.at)
    Initiative.objects.filter(pk=initiative.pk).update(stage_changed_at=step.at)


def _hold_meeting(
    meeting_at: datetime.datetime,
    steps: Sequence[Step],
    initiatives: Mapping[str, Initiative],
    people: Mapping[str, AbstractBaseUser],
    summary: HistorySummary,
) -> None:
    """File the month's requests, hold the meeting, vote and decide, then date it all."""
    filed = [(step, _file(step, initiatives[step.title], people)) for step in steps]
    meeting = meeting_create(
        actor=people[MEETING_ADMIN],
        title=f"AI council, {meeting_at:%B %Y}",
        scheduled_for=meeting_at,
    )
    lines = [f"Decisions of the AI council on {meeting_at.day} {meeting_at:%B %Y}:"]
    for index, (step, request) in enumerate(filed):
        decided = _decide(step, request, meeting, people)
        summary.decisions += 1
        summary.exceptions += decided.exceptions.count()
        lines.append(
            f"- {step.title}: {decided.get_decision_display()} on request #{decided.pk} "
            f"({STAGE_LABELS[decided.from_stage]} → {STAGE_LABELS[decided.to_stage]}). "
            f"{step.reason}"
        )
        _date_request(decided, meeting_at, index)
    meeting_record_minutes(meeting=meeting, actor=people[MEETING_ADMIN], minutes="\n".join(lines))
    _date_meeting(meeting, [request.pk for _, request in filed])
    summary.meetings += 1


def _file(
    step: Step, initiative: Initiative, people: Mapping[str, AbstractBaseUser]
) -> GateRequest:
    initiative.refresh_from_db()
    owner = people[step.spec["business_owner"]]
    if step.status is not None:
        justification = STORY[step.title]["status_request"]["case"]
    else:
        preview = gate_preview(initiative, timezone.localdate())
        justification = step.reason if preview is not None and not preview.all_passed else ""
    return gate_request_create(initiative=initiative, actor=owner, justification=justification)


def _decide(
    step: Step,
    request: GateRequest,
    meeting: CouncilMeeting,
    people: Mapping[str, AbstractBaseUser],
) -> GateRequest:
    initiative = request.initiative
    story = STORY.get(step.title, {})
    for review in story.get("reviews", {}).get(request.to_stage, ()):
        scorecard = Assessment.objects.get(
            initiative=initiative, template__key=SCORECARD_KEY, status=AssessmentStatus.SUBMITTED
        )
        item_review_record(
            assessment=scorecard,
            item_id=review["item_id"],
            actor=people[review["by"]],
            outcome=review["outcome"],
            note=review["note"],
        )
    approve = step.status is None
    for voter, seat in _voters(request, seats_needed=approve):
        vote_cast(
            request=request,
            actor=voter,
            choice=VoteChoice.APPROVE if approve else VoteChoice.REJECT,
            comment=SEAT_APPROVALS[seat] if approve else story["status_request"]["comment"],
        )
    chair = people[CHAIR]
    decider = chair
    if recused_as(chair.pk, initiative):
        decider = next(
            people[name]
            for name in ACTING_CHAIR_PREFERENCE
            if not recused_as(people[name].pk, initiative)
        )
        gate_request_name_acting_chair(request=request, actor=chair, member=decider)
    if not approve:
        decision = Decision.HOLD if step.status == Status.PAUSED else Decision.KILL
        return gate_request_decide(
            request=request, actor=decider, decision=decision, reason=step.reason, meeting=meeting
        )
    results = gate_preview(initiative, timezone.localdate()).results
    if hard := [r for r in results if not r.passed and r.hard]:
        raise CommandError(
            f"{step.title} cannot go to {STAGE_LABELS[step.to_stage]}: the story breaks a hard "
            f"criterion ({'; '.join(f'{r.label}: {r.detail}' for r in hard)})."
        )
    override = ""
    if any(not r.passed for r in results):
        override = story.get("overrides", {}).get(step.to_stage, "")
        if not override:
            failing = "; ".join(r.label for r in results if not r.passed)
            raise CommandError(
                f"{step.title} → {STAGE_LABELS[step.to_stage]}: soft criteria fail ({failing}) "
                "and the story gives no override justification for them."
            )
    return gate_request_decide(
        request=request,
        actor=decider,
        decision=Decision.GO,
        reason=step.reason,
        override_justification=override,
        meeting=meeting,
    )


def _voters(request: GateRequest, *, seats_needed: bool) -> list[tuple[AbstractBaseUser, str]]:
    """Non-recused members up to the quorum; for a go, one per required seat first (a hold or
    a kill needs only the quorum)."""
    policy = request.policy_version
    memberships = [
        membership
        for membership in CouncilMembership.objects.filter(active=True)
        .select_related("user")
        .order_by("pk")
        if not recused_as(membership.user_id, request.initiative)
    ]
    chosen: list[CouncilMembership] = []
    for seat in policy.required_seats if seats_needed else ():
        seated = next((m for m in memberships if m.seat == seat and m not in chosen), None)
        if seated is None:
            raise CommandError(
                f"{request.initiative.title}: no council member without a conflict holds the "
                f"{seat} seat this gate requires."
            )
        chosen.append(seated)
    for membership in memberships:
        if len(chosen) >= policy.quorum:
            break
        if membership not in chosen:
            chosen.append(membership)
    return [(membership.user, membership.seat) for membership in chosen]


def _date_request(request: GateRequest, meeting_at: datetime.datetime, index: int) -> None:
    """Put the request, its votes, decision, exceptions and stage change on the timeline."""
    requested_at = meeting_at.replace(hour=10) - datetime.timedelta(days=REQUEST_LEAD_DAYS)
    decided_at = meeting_at + datetime.timedelta(minutes=20 * (index + 1))
    GateRequest.objects.filter(pk=request.pk).update(
        requested_at=requested_at,
        review_due_at=requested_at + datetime.timedelta(days=settings.GATE_REVIEW_DAYS),
        decided_at=decided_at,
    )
    for offset, vote in enumerate(Vote.objects.filter(request=request).order_by("cast_at", "pk")):
        cast_at = meeting_at - datetime.timedelta(days=2) + datetime.timedelta(hours=offset)
        Vote.objects.filter(pk=vote.pk).update(cast_at=cast_at)
    GateException.objects.filter(gate_request=request).update(granted_at=decided_at)
    ActionItem.objects.filter(gate_request=request).update(created_at=decided_at)
    StageTransition.objects.filter(gate_request_id=request.pk).update(occurred_at=decided_at)
    if request.decision == Decision.GO:
        Initiative.objects.filter(pk=request.initiative_id).update(stage_changed_at=decided_at)


def _date_meeting(meeting: CouncilMeeting, request_ids: Sequence[int]) -> None:
    """The meeting was scheduled, and its agenda frozen, the day after the last filing."""
    requests = {r.pk: r for r in GateRequest.objects.filter(pk__in=request_ids)}
    built_at = max(r.requested_at for r in requests.values()) + datetime.timedelta(days=1)
    agenda = dict(meeting.agenda)
    entries = []
    for entry in agenda.get("gate_requests", []):
        request = requests.get(entry["id"])
        if request is not None:
            entry = {
                **entry,
                "requested_at": request.requested_at.isoformat(),
                "review_due_at": request.review_due_at.isoformat(),
                "overdue": request.review_due_at < built_at,
            }
        entries.append(entry)
    agenda.update(built_at=built_at.isoformat(), gate_requests=entries)
    CouncilMeeting.objects.filter(pk=meeting.pk).update(agenda=agenda, created_at=built_at)


def _people() -> dict[str, AbstractBaseUser]:
    usernames = {
        DEMO_ADMIN_USERNAME,
        MEETING_ADMIN,
        CHAIR,
        *ACTING_CHAIR_PREFERENCE,
        *(spec["business_owner"] for spec in DEMO_INITIATIVES if spec["business_owner"]),
        *(
            review["by"]
            for story in STORY.values()
            for reviews in story.get("reviews", {}).values()
            for review in reviews
        ),
    }
    found = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    if missing := sorted(usernames - set(found)):
        raise CommandError(
            f"Demo users missing: {', '.join(missing)}. Run `manage.py seed_demo` first."
        )
    return found
