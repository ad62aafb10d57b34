"""Fill the demo's readiness results: scorecards, checklists, vendor evaluations, one open draft.

Run after `load_templates` and `seed_demo`. Every initiative past exploration gets a readiness
scorecard whose scores tell its seed story (see DOMAIN.md and portfolio.demo_data): the loan
extraction strong and ready to scale, the code-review pilot weak and stuck in the
infrastructure build, sales coaching let down by adoption, the knowledge assistant blocked on
security and ownership, patient diagnosis and resume screening stopped by privacy and model
risk. Three initiatives get an earlier scorecard first, so history and comparison have two
points. Initiatives at pilot or beyond get a before-POC checklist, those in controlled rollout
or later a rollout governance checklist; the council's security chair evaluates every demo
vendor; and payment collections is left with a half-filled draft.

Everything goes through readiness.services, as a person allowed to do it (an owner of the
initiative, or a council member for vendors), so each step has its audit event. Idempotent: an
initiative or vendor that already has any assessment of a template is skipped for that
template, so a second run writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from portfolio.demo_data import DEMO_INITIATIVES
from portfolio.demo_timeline import stage_moves_at
from portfolio.models import Initiative, Stage, Vendor
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import Assessment, AssessmentStatus, AssessmentTemplate
from readiness.services import assessment_create_draft, assessment_save, assessment_submit

SCORECARD = SCORECARD_KEY
BEFORE_POC = "before_poc"
ROLLOUT_GOVERNANCE = "rollout_governance"
VENDOR_EVALUATION = "vendor_evaluation"
TEMPLATE_KEYS = (SCORECARD, BEFORE_POC, ROLLOUT_GOVERNANCE, VENDOR_EVALUATION)

LOAN = "Loan application document extraction"
CODE_REVIEW = "Self-hosted AI code review"
SALES = "Sales call coaching"
DIAGNOSIS = "Patient diagnosis support"
RESUME = "Resume screening for graduate hiring"
TRIAGE = "Customer triage and routing"
COLLECTIONS = "Payment collections automation"
INSIGHT = "Insight synthesis for CX"
KNOWLEDGE = "Operations knowledge assistant"
RENEWAL = "Renewal briefing for enterprise CSMs"

DEMO_INITIATIVES_BY_TITLE = {spec["title"]: spec for spec in DEMO_INITIATIVES}

# The council member who evaluates vendors (the security chair, see seed_governance).
VENDOR_EVALUATOR = "chris"


def _scorecard(
    by: str,
    default: int,
    scores: Mapping[str, int],
    *,
    comments: Mapping[str, str] | None = None,
    evidence: Mapping[str, str] | None = None,
    backdate: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """One scorecard: every area at `default` except `scores`.

    `backdate` (stage, days) is used only when a later scorecard supersedes this one: its
    submission date is moved to `days` after the initiative moved into `stage` (negative:
    before), so history and comparison show when it was really scored.
    """
    return {
        "by": by,
        "default": default,
        "answers": dict(scores),
        "comments": dict(comments or {}),
        "evidence": dict(evidence or {}),
        "backdate": backdate,
    }


def _checklist(
    by: str,
    default: str,
    answers: Mapping[str, str] | None = None,
    *,
    comments: Mapping[str, str] | None = None,
    evidence: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One yes/no or ready/not-ready checklist: every item `default` except `answers`."""
    return {
        "by": by,
        "default": default,
        "answers": dict(answers or {}),
        "comments": dict(comments or {}),
        "evidence": dict(evidence or {}),
        "backdate": None,
    }


# --- Readiness scorecards, oldest first per initiative ----------------------------------------
# Totals (18–90): loan 80 strong and ready to scale; triage 64 then 78; sales coaching 70 then
# 61; code review 51 weak; knowledge assistant 62 then 60 (blocked); collections 60; insight
# synthesis 72; renewal briefing 58; patient diagnosis 34 low; resume screening 52 weak.

