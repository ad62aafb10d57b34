"""Fill the demo's risk register, incidents, leadership decisions and action items.

Run after `seed_demo` (initiatives and people). The records come from the seed stories (see
DOMAIN.md): the executive update's top risks (vendor dependency, weak adoption, late legal
review) and decisions required from leadership, the knowledge assistant blocked on data-access
controls, HIPAA on patient diagnosis, missing bias testing on resume screening, and a triage
misrouting incident. Due dates count from today, so some action items are overdue whenever the
demo is loaded.

Idempotent: a record is found by its initiative and text (risk description, incident summary,
decision question, action title) and skipped if it exists; everything new goes through the
register services, so each gets its audit event.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from governance.models import (
    ActionItem,
    Incident,
    LeadershipDecision,
    Risk,
    RiskCategory,
    RiskStatus,
)
from governance.register.services import (
    action_item_complete,
    action_item_create,
    incident_create,
    incident_resolve,
    leadership_decision_create,
    leadership_decision_record_outcome,
    risk_close,
    risk_create,
)
from portfolio.models import Initiative

TRIAGE = "Customer triage and routing"
SALES = "Sales call coaching"
COLLECTIONS = "Payment collections automation"
KNOWLEDGE = "Operations knowledge assistant"
DIAGNOSIS = "Patient diagnosis support"
RESUME = "Resume screening for graduate hiring"
INSIGHT = "Insight synthesis for CX"

# `by` records it (a council member or one of the initiative's owners); `close`, when given,
# is the reason the risk was closed after being recorded.
DEMO_RISKS: tuple[dict[str, Any], ...] = (
    {
        "initiative": TRIAGE,
        "by": "chris",
        "category": RiskCategory.VENDOR,
        "likelihood": 3,
        "impact": 5,
        "owner": "paul",
        "description": (
            "Vendor dependency: every inbound support email is routed through one hosted model "
            "API. An outage or a silent model change stops or degrades routing for the whole "
            "support organisation."
        ),
        "mitigation": (
            "Fallback to the rules-based router when the API errors or latency passes 5 s; "
            "pin the model version and re-run the routing eval before any upgrade."
        ),
        "status": RiskStatus.MITIGATING,
    },
    {
        "initiative": TRIAGE,
        "by": "chris",
        "category": RiskCategory.MODEL_RELIABILITY,
        "likelihood": 3,
        "impact": 3,
        "owner": "priya",
        "description": (
            "New product categories are misrouted until the category list and the eval set "
            "are updated; misroutes above the 5% error budget slow first response again."
        ),
        "mitigation": "Weekly spot-checks of 200 routed emails; category changes go through "
        "the eval set first.",
        "status": RiskStatus.MITIGATING,
    },
    {
        "initiative": SALES,
        "by": "priya",
        "category": RiskCategory.ADOPTION,
        "likelihood": 5,
        "impact": 4,
        "owner": "priya",
        "description": (
            "Weak adoption: 12% of reps (24 of 200) use the coaching tool six months after "
            "rollout; the $800K build does not move win rate if reps do not open it."
        ),
        "mitigation": "",
        "status": RiskStatus.OPEN,
    },
    {
        "initiative": SALES,
        "by": "chris",
        "category": RiskCategory.VENDOR,
        "likelihood": 2,
        "impact": 3,
        "owner": "chris",
        "description": (
            "Call recordings are processed by Callwise Analytics; the vendor security "
            "assessment was done on the demo and not renewed for the production contract."
        ),
        "mitigation": "Vendor evaluation checklist scheduled with procurement.",
        "status": RiskStatus.MITIGATING,
    },
    {
        "initiative": COLLECTIONS,
        "by": "lena",
        "category": RiskCategory.LEGAL,
        "likelihood": 4,
        "impact": 4,
        "owner": "lena",
        "description": (
            "Late legal review: dunning emails drafted by the model go to customers, but "
            "legal has not reviewed the wording, the consent basis or the complaint path for "
            "this externally facing use."
        ),
        "mitigation": "",
        "status": RiskStatus.OPEN,
    },
    {
        "initiative": KNOWLEDGE,
        "by": "chris",
        "category": RiskCategory.SECURITY,
        "likelihood": 4,
        "impact": 5,
        "owner": "chris",
        "description": (
            "Data-access controls unresolved: the assistant's index can return SOP pages and "
            "customer refund notes that some of the 20 pilot agents may not see, and nobody "
            "owns rollback decisions."
        ),
        "mitigation": (
            "Restrict retrieval to the refund and RMA SOP collection; enforce document-level "
            "permissions at query time before any wider rollout."
        ),
        "status": RiskStatus.MITIGATING,
    },
    {
        "initiative": DIAGNOSIS,
        "by": "lena",
        "category": RiskCategory.PRIVACY,
        "likelihood": 5,
        "impact": 5,
        "owner": "lena",
        "description": (
            "HIPAA: patient records cannot be sent to a cloud AI API, and the self-hosting "
            "security review took 4 months; liability for a wrong suggestion is unresolved."
        ),
        "mitigation": "No compliant production path found; initiative stopped.",
        "status": RiskStatus.OPEN,
        "close": "Initiative stopped (kill) after 9 months; no patient data is processed.",
    },
    {
        "initiative": RESUME,
        "by": "lena",
        "category": RiskCategory.BIAS,
        "likelihood": 4,
        "impact": 5,
        "owner": "paul",
        "description": (
            "No bias testing (race, gender, age), no explanation for rejected candidates and "
            "no audit trail to defend hiring decisions; hiring is high risk under the EU AI Act "
            "(Annex III, employment)."
        ),
        "mitigation": "",
        "status": RiskStatus.OPEN,
    },
)

# Days before today the incident happened; `resolved` gives the corrective action.
DEMO_INCIDENTS: tuple[dict[str, Any], ...] = (
    {
        "initiative": TRIAGE,
        "by": "paul",
        "days_ago": 6,
        "owner": "paul",
        "summary": "Billing disputes misrouted to the general queue after a category change",
        "response": (
            "Duty manager switched the billing category back to manual routing within two "
            "hours and re-queued the affected emails."
        ),
        "impact": (
            "About 340 billing emails waited in the wrong queue; median first response for "
            "them rose to 11 hours for two days; misroutes hit 8% against a 5% budget."
        ),
        "corrective_action": "",
    },
    {
        "initiative": TRIAGE,
        "by": "paul",
        "days_ago": 45,
        "owner": "priya",
        "summary": "Routing stopped for 40 minutes during a model API outage",
        "response": "Emails queued unrouted; agents triaged by hand until the API recovered.",
        "impact": "40 minutes of manual triage; no email lost.",
        "corrective_action": (
            "Fallback to the rules-based router added on API errors; outage drill each quarter."
        ),
        "resolved": True,
    },
)

# The three decisions of 001's executive update, plus one already decided for contrast.
DEMO_DECISIONS: tuple[dict[str, Any], ...] = (
    {
        "initiative": None,
        "by": "chris",
        "owner": "eva",
        "due_in_days": 10,
        "question": "Approve additional delivery capacity for the two rollout candidates",
        "options": (
            "Approve two more engineers and one data engineer for two quarters\n"
            "Approve one engineer now and revisit at the next review\n"
            "Decline: the rollout candidates share the current team"
        ),
        "implications": (
            "Insight synthesis for CX and Sales call coaching are in controlled rollout on the "
            "same delivery team. Without capacity, one of them waits a quarter; with it, both "
            "reach the scale decision with evidence."
        ),
    },
    {
        "initiative": KNOWLEDGE,
        "by": "chris",
        "owner": "eva",
        "due_in_days": -3,
        "question": (
            "Decide whether to pause the internal knowledge assistant until security ownership "
            "is clarified"
        ),
        "options": (
            "Pause now; resume when a safety owner and data-access controls are in place\n"
            "Continue the 20-agent pilot with retrieval restricted to refund and RMA SOPs\n"
            "Stop the initiative"
        ),
        "implications": (
            "Pausing loses the handle-time gains of the pilot (18 to 12 minutes) for a few "
            "weeks; continuing keeps an unowned rollback path and an open high security risk."
        ),
    },
    {
        "initiative": None,
        "by": "lena",
        "owner": "eva",
        "due_in_days": 24,
        "question": "Confirm risk appetite for external-facing generative use cases this quarter",
        "options": (
            "Allow external-facing generation only with human approval of every message\n"
            "Allow it above a quality threshold with sampled review\n"
            "No external-facing generation this quarter"
        ),
        "implications": (
            "Payment collections drafts customer dunning emails; its legal review is late. The "
            "answer sets the bar for its controlled rollout and for any similar use case."
        ),
    },
    {
        "initiative": TRIAGE,
        "by": "chris",
        "owner": "eva",
        "due_in_days": -30,
        "question": "Extend customer triage from email to chat next quarter",
        "options": (
            "Extend to chat with the same 5% misroute budget, shadow mode first\n"
            "Stay on email until two more sprints inside the error budget"
        ),
        "implications": (
            "Chat is 40% of contacts; the same team runs both channels and the spot-checks."
        ),
        "outcome": (
            "Go: extend to chat next quarter, starting with two weeks in shadow mode and the "
            "same 5% misroute budget."
        ),
    },
)

# Action items; `due_in_days` negative = overdue; `done` = already completed.
DEMO_ACTIONS: tuple[dict[str, Any], ...] = (
    {
        "initiative": TRIAGE,
        "by": "chris",
        "owner": "paul",
        "due_in_days": -5,
        "title": "Run a post-incident review of the billing misroutes with the duty managers",
    },
    {
        "initiative": TRIAGE,
        "by": "chris",
        "owner": "priya",
        "due_in_days": 14,
        "title": "Add the new billing categories to the routing eval set before re-enabling them",
    },
    {
        "initiative": KNOWLEDGE,
        "by": "chris",
        "owner": "paul",
        "due_in_days": -10,
        "title": "Name a safety owner who owns rollback decisions for the knowledge assistant",
    },
    {
        "initiative": KNOWLEDGE,
        "by": "chris",
        "owner": "chris",
        "due_in_days": 7,
        "title": "Verify document-level permissions on the SOP index with the security team",
    },
    {
        "initiative": SALES,
        "by": "priya",
        "owner": "priya",
        "due_in_days": 21,
        "title": "Run manager-led coaching sessions and report weekly active reps (now 24 of 200)",
    },
    {
        "initiative": SALES,
        "by": "chris",
        "owner": "chris",
        "due_in_days": 10,
        "title": "Complete the Callwise Analytics vendor assessment",
    },
    {
        "initiative": COLLECTIONS,
        "by": "lena",
        "owner": "lena",
        "due_in_days": -3,
        "title": "Complete the legal review of dunning email wording and consent basis",
    },
    {
        "initiative": RESUME,
        "by": "lena",
        "owner": "paul",
        "due_in_days": 30,
        "title": "Commission an independent bias test (race, gender, age) on last year's intake",
    },
    {
        "initiative": INSIGHT,
        "by": "chris",
        "owner": "chris",
        "due_in_days": -20,
        "title": "Verify PII redaction on the checkout ticket export",
        "done": True,
    },
)


@dataclass
class RegisterSeedSummary:
    created: dict[str, int]
    existing: dict[str, int]
    skipped_initiatives: list[str]

    def lines(self) -> list[str]:
        out = [
            f"  {kind:<20} {self.created[kind]} new, {self.existing[kind]} already there"
            for kind in self.created
        ]
        if self.skipped_initiatives:
            out.append("  Not found (run seed_demo first): " + ", ".join(self.skipped_initiatives))
        return out


class Command(BaseCommand):
    help = (
        "Fill the demo risk register, incidents, leadership decisions and action items (some "
        "overdue as of today). Run after seed_demo; safe to run again."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        with transaction.atomic():
            summary = seed_register(today=timezone.localdate())
        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo register loaded."))
            for line in summary.lines():
                self.stdout.write(line)


def seed_register(*, today: datetime.date) -> RegisterSeedSummary:
    """Create whatever of the demo register is missing; never change what exists."""
    people = _people()
    titles = {
        spec["initiative"]
        for spec in (*DEMO_RISKS, *DEMO_INCIDENTS, *DEMO_DECISIONS, *DEMO_ACTIONS)
        if spec["initiative"]
    }
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in=titles)}
    summary = RegisterSeedSummary(
        created=dict.fromkeys(("risks", "incidents", "decisions", "action items"), 0),
        existing=dict.fromkeys(("risks", "incidents", "decisions", "action items"), 0),
        skipped_initiatives=sorted(titles - set(initiatives)),
    )

    def initiative_of(spec: Mapping[str, Any]) -> Initiative | None | bool:
        # False: the spec names an initiative this database does not have; skip the record.
        title = spec["initiative"]
        if title is None:
            return None
        return initiatives.get(title, False)

    for spec in DEMO_RISKS:
        initiative = initiative_of(spec)
        if initiative is False:
            continue
        if Risk.objects.filter(initiative=initiative, description=spec["description"]).exists():
            summary.existing["risks"] += 1
            continue
        risk = risk_create(
            initiative=initiative,
            actor=people[spec["by"]],
            category=spec["category"],
            description=spec["description"],
            likelihood=spec["likelihood"],
            impact=spec["impact"],
            owner=people[spec["owner"]],
            mitigation=spec["mitigation"],
            status=spec["status"],
        )
        if spec.get("close"):
            risk_close(risk=risk, actor=people[spec["by"]], reason=spec["close"])
        summary.created["risks"] += 1

    now = timezone.now()
    for spec in DEMO_INCIDENTS:
        initiative = initiative_of(spec)
        if initiative is False:
            continue
        if Incident.objects.filter(initiative=initiative, summary=spec["summary"]).exists():
            summary.existing["incidents"] += 1
            continue
        incident = incident_create(
            initiative=initiative,
            actor=people[spec["by"]],
            summary=spec["summary"],
            owner=people[spec["owner"]],
            occurred_at=now - datetime.timedelta(days=spec["days_ago"]),
            response=spec["response"],
            impact=spec["impact"],
            corrective_action=spec["corrective_action"],
        )
        if spec.get("resolved"):
            incident_resolve(incident=incident, actor=people[spec["by"]])
        summary.created["incidents"] += 1

    for spec in DEMO_DECISIONS:
        initiative = initiative_of(spec)
        if initiative is False:
            continue
        if LeadershipDecision.objects.filter(question=spec["question"]).exists():
            summary.existing["decisions"] += 1
            continue
        decision = leadership_decision_create(
            actor=people[spec["by"]],
            initiative=initiative,
            question=spec["question"],
            options=spec["options"],
            implications=spec["implications"],
            owner=people[spec["owner"]],
            due_date=today + datetime.timedelta(days=spec["due_in_days"]),
        )
        if spec.get("outcome"):
            leadership_decision_record_outcome(
                decision=decision, actor=people[spec["owner"]], outcome=spec["outcome"]
            )
        summary.created["decisions"] += 1

    for spec in DEMO_ACTIONS:
        initiative = initiative_of(spec)
        if initiative is False:
            continue
        if ActionItem.objects.filter(initiative=initiative, title=spec["title"]).exists():
            summary.existing["action items"] += 1
            continue
        item = action_item_create(
            initiative=initiative,
            actor=people[spec["by"]],
            title=spec["title"],
            owner=people[spec["owner"]],
            due_date=today + datetime.timedelta(days=spec["due_in_days"]),
        )
        if spec.get("done"):
            action_item_complete(item=item, actor=people[spec["owner"]], note="Verified.")
        summary.created["action items"] += 1
    return summary


def _people() -> dict[str, AbstractBaseUser]:
    usernames = {
        spec[key]
        for spec in (*DEMO_RISKS, *DEMO_INCIDENTS, *DEMO_DECISIONS, *DEMO_ACTIONS)
        for key in ("by", "owner")
    }
    found = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    missing = sorted(usernames - set(found))
    if missing:
        raise CommandError(
            f"Demo users missing: {', '.join(missing)}. Run `manage.py seed_demo` first."
        )
    return found