DEMO_SCORECARDS: dict[str, tuple[dict[str, Any], ...]] = {
    LOAN: (
        _scorecard(
            "priya",
            4,
            {
                "problem_clarity": 5,
                "value_case": 5,
                "success_criteria": 5,
                "ownership": 5,
                "technical_feasibility": 5,
                "security_readiness": 5,
                "operational_controls": 5,
                "production_readiness": 5,
                "executive_visibility": 5,
                "vendor_readiness": 3,
            },
            comments={
                "vendor_readiness": (
                    "The self-hosted Llama model has no vendor support contract; the platform "
                    "team owns model upgrades and security patches."
                ),
            },
            evidence={
                "value_case": (
                    "50,000 loan documents a month in production; about $2M a year of manual "
                    "keying avoided, ROI positive after 6 months."
                ),
                "privacy_legal_readiness": (
                    "EU AI Act high risk (credit): audit trail, an explanation per extraction "
                    "and test evidence for credit record-keeping filed with Compliance."
                ),
                "production_readiness": (
                    "Runbook, on-call rota and a rehearsed rollback to manual keying; quarterly "
                    "review in the portfolio calendar."
                ),
            },
        ),
    ),
    TRIAGE: (
        # Scored for the controlled-rollout gate, after the shadow week.
        _scorecard(
            "priya",
            4,
            {
                "problem_clarity": 5,
                "workflow_fit": 3,
                "adoption_readiness": 3,
                "data_readiness": 3,
                "model_risk": 3,
                "operational_controls": 3,
                "vendor_readiness": 3,
                "delivery_capacity": 3,
                "production_readiness": 3,
                "executive_visibility": 3,
            },
            comments={
                "production_readiness": (
                    "Kill switch and confidence threshold defined; the rollback to the shared "
                    "inbox is not rehearsed yet."
                ),
            },
            evidence={
                "model_risk": (
                    "Shadow week: 94% of emails routed correctly on spot-checks, inside the 5% "
                    "misroute error budget."
                ),
            },
            backdate=(Stage.CONTROLLED_ROLLOUT, -7),
        ),
        # Rescored after limited live, for the scale decision.
        _scorecard(
            "priya",
            4,
            {
                "problem_clarity": 5,
                "value_case": 5,
                "success_criteria": 5,
                "ownership": 5,
                "workflow_fit": 5,
                "security_readiness": 5,
                "production_readiness": 5,
                "executive_visibility": 5,
                "operational_controls": 3,
                "vendor_readiness": 3,
            },
            comments={
                "operational_controls": (
                    "The billing misroute incident showed category changes can bypass the eval "
                    "set; gating them through it is an open action for Priya."
                ),
                "vendor_readiness": (
                    "Every email goes through one hosted model API; the rules-based fallback "
                    "router is in place and the model version is pinned."
                ),
            },
            evidence={
                "value_case": (
                    "Median first response on email down from 14 hours to 3 in limited live; "
                    "94% of emails auto-routed correctly."
                ),
                "workflow_fit": (
                    "Agents work from the routed queues; manual re-tagging fell from every "
                    "email to 6% of them."
                ),
            },
        ),
    ),
    SALES: (
        # The pilot scorecard that won the $800K build: five top reps loved it.
        _scorecard(
            "priya",
            4,
            {
                "adoption_readiness": 5,
                "vendor_readiness": 3,
                "delivery_capacity": 3,
                "production_readiness": 3,
            },
            comments={
                "vendor_readiness": (
                    "Callwise's security assessment was done on the demo environment; the "
                    "production contract review is pending."
                ),
            },
            evidence={
                "adoption_readiness": (
                    "The 5 top reps in the pilot called it a game-changer and used it on every "
                    "call."
                ),
            },
            backdate=(Stage.CONTROLLED_ROLLOUT, -7),
        ),
        # Rescored six months into the rollout to all 200 reps.
        _scorecard(
            "priya",
            4,
            {
                "adoption_readiness": 1,
                "workflow_fit": 2,
                "vendor_readiness": 2,
                "value_case": 3,
                "model_risk": 3,
                "delivery_capacity": 3,
                "production_readiness": 3,
            },
            comments={
                "adoption_readiness": (
                    "12% adoption: 24 of 200 reps open the coaching in a given week. There was "
                    "no training plan and managers do not use it in their call reviews. Priya "
                    "runs manager-led coaching sessions and reports weekly active reps."
                ),
                "workflow_fit": (
                    "Coaching arrives in a separate Callwise tab after the call, outside the "
                    "dialler and the CRM where reps work, so most skip it between calls. The "
                    "points need to land in the CRM activity record."
                ),
                "vendor_readiness": (
                    "The Callwise security assessment was done on the demo and not renewed for "
                    "the production contract; Chris runs the vendor evaluation."
                ),
            },
            evidence={
                "value_case": (
                    "New reps' win rate 18% before rollout, 19% now, against a 23% target."
                ),
                "technical_feasibility": (
                    "Dialler and CRM integration works; call-recording consent is in place."
                ),
            },
        ),
    ),
    CODE_REVIEW: (
        _scorecard(
            "paul",
            3,
            {
                "problem_clarity": 4,
                "security_readiness": 4,
                "privacy_legal_readiness": 4,
                "technical_feasibility": 2,
                "delivery_capacity": 1,
                "production_readiness": 2,
                "model_risk": 2,
                "vendor_readiness": 2,
            },
            comments={
                "technical_feasibility": (
                    "The GPT-4 demo worked; the self-hosted Llama 3.1 needs a GPU cluster, an "
                    "inference service and GitHub Enterprise webhooks behind the firewall, none "
                    "of which exist yet."
                ),
                "delivery_capacity": (
                    "Month 7: two engineers part-time and no MLOps engineer; the infrastructure "
                    "build competes with the payments roadmap and nobody is assigned to run the "
                    "model in production."
                ),
                "production_readiness": (
                    "No agreed threshold for suggestion quality or latency before rollout, and "
                    "no rollback or on-call plan for the review bot."
                ),
                "model_risk": (
                    "Suggestion quality was measured on the GPT-4 beta only; the self-hosted "
                    "model has not been evaluated on our pull requests."
                ),
                "vendor_readiness": (
                    "Open-weight model with no vendor support; the hosted API is ruled out "
                    "because code may not leave our VPC."
                ),
            },
            evidence={
                "security_readiness": (
                    "Security ruled that source code stays inside the VPC; the self-hosted "
                    "design was approved."
                ),
            },
        ),
    ),
    KNOWLEDGE: (
        # Scored three weeks into the pilot, before the security review found the access gap.
        _scorecard(
            "paul",
            4,
            {
                "ownership": 3,
                "decision_rights": 3,
                "data_readiness": 3,
                "security_readiness": 3,
                "model_risk": 3,
                "operational_controls": 3,
                "vendor_readiness": 3,
                "delivery_capacity": 3,
                "production_readiness": 3,
                "executive_visibility": 3,
            },
            evidence={
                "security_readiness": (
                    "Security and legal review started; the index is meant to hold the refund "
                    "and RMA SOP folders only."
                ),
            },
            backdate=(Stage.PILOT, 21),
        ),
        _scorecard(
            "paul",
            4,
            {
                "workflow_fit": 5,
                "ownership": 2,
                "decision_rights": 2,
                "security_readiness": 2,
                "operational_controls": 2,
                "data_readiness": 3,
                "model_risk": 3,
                "vendor_readiness": 3,
                "delivery_capacity": 3,
                "production_readiness": 3,
            },
            comments={
                "ownership": (
                    "Business and delivery owners are named, but nobody owns rollback "
                    "decisions and there is no safety owner; naming one is an overdue action."
                ),
                "decision_rights": (
                    "Unclear whether operations, security or the AI council may pause the "
                    "assistant; the leadership decision on a pause is overdue."
                ),
                "security_readiness": (
                    "The security review found the index also returns customer refund notes "
                    "that some of the 20 pilot agents may not see; document-level permissions "
                    "are not enforced at query time yet."
                ),
                "operational_controls": (
                    "No monitoring owner and no rollback path if answers drift; wrong answers "
                    "are reported in the team chat."
                ),
            },
            evidence={
                "workflow_fit": (
                    "Refund handle time down from 18 to 12 minutes for the 20 pilot agents."
                ),
            },
        ),
    ),
    COLLECTIONS: (
        _scorecard(
            "paul",
            3,
            {
                "problem_clarity": 5,
                "success_criteria": 4,
                "ownership": 4,
                "data_readiness": 4,
                "operational_controls": 4,
            },
            comments={
                "privacy_legal_readiness": (
                    "Legal review of the dunning wording and the consent basis is late; Lena "
                    "is reviewing it."
                ),
            },
            evidence={
                "operational_controls": (
                    "Human approval above €5,000; the rollback for incorrect dunning was tested "
                    "on a sandbox run of 300 invoices."
                ),
                "success_criteria": (
                    "DSO 52 → 42 days in the Benelux SME segment by March 2027; manual touches "
                    "per overdue invoice from 6."
                ),
            },
        ),
    ),
    INSIGHT: (
        _scorecard(
            "priya",
            4,
            {
                "problem_clarity": 5,
                "value_case": 5,
                "executive_visibility": 5,
                "strategic_relevance": 3,
                "delivery_capacity": 2,
            },
            comments={
                "delivery_capacity": (
                    "The same delivery team runs Sales call coaching's rollout; without the "
                    "extra capacity leadership is deciding on, scaling waits a quarter."
                ),
            },
            evidence={
                "value_case": (
                    "Time from a theme appearing in tickets to a backlog item: 21 days before, "
                    "6 in the pilot; 3 of 5 suggested experiments adopted."
                ),
                "privacy_legal_readiness": (
                    "PII redaction on the checkout ticket export verified by security."
                ),
            },
        ),
    ),
    RENEWAL: (
        _scorecard(
            "priya",
            3,
            {
                "problem_clarity": 5,
                "value_case": 4,
                "success_criteria": 4,
                "ownership": 4,
                "data_readiness": 2,
            },
            comments={
                "data_readiness": (
                    "CRM notes are incomplete for about a third of enterprise accounts and "
                    "usage data sits in a separate warehouse; the pilot uses a manual export "
                    "into the CRM sandbox."
                ),
            },
        ),
    ),
    DIAGNOSIS: (
        # Scored at the kill review, after 9 months in pilot.
        _scorecard(
            "priya",
            2,
            {
                "problem_clarity": 4,
                "ownership": 3,
                "privacy_legal_readiness": 1,
                "model_risk": 1,
                "technical_feasibility": 1,
                "vendor_readiness": 1,
                "production_readiness": 1,
            },
            comments={
                "strategic_relevance": (
                    "Sponsored by Healthcare Services, not tied to a group priority with a "
                    "measurable target."
                ),
                "value_case": (
                    "Benefit rests on physician time saved; $1.2M spent with no production path "
                    "and no costed production case."
                ),
                "success_criteria": (
                    "85% agreement with experts in the POC, but no threshold agreed for "
                    "clinical use."
                ),
                "decision_rights": (
                    "Clinical, legal and IT each had a veto and nobody the final call until the "
                    "kill decision."
                ),
                "workflow_fit": (
                    "Without an EHR interface, physicians would copy records into a separate tool."
                ),
                "adoption_readiness": (
                    "Trial doctors liked it, but they need to know why a diagnosis is suggested "
                    "and the model cannot say."
                ),
                "data_readiness": (
                    "Records split across the EHR, the lab system and scanned referral letters."
                ),
                "security_readiness": (
                    "Self-hosting took a 4-month security review and was never approved for "
                    "patient data."
                ),
                "privacy_legal_readiness": (
                    "HIPAA rules out cloud AI APIs and liability for a wrong suggestion is "
                    "unresolved."
                ),
                "model_risk": (
                    "No explanation for a suggestion and no testing on real admissions beyond "
                    "the 6-week POC set."
                ),
                "technical_feasibility": "The EHR vendor will not provide an API.",
                "operational_controls": (
                    "No clinical safety monitoring or escalation path was designed."
                ),
                "vendor_readiness": (
                    "Neither the model provider nor the EHR vendor can meet the clinical and "
                    "integration requirements."
                ),
                "delivery_capacity": (
                    "No clinical informatics lead; the team depended on the partner hospital."
                ),
                "production_readiness": "No production path was ever defined.",
                "executive_visibility": (
                    "Reviewed only inside Healthcare Services; it reached the portfolio review "
                    "at the kill decision, after $1.2M."
                ),
            },
        ),
    ),
    RESUME: (
        _scorecard(
            "paul",
            3,
            {
                "problem_clarity": 4,
                "workflow_fit": 4,
                "technical_feasibility": 4,
                "privacy_legal_readiness": 1,
                "model_risk": 2,
                "operational_controls": 2,
                "vendor_readiness": 2,
            },
            comments={
                "privacy_legal_readiness": (
                    "Hiring is high risk under the EU AI Act (Annex III, employment): no bias "
                    "testing across race, gender and age, no explanation for rejected "
                    "candidates, no audit trail. Compliance blocked deployment."
                ),
                "model_risk": (
                    "92% agreement with recruiters on qualified candidates, but nobody has "
                    "tested how rankings differ across protected groups."
                ),
                "operational_controls": (
                    "No audit trail to defend a hiring decision and no way for a candidate to "
                    "contest a ranking."
                ),
                "vendor_readiness": (
                    "HireRank was chosen on its demo: no bias test report, no model "
                    "documentation, and explanations are not available through the API."
                ),
            },
        ),
    ),
}

# The half-filled scorecard draft left open on payment collections: the delivery owner is
# rescoring it as the first clerks use the payment-plan proposals.
OPEN_DRAFT: dict[str, Any] = {
    "initiative": COLLECTIONS,
    "template": SCORECARD,
    "by": "priya",
    "answers": {
        "problem_clarity": 5,
        "strategic_relevance": 3,
        "value_case": 4,
        "success_criteria": 4,
        "ownership": 4,
        "decision_rights": 3,
        "workflow_fit": 4,
        "adoption_readiness": 4,
        "data_readiness": 4,
    },
    "comments": {
        "adoption_readiness": (
            "Clerks approve proposed payment plans from the ERP queue view; 6 of the 8 used it "
            "daily in the last two weeks."
        ),
    },
}

# --- Checklists ---------------------------------------------------------------------------------

DEMO_BEFORE_POC: dict[str, dict[str, Any]] = {
    LOAN: _checklist("priya", "yes"),
    CODE_REVIEW: _checklist("paul", "yes"),
    SALES: _checklist("priya", "yes"),
    DIAGNOSIS: _checklist(
        "priya",
        "yes",
        {"infrastructure_ready": "no", "compliance_requirements_identified": "no"},
        comments={
            "infrastructure_ready": (
                "The POC ran on a cloud API; no on-premises inference or EHR interface existed."
            ),
            "compliance_requirements_identified": (
                "HIPAA and liability for wrong suggestions were not assessed before the POC."
            ),
        },
    ),
    RESUME: _checklist(
        "paul",
        "yes",
        {"compliance_requirements_identified": "no"},
        comments={
            "compliance_requirements_identified": (
                "The EU AI Act high-risk obligations for hiring were not identified before the "
                "build."
            ),
        },
    ),
    TRIAGE: _checklist("priya", "yes"),
    COLLECTIONS: _checklist("paul", "yes"),
    INSIGHT: _checklist("priya", "yes"),
    KNOWLEDGE: _checklist("paul", "yes"),
    RENEWAL: _checklist("priya", "yes"),
}

DEMO_ROLLOUT_GOVERNANCE: dict[str, dict[str, Any]] = {
    LOAN: _checklist(
        "priya",
        "ready",
        evidence={"rollback_readiness": "Rollback to manual keying rehearsed before scale."},
    ),
    TRIAGE: _checklist(
        "priya",
        "ready",
        evidence={
            "incident_response": (
                "Duty manager switched billing back to manual routing within two hours during "
                "the misroute incident."
            ),
        },
    ),
    SALES: _checklist(
        "priya",
        "ready",
        {"workflow_fit": "not_ready", "security_review": "not_ready", "support_model": "not_ready"},
        comments={
            "workflow_fit": "Coaching sits outside the dialler and CRM; 24 of 200 reps use it.",
            "security_review": "The Callwise assessment was not renewed for production.",
            "support_model": "No enablement or training plan; managers do not coach with it.",
        },
    ),
    INSIGHT: _checklist(
        "priya",
        "ready",
        evidence={"human_oversight": "The CX lead signs off every brief before it is shared."},
    ),
}

# --- Vendor evaluations (by the security chair) -------------------------------------------------

DEMO_VENDOR_EVALUATIONS: dict[str, dict[str, Any]] = {
    "OpenAI": _checklist(
        VENDOR_EVALUATOR,
        "ready",
        {"interoperability_lock_in": "not_ready"},
        comments={
            "interoperability_lock_in": (
                "Prompts and evals are tuned to one model family; no fallback model has been "
                "tested for triage routing."
            ),
            "privacy_compliance": "Fine for business data; not for patient data (HIPAA).",
        },
        evidence={
            "data_handling": (
                "Enterprise API terms: no training on our data, zero data retention, data "
                "processing addendum signed."
            ),
        },
    ),
    "Meta Llama (self-hosted)": _checklist(
        VENDOR_EVALUATOR,
        "ready",
        {"implementation_effort": "not_ready", "monitoring_support": "not_ready"},
        comments={
            "implementation_effort": (
                "Needs our own GPU cluster and MLOps platform: 14 months for the loan "
                "extraction, and the code-review pilot is still in the infrastructure build."
            ),
            "monitoring_support": (
                "No vendor support; the platform team monitors, patches and upgrades the model."
            ),
        },
        evidence={"data_handling": "Runs on our own servers; no data leaves our network."},
    ),
    "Callwise Analytics": _checklist(
        VENDOR_EVALUATOR,
        "ready",
        {
            "workflow_integration": "not_ready",
            "data_handling": "not_ready",
            "security_posture": "not_ready",
            "vendor_maturity": "not_ready",
        },
        comments={
            "workflow_integration": "Coaching shows in its own tab, not in the CRM reps use.",
            "data_handling": "Retention of call recordings is not stated in the contract.",
            "security_posture": "Assessed on the demo only; no current penetration test report.",
            "vendor_maturity": "Small vendor, 30 customers, no EU support hours.",
        },
    ),
    "HireRank": _checklist(
        VENDOR_EVALUATOR,
        "ready",
        {
            "data_handling": "not_ready",
            "privacy_compliance": "not_ready",
            "model_reliability": "not_ready",
            "human_oversight": "not_ready",
            "monitoring_support": "not_ready",
        },
        comments={
            "data_handling": "Candidate data is kept for model improvement unless we opt out.",
            "privacy_compliance": (
                "No EU AI Act high-risk documentation for employment use; no bias test report."
            ),
            "model_reliability": "No results across protected groups (race, gender, age).",
            "human_oversight": "No explanation of a ranking is available to the recruiter.",
            "monitoring_support": "No drift or fairness monitoring offered.",
        },
    ),
}


@dataclass
class ReadinessSeedSummary:
    scorecards: int = 0
    superseded: int = 0
    checklists: dict[str, int] = field(
        default_factory=lambda: {BEFORE_POC: 0, ROLLOUT_GOVERNANCE: 0}
    )
    vendor_evaluations: int = 0
    drafts: int = 0
    existing: int = 0
    not_found: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"Readiness: {self.scorecards} scorecards submitted ({self.superseded} superseded "
            f"by a later one), {self.checklists[BEFORE_POC]} before-POC and "
            f"{self.checklists[ROLLOUT_GOVERNANCE]} rollout governance checklists, "
            f"{self.vendor_evaluations} vendor evaluations, {self.drafts} open draft(s); "
            f"{self.existing} already assessed, skipped"
        )
        if self.not_found:
            text += f"; not found (run seed_demo first): {', '.join(self.not_found)}"
        return text + "."


class Command(BaseCommand):
    help = (
        "Load the demo readiness results (scorecards with history, before-POC and rollout "
        "governance checklists, vendor evaluations, one open draft) through the readiness "
        "services. Run after load_templates and seed_demo; safe to run again."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        with transaction.atomic():
            summary = seed_readiness()
        if not quiet:
            self.stdout.write(summary.line())


def seed_readiness() -> ReadinessSeedSummary:
    """Create whatever of the demo readiness results is missing; never change what exists."""
    loaded = set(
        AssessmentTemplate.objects.filter(key__in=TEMPLATE_KEYS).values_list("key", flat=True)
    )
    if missing := [key for key in TEMPLATE_KEYS if key not in loaded]:
        raise CommandError(
            f"Templates not loaded: {', '.join(missing)}. Run `manage.py load_templates` first."
        )
    people = _people()
    summary = ReadinessSeedSummary()
    titles = set(DEMO_SCORECARDS) | set(DEMO_BEFORE_POC) | set(DEMO_ROLLOUT_GOVERNANCE)
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in=titles)}
    summary.not_found = sorted(titles - set(initiatives))

    for title, versions in DEMO_SCORECARDS.items():
        initiative = initiatives.get(title)
        if initiative is None:
            continue
        if _already_assessed(SCORECARD, initiative=initiative):
            summary.existing += 1
            continue
        submitted = [_submit(SCORECARD, spec, people, initiative=initiative) for spec in versions]
        summary.scorecards += len(submitted)
        for assessment, spec in zip(submitted[:-1], versions[:-1], strict=True):
            _backdate_superseded(assessment, initiative, spec["backdate"])
            summary.superseded += 1
        if OPEN_DRAFT["initiative"] == title:
            _open_draft(OPEN_DRAFT, people, initiative=initiative)
            summary.drafts += 1

    for key, specs in (
        (BEFORE_POC, DEMO_BEFORE_POC),
        (ROLLOUT_GOVERNANCE, DEMO_ROLLOUT_GOVERNANCE),
    ):
        for title, spec in specs.items():
            initiative = initiatives.get(title)
            if initiative is None:
                continue
            if _already_assessed(key, initiative=initiative):
                summary.existing += 1
                continue
            _submit(key, spec, people, initiative=initiative)
            summary.checklists[key] += 1

    vendors = {v.name: v for v in Vendor.objects.filter(name__in=DEMO_VENDOR_EVALUATIONS)}
    summary.not_found += sorted(set(DEMO_VENDOR_EVALUATIONS) - set(vendors))
    for name, spec in DEMO_VENDOR_EVALUATIONS.items():
        vendor = vendors.get(name)
        if vendor is None:
            continue
        if _already_assessed(VENDOR_EVALUATION, vendor=vendor):
            summary.existing += 1
            continue
        _submit(VENDOR_EVALUATION, spec, people, vendor=vendor)
        summary.vendor_evaluations += 1
    return summary


def _already_assessed(
    key: str, *, initiative: Initiative | None = None, vendor: Vendor | None = None
) -> bool:
    """Any assessment of template `key` (draft, submitted or superseded) for the subject."""
    return Assessment.objects.filter(
        template__key=key, initiative=initiative, vendor=vendor
    ).exists()


def _submit(
    key: str,
    spec: Mapping[str, Any],
    people: Mapping[str, AbstractBaseUser],
    *,
    initiative: Initiative | None = None,
    vendor: Vendor | None = None,
) -> Assessment:
    """Draft, fill and submit one assessment through the services, as `spec["by"]`."""
    actor = people[spec["by"]]
    draft = assessment_create_draft(
        template_key=key, actor=actor, initiative=initiative, vendor=vendor
    )
    answers = {
        item_id: spec["answers"].get(item_id, spec["default"])
        for item_id in draft.template_version.parsed.item_ids
    }
    draft = assessment_save(
        assessment=draft,
        actor=actor,
        expected_revision=draft.revision,
        answers=answers,
        evidence=spec["evidence"],
        comments=spec["comments"],
    )
    return assessment_submit(assessment=draft, actor=actor, expected_revision=draft.revision)


def _backdate_superseded(
    assessment: Assessment, initiative: Initiative, backdate: tuple[str, int] | None
) -> None:
    """Move a superseded scorecard's submission date to when it was really scored.

    The service stamps every submission with the current time, so without this the earlier
    and the later scorecard would be seconds apart in history and comparison. The date comes
    from the story's timeline (portfolio.demo_timeline: when the initiative moved into
    `stage`, plus the offset), so it holds whether or not the council has walked the stages
    yet (`seed_history` runs after this). Only a superseded row is moved, and only earlier;
    the audit events keep the moment the seed really ran.
    """
    if backdate is None:
        return
    stage, days = backdate
    spec = DEMO_INITIATIVES_BY_TITLE.get(initiative.title)
    if spec is None:
        return
    moved_in = stage_moves_at(spec, timezone.localdate()).get(stage)
    if moved_in is None:
        return
    when = moved_in + datetime.timedelta(days=days)
    Assessment.objects.filter(
        pk=assessment.pk, status=AssessmentStatus.SUPERSEDED, submitted_at__gt=when
    ).update(submitted_at=when)


def _open_draft(
    spec: Mapping[str, Any], people: Mapping[str, AbstractBaseUser], *, initiative: Initiative
) -> Assessment:
    actor = people[spec["by"]]
    draft = assessment_create_draft(
        template_key=spec["template"], actor=actor, initiative=initiative
    )
    return assessment_save(
        assessment=draft,
        actor=actor,
        expected_revision=draft.revision,
        answers=spec["answers"],
        comments=spec["comments"],
    )


def _people() -> dict[str, AbstractBaseUser]:
    usernames = {
        spec["by"]
        for specs in (
            *DEMO_SCORECARDS.values(),
            DEMO_BEFORE_POC.values(),
            DEMO_ROLLOUT_GOVERNANCE.values(),
            DEMO_VENDOR_EVALUATIONS.values(),
        )
        for spec in specs
    } | {OPEN_DRAFT["by"]}
    found = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    if missing := sorted(usernames - set(found)):
        raise CommandError(
            f"Demo users missing: {', '.join(missing)}. Run `manage.py seed_demo` first."
        )
    return found
