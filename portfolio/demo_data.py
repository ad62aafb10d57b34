"""The demo portfolio: people, business units, vendors and initiatives from the seed stories.

Plain data only; `manage.py seed_demo` turns it into rows through the portfolio services, and
`manage.py demo_logins` and the tests read it. The stories come from the two seed texts (see
DOMAIN.md): the loan-document, patient-diagnosis, code-review, sales-coaching and
resume-screening stories of the "80% of AI projects" thread, and the renewal briefing, the bad
problem statements, the four field-tested use cases and the blocked knowledge assistant of the
CTO playbook. The portfolio is told as of November 2026 (see DEMO_AS_OF).

An initiative is a dict with these keys:
- "title", "business_unit" (a name from DEMO_BUSINESS_UNITS), "vendors" (names from DEMO_VENDORS);
- "created_by" and the people fields ("business_owner", "delivery_owner", "executive_sponsor",
  "value_owner", "safety_owner") as usernames from DEMO_USERS, or None when nobody is named;
- the other editable initiative fields under their model names (budgets as Decimal, dates as date);
- "problem_statements": the versions in the order they were written, each with "quality"
  (STRONG or WEAK: what the statement check should make of it), a "note" and the "fields";
  an optional "author" (username) defaults to "created_by";
- "stage_history": (stage, reason) steps from exploration, one stage at a time;
- "stage_months_ago": for each step, how many months before the current one the council decided
  it (at that month's meeting, see portfolio.demo_timeline), so the history always ends in the
  recent past and last month's report has movement to show;
- "before_council" (optional, default False): the steps were taken before the council's stage
  gates applied, so they are recorded as set by the governance admin, not as gate decisions
  (the pilots that drifted in: their gates would fail today);
- "status": None while active, else (status, reason) for a hold or a kill after the last step,
  decided by the council "status_months_ago" months before the current one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core.roles import Role
from portfolio.models import AutonomyLevel, RiskTier, Sourcing, Stage, Status, ValueCategory

DEMO_PASSWORD = "gatehouse-demo"

# The story is told as of this date: every initiative started before it.
DEMO_AS_OF = date(2026, 11, 1)

# At least one person per role; the council has security, legal, executive and product seats.
# Emails are @example.com.
DEMO_USERS: tuple[dict[str, str], ...] = (
    {"username": "eva", "role": Role.EXECUTIVE, "name": "Eva Martens", "focus": "sponsor"},
    {"username": "paul", "role": Role.PRODUCT_OWNER, "name": "Paul Okafor", "focus": ""},
    {"username": "priya", "role": Role.PRODUCT_OWNER, "name": "Priya Nair", "focus": ""},
    {"username": "chris", "role": Role.COUNCIL_MEMBER, "name": "Chris Dubois", "focus": "security"},
    {"username": "lena", "role": Role.COUNCIL_MEMBER, "name": "Lena Hoffmann", "focus": "legal"},
    # A second security member and a second executive, owners of nothing: Chris (security) is
    # the safety owner and Eva the sponsor of most initiatives, so both are recused there.
    {"username": "sam", "role": Role.COUNCIL_MEMBER, "name": "Sam Ortiz", "focus": "security"},
    {"username": "marc", "role": Role.EXECUTIVE, "name": "Marc Lefevre", "focus": "CFO"},
    {"username": "gina", "role": Role.GOVERNANCE_ADMIN, "name": "Gina Rossi", "focus": ""},
    {"username": "otto", "role": Role.AUDITOR, "name": "Otto Berg", "focus": ""},
)

# Creates the business units and decides every stage change of the demo.
DEMO_ADMIN_USERNAME = "gina"

DEMO_BUSINESS_UNITS: tuple[dict[str, str], ...] = (
    {
        "name": "Retail Banking",
        "description": "Consumer lending, loan origination and account servicing.",
    },
    {
        "name": "Customer Operations",
        "description": "Support, triage and the operations back office for refunds and returns.",
    },
    {
        "name": "Customer Success",
        "description": "Enterprise customer success managers and renewals.",
    },
    {"name": "Engineering", "description": "Product engineering and the developer platform."},
    {"name": "Sales", "description": "Mid-market and enterprise sales teams (200 reps)."},
    {
        "name": "Healthcare Services",
        "description": "Clinical services run with partner hospitals.",
    },
    {"name": "People & HR", "description": "Recruiting, people operations and HR."},
    {
        "name": "Finance",
        "description": "Accounts receivable, management reporting and the month-end close.",
    },
)

DEMO_VENDORS: tuple[dict[str, str], ...] = (
    {
        "name": "OpenAI",
        "website": "https://openai.com",
        "description": "Hosted GPT models through the API; used for most proofs of concept.",
    },
    {
        "name": "Meta Llama (self-hosted)",
        "website": "https://www.llama.com",
        "description": "Open-weight Llama models run on our own GPU servers with vLLM.",
    },
    {
        "name": "Callwise Analytics",
        "website": "",
        "description": "Sales-call recording and real-time coaching platform (fictional).",
    },
    {
        "name": "HireRank",
        "website": "",
        "description": "Resume screening and candidate ranking service (fictional).",
    },
)

STRONG = "strong"
WEAK = "weak"


# --- Problem statements ---------------------------------------------------------------------
# Strong ones fill every part of the one-page template with a named user and numbers; weak ones
# are the seed's bad examples, kept as they were first written.

_LOAN_DOCUMENTS = {
    "user_team": "Loan processing officers in Retail Banking keying consumer loan applications",
    "friction": (
        "retyping applicant income, employment and collateral data from PDF documents into the "
        "loan origination system"
    ),
    "cause": (
        "applications arrive as scanned PDFs in 30 layouts and the 8 legacy lending systems "
        "accept only typed input"
    ),
    "cost": (
        "about $2M a year in manual keying and a 4-day median wait before underwriting can start"
    ),
    "desired_outcome": (
        "extract the application fields into the origination system, with low-confidence fields "
        "sent to an officer for review"
    ),
    "success_metric": (
        "field-level extraction accuracy on a monthly sample and median time from application "
        "to underwriting"
    ),
    "constraints": (
        "applicant data stays on our premises, every extraction is logged for audit, and credit "
        "decisions stay with underwriters (EU AI Act high risk)"
    ),
    "kpi": "Median time from application received to underwriting start",
    "baseline": "4 days",
    "target": "1 day",
    "target_date": date(2025, 9, 30),
    "non_ai_alternative": "An offshore data-entry team double-keying every application",
}

_CODE_REVIEW = {
    "user_team": (
        "Backend developers on the payments platform reviewing pull requests in GitHub Enterprise"
    ),
    "friction": (
        "waiting for a senior reviewer before a pull request can merge, and repeated review "
        "comments on the same performance and security issues"
    ),
    "cause": (
        "4 senior reviewers cover 60 developers and the self-hosted GitHub Enterprise behind the "
        "firewall runs no automated review checks"
    ),
    "cost": (
        "a median 26 hours from pull request opened to first review, and about 5 hours a week "
        "per developer spent waiting or reworking"
    ),
    "desired_outcome": (
        "post a first review with suggested fixes within 10 minutes of a pull request opening, "
        "for the developer to accept or dismiss"
    ),
    "success_metric": "median time to first review and the share of suggestions developers accept",
    "constraints": (
        "source code never leaves our VPC, the model runs on our own GPU servers, and a human "
        "reviewer still approves every merge"
    ),
    "kpi": "Median time from pull request opened to first review",
    "baseline": "26 hours",
    "target": "4 hours",
    "target_date": date(2027, 3, 31),
    "non_ai_alternative": "Stricter linters in CI and a rota of two reviewers per team",
}

_SALES_COACHING = {
    "user_team": "Mid-market account executives in their first 12 months",
    "friction": (
        "getting feedback on discovery and objection handling only in a monthly call review "
        "with their manager"
    ),
    "cause": "each sales manager coaches 12 reps and can listen to about 2 calls per rep a month",
    "cost": (
        "a win rate of 18% for new reps against 27% for tenured reps, about $3M a year in lost "
        "bookings"
    ),
    "desired_outcome": (
        "give reps call-specific coaching points within the hour after each call, readable in "
        "under two minutes"
    ),
    "success_metric": "win rate of new reps and weekly active use of the coaching",
    "constraints": (
        "calls recorded only with customer consent, coaching data never used in performance "
        "reviews, and everything inside the existing dialler and CRM"
    ),
    "kpi": "Win rate of account executives in their first 12 months",
    "baseline": "18%",
    "target": "23%",
    "target_date": date(2026, 12, 31),
    "non_ai_alternative": "Weekly peer call reviews led by tenured reps",
}

_PATIENT_DIAGNOSIS = {
    "user_team": "Internal medicine physicians assessing complex admissions",
    "friction": (
        "assembling history, lab results and prior notes from the patient record before forming "
        "a differential diagnosis"
    ),
    "cause": (
        "records are split across the EHR, the lab system and scanned referral letters with no "
        "summary view"
    ),
    "cost": (
        "about 40 minutes per complex admission and missed differentials in 6% of audited cases"
    ),
    "desired_outcome": (
        "suggest a ranked list of differential diagnoses with the evidence behind each, for the "
        "physician to accept or reject"
    ),
    "success_metric": (
        "agreement with expert review on sampled cases and physician time per complex admission"
    ),
    "constraints": (
        "HIPAA, patient data kept on premises, the physician remains responsible for every "
        "diagnosis, and EHR integration through the vendor's interface"
    ),
    "kpi": "Physician time per complex admission",
    "baseline": "40 minutes",
    "target": "25 minutes",
    "target_date": date(2026, 6, 30),
    "non_ai_alternative": (
        "A structured admission summary prepared by the ward's clinical assistants"
    ),
}

_RESUME_SCREENING = {
    "user_team": "Graduate recruiters in People & HR screening the autumn intake",
    "friction": "reading every application by hand to build a first shortlist",
    "cause": "about 4,000 applications arrive in a six-week window and 3 recruiters screen them",
    "cost": (
        "a median 21 days from application to first response, with strong candidates accepting "
        "other offers first"
    ),
    "desired_outcome": (
        "rank applications against the published role criteria, with the reasons for each "
        "ranking, for a recruiter to confirm"
    ),
    "success_metric": (
        "days to first response and the share of hires who came from the top-ranked third"
    ),
    "constraints": (
        "EU AI Act high-risk obligations for hiring: bias testing across protected "
        "characteristics, an explanation for every rejection and a full audit trail"
    ),
    "kpi": "Median days from application to first response",
    "baseline": "21 days",
    "target": "7 days",
    "target_date": date(2027, 6, 30),
    "non_ai_alternative": (
        "Structured knockout questions in the application form and a fourth seasonal recruiter"
    ),
}

_CUSTOMER_TRIAGE = {
    "user_team": "Tier-1 support agents handling inbound email for the web shop",
    "friction": "reading and tagging every inbound email by hand before it reaches the right queue",
    "cause": (
        "12,000 emails a month land in one shared inbox with no intent, order ID or priority "
        "extracted"
    ),
    "cost": (
        "a median first-response time of 14 hours and 22% of emails routed to the wrong queue "
        "at least once"
    ),
    "desired_outcome": (
        "classify each email, extract order ID, priority and sentiment, and route it to the "
        "right queue or macro, proposing refunds only within set limits"
    ),
    "success_metric": "median first-response time and the share of emails auto-routed correctly",
    "constraints": (
        "a confidence threshold for auto-routing versus human review, refund limits, an audit "
        "log of each routing decision and weekly spot-checks"
    ),
    "kpi": "Median first-response time on email",
    "baseline": "14 hours",
    "target": "2 hours",
    "target_date": date(2026, 9, 30),
    "non_ai_alternative": (
        "A mandatory category drop-down on the contact form with rule-based routing"
    ),
}

_PAYMENT_COLLECTIONS = {
    "user_team": "Accounts receivable clerks collecting from Benelux SME customers",
    "friction": (
        "sending reminders, chasing updated contact details and negotiating payment plans one "
        "invoice at a time"
    ),
    "cause": (
        "dunning runs from spreadsheets exported weekly from the ERP, so reminders go out late "
        "and disputes are tracked in email"
    ),
    "cost": (
        "days sales outstanding of 52 against 30-day terms, about €4M tied up in overdue "
        "invoices and 6 manual touches per overdue invoice"
    ),
    "desired_outcome": (
        "sequence reminders, propose payment plans within set limits, flag disputes and close "
        "the loop when remittance lands"
    ),
    "success_metric": "days sales outstanding and manual touches per overdue invoice",
    "constraints": (
        "the ERP stays the source of truth, human approval for amounts above €5,000, and a "
        "rollback for incorrect dunning"
    ),
    "kpi": "Days sales outstanding (Benelux SME segment)",
    "baseline": "52 days",
    "target": "42 days",
    "target_date": date(2027, 3, 31),
    "non_ai_alternative": "Scheduled dunning runs in the ERP with fixed reminder templates",
}

_INSIGHT_SYNTHESIS = {
    "user_team": "Product managers and CX leads for the checkout product area",
    "friction": "finding the recurring complaints in support tickets before planning each sprint",
    "cause": (
        "about 9,000 tickets a month are tagged inconsistently and an analyst reads a sample by "
        "hand once a quarter"
    ),
    "cost": (
        "3 weeks from a problem appearing in tickets to it reaching the backlog, and checkout "
        "CSAT stuck at 71%"
    ),
    "desired_outcome": (
        "draft a weekly brief of the top themes with example tickets and suggested experiments, "
        "signed off by the CX lead before it is shared"
    ),
    "success_metric": (
        "days from a theme appearing in tickets to a backlog item, and recommended experiments "
        "adopted"
    ),
    "constraints": (
        "support tickets only, PII redacted before processing, reproducible prompts, and CX "
        "lead sign-off before distribution"
    ),
    "kpi": "Days from a theme appearing in tickets to a backlog item",
    "baseline": "21 days",
    "target": "5 days",
    "target_date": date(2026, 12, 31),
    "non_ai_alternative": "A fixed tagging taxonomy in the ticket form and a monthly manual review",
}

_OPERATIONS_KNOWLEDGE = {
    "user_team": "Operations agents handling refunds and returns (RMA) in Customer Operations",
    "friction": (
        "searching three SOP folders and asking a team lead for how-to answers on refund and "
        "RMA cases"
    ),
    "cause": (
        "the SOPs are duplicated across a wiki, a shared drive and email, with no owner and "
        "conflicting versions"
    ),
    "cost": (
        "a median handle time of 18 minutes per refund case and 30% of cases escalated to a "
        "team lead"
    ),
    "desired_outcome": (
        "answer how-to questions from approved SOPs with the source cited, propose the next form "
        "or checklist, and hand over to a subject-matter expert when confidence is low"
    ),
    "success_metric": (
        "handle time, sampled answer accuracy and the share of cases resolved without escalation"
    ),
    "constraints": (
        "approved SOPs only, document access follows the agent's existing permissions, "
        "freshness checks on every source, and a named owner for rollback"
    ),
    "kpi": "Median handle time per refund case",
    "baseline": "18 minutes",
    "target": "12 minutes",
    "target_date": date(2027, 2, 26),
    "non_ai_alternative": "One owned SOP library with search and a weekly freshness review",
}

# The seed's strong example, split into the template's parts, with the measurable extras added.
# Its cost says "several hours", as in the seed, so the check still asks for a number there.
_RENEWAL_BRIEFING = {
    "user_team": "Enterprise customer success managers managing more than 40 active accounts",
    "friction": (
        "that renewal preparation requires manually reviewing CRM notes, support tickets, call "
        "transcripts, and product usage reports"
    ),
    "cause": "account signals being spread across four systems with no single view",
    "cost": (
        "several hours of preparation work each week and an increased risk of missing important "
        "customer signals before renewal conversations"
    ),
    "desired_outcome": "generate a reliable renewal briefing in under five minutes",
    "success_metric": (
        "reduced preparation time, manager trust in the summary, and improved renewal meeting "
        "quality"
    ),
    "constraints": "existing CRM, privacy, and customer data constraints",
    "kpi": "Median renewal preparation time",
    "baseline": "3 hours of preparation per renewal",
    "target": "20 minutes per renewal",
    "target_date": date(2027, 1, 29),
    "non_ai_alternative": "A shared renewal checklist and a CRM report template",
}


# --- Initiatives ----------------------------------------------------------------------------

DEMO_INITIATIVES: tuple[dict[str, Any], ...] = (
    # 000: the financial-services success story, 14 months from POC to production.
    {
        "title": "Loan application document extraction",
        "business_unit": "Retail Banking",
        "created_by": "priya",
        "business_owner": "priya",
        "delivery_owner": "paul",
        "executive_sponsor": "eva",
        "value_owner": "priya",
        "safety_owner": "chris",
        "escalation_path": (
            "Paul Okafor (delivery) → Head of Lending Operations → AI council → Eva Martens"
        ),
        "autonomy_level": AutonomyLevel.AUTOMATED_WORKFLOW,
        "eu_ai_act_tier": RiskTier.HIGH,
        "sourcing": Sourcing.BUILD,
        "vendors": ("OpenAI", "Meta Llama (self-hosted)"),
        "value_category": ValueCategory.COST,
        "value_statement": (
            "Processes 50,000 loan documents a month and saves $2M a year in manual keying; "
            "ROI positive after 6 months in production."
        ),
        "poc_budget": Decimal("5000"),
        "production_budget_estimate": Decimal("800000"),
        "actual_spend": Decimal("805000"),
        "monthly_run_cost": Decimal("28000"),
        "start_date": date(2024, 6, 3),
        "next_review_date": date(2026, 12, 7),
        "problem_statements": (
            {"quality": STRONG, "note": "Written for the POC approval.", "fields": _LOAN_DOCUMENTS},
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "The 4-week POC on the GPT-4 API reached 95% extraction accuracy on the test set. "
                "Security review: applicant data cannot leave our premises, so the pilot moves "
                "to a self-hosted model. Both owners named, success criteria agreed.",
            ),
            (
                Stage.CONTROLLED_ROLLOUT,
                "GPU cluster and MLOps platform built; the fine-tuned open-source model matches "
                "the POC's accuracy; integration with the 8 legacy lending systems tested. "
                "Limited live in one region with an officer reviewing every low-confidence field.",
            ),
            (
                Stage.SCALE,
                "Compliance work complete: audit trail, an explanation per extraction and test "
                "evidence for credit record-keeping (EU AI Act high risk). Time to "
                "underwriting fell from 4 days to 1 in the limited rollout; rollback to manual "
                "keying rehearsed.",
            ),
            (
                Stage.OPERATION,
                "In production after 14 months: 50,000 documents a month, on track for $2M a "
                "year saved. Monitoring, incident ownership and a quarterly review are in place.",
            ),
        ),
        "stage_months_ago": (28, 20, 11, 2),
        "status": None,
    },
    # 000: the code-review story, month 7 and stuck in the infrastructure build.
    {
        "title": "Self-hosted AI code review",
        "business_unit": "Engineering",
        "created_by": "paul",
        "business_owner": "paul",
        "delivery_owner": "priya",
        "executive_sponsor": "eva",
        "value_owner": "paul",
        "safety_owner": "chris",
        "escalation_path": "Priya Nair (delivery) → VP Engineering → AI council → Eva Martens",
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.MINIMAL,
        "sourcing": Sourcing.BUILD,
        "vendors": ("OpenAI", "Meta Llama (self-hosted)"),
        "value_category": ValueCategory.SPEED,
        "value_statement": (
            "Demo promised 5 hours a week saved per developer; stuck in the infrastructure "
            "build after the switch from GPT-4 to a self-hosted Llama 3.1."
        ),
        "poc_budget": Decimal("10000"),
        "production_budget_estimate": Decimal("250000"),
        "actual_spend": Decimal("180000"),
        "monthly_run_cost": None,
        "start_date": date(2026, 4, 13),
        "next_review_date": date(2026, 12, 3),
        "problem_statements": (
            {"quality": STRONG, "note": "Written after the beta.", "fields": _CODE_REVIEW},
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "3-week POC with GPT-4 on a 10-developer beta: developers liked the performance, "
                "security and style suggestions. Security ruled that code cannot leave our VPC, "
                "so the pilot runs on a self-hosted Llama 3.1 behind the firewall.",
            ),
        ),
        "stage_months_ago": (7,),
        "before_council": True,
        "status": None,
    },
    # 000: the sales tool that solved every technical problem and failed at adoption.
    {
        "title": "Sales call coaching",
        "business_unit": "Sales",
        "created_by": "priya",
        "business_owner": "priya",
        "delivery_owner": "paul",
        "executive_sponsor": "eva",
        "value_owner": "priya",
        "safety_owner": "chris",
        "escalation_path": "Priya Nair (business) → VP Sales → AI council → Eva Martens",
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.LIMITED,
        "sourcing": Sourcing.BUY,
        "vendors": ("Callwise Analytics",),
        "value_category": ValueCategory.REVENUE,
        "value_statement": (
            "Real-time coaching to lift new reps' win rate; adoption at 12% (24 of 200 reps) "
            "six months after rollout."
        ),
        "poc_budget": Decimal("30000"),
        "production_budget_estimate": Decimal("800000"),
        "actual_spend": Decimal("640000"),
        "monthly_run_cost": Decimal("16000"),
        "start_date": date(2025, 9, 1),
        "next_review_date": date(2026, 12, 1),
        "problem_statements": (
            {"quality": STRONG, "note": "Written for the pilot.", "fields": _SALES_COACHING},
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "Tested with 5 top sales reps, who called it a game-changer; executives approved "
                "the $800K production build. Success criteria: new reps' win rate and weekly "
                "active use.",
            ),
            (
                Stage.CONTROLLED_ROLLOUT,
                "Dialler and CRM integration works and call-recording consent is in place. "
                "Rolled out to the 200-person sales team, with the monthly manager call review "
                "kept as the fallback.",
            ),
        ),
        "stage_months_ago": (13, 7),
        "status": None,
    },
    # 000: the healthcare failure, cancelled after 9 months and $1.2M.
    {
        "title": "Patient diagnosis support",
        "business_unit": "Healthcare Services",
        "created_by": "priya",
        "business_owner": "priya",
        "delivery_owner": "paul",
        "executive_sponsor": "eva",
        "value_owner": "priya",
        "safety_owner": "lena",
        "escalation_path": (
            "Paul Okafor (delivery) → Chief Medical Officer → AI council → Eva Martens"
        ),
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.HIGH,
        "sourcing": Sourcing.PARTNER,
        "vendors": ("OpenAI",),
        "value_category": ValueCategory.QUALITY,
        "value_statement": (
            "Suggest differential diagnoses from patient records; stopped after $1.2M with no "
            "production deployment."
        ),
        "poc_budget": Decimal("60000"),
        "production_budget_estimate": Decimal("900000"),
        "actual_spend": Decimal("1200000"),
        "monthly_run_cost": None,
        "start_date": date(2025, 3, 3),
        "next_review_date": None,
        "problem_statements": (
            {
                "quality": STRONG,
                "note": "Written for the POC approval.",
                "fields": _PATIENT_DIAGNOSIS,
            },
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "6-week POC: suggested diagnoses matched expert clinicians 85% of the time and "
                "doctors in the trial liked it. Pilot approved to find a compliant production "
                "path (HIPAA, EHR integration).",
            ),
        ),
        "stage_months_ago": (19,),
        "status_months_ago": 10,
        "before_council": True,
        "status": (
            Status.STOPPED,
            "Kill after 9 months in pilot and $1.2M spent: HIPAA ruled out cloud AI APIs, the "
            "self-hosting security review took 4 months, doctors need to know why a diagnosis "
            "was suggested and the model cannot say, liability for a wrong suggestion is "
            "unresolved, and the EHR vendor will not provide an API. Regulatory and liability "
            "risk too high for this use case today.",
        ),
    },
    # 000: the hiring tool built in 4 weeks and blocked by compliance.
    {
        "title": "Resume screening for graduate hiring",
        "business_unit": "People & HR",
        "created_by": "paul",
        "business_owner": "paul",
        "delivery_owner": "priya",
        "executive_sponsor": "eva",
        "value_owner": "paul",
        "safety_owner": "lena",
        "escalation_path": "Paul Okafor (business) → CHRO → AI council → Eva Martens",
        "autonomy_level": AutonomyLevel.AGENT,
        "eu_ai_act_tier": RiskTier.HIGH,
        "sourcing": Sourcing.BUY,
        "vendors": ("HireRank",),
        "value_category": ValueCategory.SPEED,
        "value_statement": (
            "First response to graduate applicants in 7 days instead of 21; on hold until bias "
            "testing, explanations and an audit trail exist."
        ),
        "poc_budget": Decimal("20000"),
        "production_budget_estimate": Decimal("480000"),
        "actual_spend": Decimal("45000"),
        "monthly_run_cost": None,
        "start_date": date(2026, 3, 2),
        "next_review_date": date(2027, 1, 18),
        "problem_statements": (
            {
                "quality": STRONG,
                "note": "Written for the pilot.",
                "fields": _RESUME_SCREENING,
            },
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "Built in 4 weeks with HireRank: 92% agreement with recruiters on qualified "
                "candidates, and the HR team wants it. Pilot on the graduate intake with a "
                "recruiter confirming every shortlist.",
            ),
        ),
        "stage_months_ago": (8,),
        "status_months_ago": 3,
        "before_council": True,
        "status": (
            Status.PAUSED,
            "Hold: the compliance review blocked deployment. No bias testing (race, gender, "
            "age), no explanation for rejected candidates, no audit trail to defend hiring "
            "decisions; hiring is high risk under the EU AI Act (Annex III, employment). "
            "Paused for about 6 months of compliance work; resume only with a bias test report "
            "and legal sign-off.",
        ),
    },
    # 001, use case 1: customer triage and routing, the portfolio's one scale decision.
    {
        "title": "Customer triage and routing",
        "business_unit": "Customer Operations",
        "created_by": "priya",
        "business_owner": "priya",
        "delivery_owner": "paul",
        "executive_sponsor": "eva",
        "value_owner": "priya",
        "safety_owner": "chris",
        "escalation_path": (
            "Support duty manager → Paul Okafor (delivery) → Head of Customer Operations → "
            "Eva Martens"
        ),
        "autonomy_level": AutonomyLevel.AGENT,
        "eu_ai_act_tier": RiskTier.LIMITED,
        "sourcing": Sourcing.BUILD,
        "vendors": ("OpenAI",),
        "value_category": ValueCategory.SPEED,
        "value_statement": (
            "Median first response on email from 14 hours to 2, with 94% of emails auto-routed "
            "correctly."
        ),
        "poc_budget": Decimal("12000"),
        "production_budget_estimate": Decimal("300000"),
        "actual_spend": Decimal("240000"),
        "monthly_run_cost": Decimal("9000"),
        "start_date": date(2025, 10, 6),
        "next_review_date": date(2026, 12, 14),
        "problem_statements": (
            {
                "quality": WEAK,
                "note": "First idea, as raised at the portfolio intake.",
                "fields": {
                    "user_team": "Our support team",
                    "friction": "We want an AI tool to help our support team",
                },
            },
            {
                "quality": STRONG,
                "note": "Rewritten to the template before the pilot.",
                "fields": _CUSTOMER_TRIAGE,
            },
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "One-page POC agreed: email channel only, categories and macros defined, KPI "
                "first-response time (baseline 14 hours), error budget 5% misroutes, shadow "
                "week planned.",
            ),
            (
                Stage.CONTROLLED_ROLLOUT,
                "Shadow week met the readiness criteria on workflow fit, quality threshold (94% "
                "correct routing on spot-checks) and security review. Limited live on email "
                "with a kill switch.",
            ),
            (
                Stage.SCALE,
                "First response down from 14 hours to 3 in limited live, misroutes inside the "
                "error budget for two sprints, support model and weekly spot-checks in place. "
                "Leadership review: go for broad deployment, chat next.",
            ),
        ),
        "stage_months_ago": (13, 8, 3),
        "status": None,
    },
    # 001, use case 2: payment collections, one region with consistent invoice terms.
    {
        "title": "Payment collections automation",
        "business_unit": "Finance",
        "created_by": "paul",
        "business_owner": "paul",
        "delivery_owner": "priya",
        "executive_sponsor": "eva",
        "value_owner": "paul",
        "safety_owner": "chris",
        "escalation_path": "Paul Okafor (business) → Group Treasurer → CFO → Eva Martens",
        "autonomy_level": AutonomyLevel.AGENT,
        "eu_ai_act_tier": RiskTier.LIMITED,
        "sourcing": Sourcing.BUILD,
        "vendors": ("OpenAI",),
        "value_category": ValueCategory.COST,
        "value_statement": (
            "DSO in the Benelux SME segment from 52 to 42 days, with fewer manual touches per "
            "overdue invoice."
        ),
        "poc_budget": Decimal("15000"),
        "production_budget_estimate": Decimal("420000"),
        "actual_spend": Decimal("38000"),
        "monthly_run_cost": None,
        "start_date": date(2026, 7, 6),
        "next_review_date": date(2026, 12, 7),
        "problem_statements": (
            {"quality": STRONG, "note": "Written for the POC.", "fields": _PAYMENT_COLLECTIONS},
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "Scope limited to Benelux SME customers on 30-day terms; human approval above "
                "€5,000; the ERP stays the source of truth; rollback for incorrect dunning "
                "defined. Success criteria: DSO and manual touches per invoice.",
            ),
        ),
        "stage_months_ago": (4,),
        "status": None,
    },
    # 001, use case 3: insight synthesis for CX, one data source and one product area.
    {
        "title": "Insight synthesis for CX",
        "business_unit": "Customer Operations",
        "created_by": "priya",
        "business_owner": "priya",
        "delivery_owner": "paul",
        "executive_sponsor": "eva",
        "value_owner": "priya",
        "safety_owner": "chris",
        "escalation_path": "CX lead (sign-off) → Priya Nair (business) → AI council → Eva Martens",
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.MINIMAL,
        "sourcing": Sourcing.BUILD,
        "vendors": ("OpenAI",),
        "value_category": ValueCategory.QUALITY,
        "value_statement": (
            "Weekly brief of checkout complaint themes: from 21 days to 5 between a problem "
            "appearing in tickets and a backlog item."
        ),
        "poc_budget": Decimal("8000"),
        "production_budget_estimate": Decimal("190000"),
        "actual_spend": Decimal("72000"),
        "monthly_run_cost": Decimal("2500"),
        "start_date": date(2026, 4, 6),
        "next_review_date": date(2026, 12, 3),
        "problem_statements": (
            {
                "quality": WEAK,
                "note": "First idea, as raised at the portfolio intake.",
                "fields": {
                    "user_team": "Product and CX teams",
                    "friction": "We want to use AI to unlock insights from customer feedback",
                },
            },
            {
                "quality": STRONG,
                "note": "Narrowed to support tickets for checkout, with a baseline.",
                "fields": _INSIGHT_SYNTHESIS,
            },
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "Scoped to support tickets for checkout only; PII redaction tested; success "
                "criteria: time-to-insight and recommended experiments adopted.",
            ),
            (
                Stage.CONTROLLED_ROLLOUT,
                "Pilot briefs cut time-to-insight from 21 days to 6; the CX lead sign-off step "
                "works and redaction passed security review. Limited live: weekly brief to the "
                "checkout squad only.",
            ),
        ),
        "stage_months_ago": (7, 1),
        "status": None,
    },
    # 001, use case 4 and the "what is blocked" line of the executive update: no owner for
    # rollback decisions yet, hence no safety owner.
    {
        "title": "Operations knowledge assistant",
        "business_unit": "Customer Operations",
        "created_by": "paul",
        "business_owner": "paul",
        "delivery_owner": "priya",
        "executive_sponsor": "eva",
        "value_owner": "paul",
        "safety_owner": None,
        "escalation_path": "Paul Okafor (business) → Head of Customer Operations → AI council",
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.LIMITED,
        "sourcing": Sourcing.BUILD,
        "vendors": ("Meta Llama (self-hosted)",),
        "value_category": ValueCategory.SPEED,
        "value_statement": (
            "Refund handle time from 18 to 12 minutes; blocked in pilot on data-access controls "
            "and unclear ownership of rollback decisions."
        ),
        "poc_budget": Decimal("12000"),
        "production_budget_estimate": Decimal("300000"),
        "actual_spend": Decimal("86000"),
        "monthly_run_cost": None,
        "start_date": date(2026, 2, 2),
        "next_review_date": date(2026, 11, 19),
        "problem_statements": (
            {
                "quality": WEAK,
                "note": "First idea, as raised at the portfolio intake.",
                "fields": {
                    "user_team": "Operations staff",
                    "friction": "We want an AI assistant for operations",
                },
            },
            {
                "quality": STRONG,
                "note": "Scoped to refund and RMA SOPs.",
                "fields": _OPERATIONS_KNOWLEDGE,
            },
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "Scope: refund and RMA SOPs only, 20 agents. Success criteria: handle time and "
                "sampled answer accuracy. Security and legal review started.",
            ),
        ),
        "stage_months_ago": (9,),
        "status": None,
    },
    # 001: the strong problem statement, after a weak first draft.
    {
        "title": "Renewal briefing for enterprise CSMs",
        "business_unit": "Customer Success",
        "created_by": "priya",
        "business_owner": "priya",
        "delivery_owner": "paul",
        "executive_sponsor": "eva",
        "value_owner": "priya",
        "safety_owner": "chris",
        "escalation_path": "Priya Nair (business) → VP Customer Success → AI council → Eva Martens",
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.MINIMAL,
        "sourcing": Sourcing.BUILD,
        "vendors": ("OpenAI",),
        "value_category": ValueCategory.SPEED,
        "value_statement": (
            "A reliable renewal briefing in under five minutes instead of 3 hours of manual "
            "preparation per renewal."
        ),
        "poc_budget": Decimal("10000"),
        "production_budget_estimate": Decimal("240000"),
        "actual_spend": Decimal("6000"),
        "monthly_run_cost": None,
        "start_date": date(2026, 8, 3),
        "next_review_date": date(2026, 12, 10),
        "problem_statements": (
            {
                "quality": WEAK,
                "note": "First idea, as raised at the portfolio intake.",
                "fields": {
                    "user_team": "Customer success teams",
                    "friction": "We need an AI tool to help customer success teams work faster",
                },
            },
            {
                "quality": STRONG,
                "note": "Rewritten to the one-page template with the CSM leads.",
                "fields": _RENEWAL_BRIEFING,
            },
        ),
        "stage_history": (
            (
                Stage.PILOT,
                "Problem statement rewritten to the template: named users (enterprise CSMs with "
                "more than 40 accounts), baseline and target set. Pilot with 8 CSMs on the CRM "
                "sandbox; success criteria: preparation time and manager trust in the summary.",
            ),
        ),
        "stage_months_ago": (1,),
        "status": None,
    },
    # 001's bad problem statements, each still an idea in exploration with one owner so far.
    {
        "title": "Internal knowledge chatbot",
        "business_unit": "People & HR",
        "created_by": "paul",
        "business_owner": "paul",
        "delivery_owner": None,
        "executive_sponsor": None,
        "value_owner": None,
        "safety_owner": None,
        "escalation_path": "",
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.MINIMAL,
        "sourcing": Sourcing.BUILD,
        "vendors": (),
        "value_category": ValueCategory.SPEED,
        "value_statement": "We need a chatbot for internal knowledge.",
        "poc_budget": None,
        "production_budget_estimate": None,
        "actual_spend": None,
        "monthly_run_cost": None,
        "start_date": date(2026, 10, 5),
        "next_review_date": date(2026, 12, 15),
        "problem_statements": (
            {
                "quality": WEAK,
                "note": "As raised at the portfolio intake.",
                "fields": {
                    "user_team": "Everyone in the company",
                    "friction": "We need a chatbot for internal knowledge",
                    "desired_outcome": "answer questions about policies",
                },
            },
        ),
        "stage_history": (),
        "status": None,
    },
    {
        "title": "Automated reporting",
        "business_unit": "Finance",
        "created_by": "priya",
        "business_owner": "priya",
        "delivery_owner": None,
        "executive_sponsor": None,
        "value_owner": None,
        "safety_owner": None,
        "escalation_path": "",
        "autonomy_level": AutonomyLevel.AUTOMATED_WORKFLOW,
        "eu_ai_act_tier": RiskTier.MINIMAL,
        "sourcing": Sourcing.BUY,
        "vendors": (),
        "value_category": ValueCategory.COST,
        "value_statement": "We should automate reporting.",
        "poc_budget": None,
        "production_budget_estimate": None,
        "actual_spend": None,
        "monthly_run_cost": None,
        "start_date": date(2026, 9, 21),
        "next_review_date": date(2026, 12, 15),
        "problem_statements": (
            {
                "quality": WEAK,
                "note": "As raised at the portfolio intake.",
                "fields": {
                    "user_team": "Finance",
                    "friction": "We should automate reporting",
                },
            },
        ),
        "stage_history": (),
        "status": None,
    },
    {
        "title": "Reduce back-office manual work with AI",
        "business_unit": "Retail Banking",
        "created_by": "paul",
        "business_owner": "paul",
        "delivery_owner": None,
        "executive_sponsor": None,
        "value_owner": None,
        "safety_owner": None,
        "escalation_path": "",
        "autonomy_level": AutonomyLevel.AGENT,
        "eu_ai_act_tier": RiskTier.MINIMAL,
        "sourcing": Sourcing.BUILD,
        "vendors": (),
        "value_category": ValueCategory.COST,
        "value_statement": "We want to use AI to reduce manual work.",
        "poc_budget": None,
        "production_budget_estimate": None,
        "actual_spend": None,
        "monthly_run_cost": None,
        "start_date": date(2026, 10, 12),
        "next_review_date": date(2026, 12, 15),
        "problem_statements": (
            {
                "quality": WEAK,
                "note": "As raised at the portfolio intake.",
                "fields": {
                    "user_team": "Back-office staff",
                    "friction": "We want to use AI to reduce manual work",
                    "cost": "a lot of time",
                },
            },
        ),
        "stage_history": (),
        "status": None,
    },
    {
        "title": "AI for engineering productivity",
        "business_unit": "Engineering",
        "created_by": "priya",
        "business_owner": "priya",
        "delivery_owner": None,
        "executive_sponsor": None,
        "value_owner": None,
        "safety_owner": None,
        "escalation_path": "",
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.MINIMAL,
        "sourcing": Sourcing.BUY,
        "vendors": ("OpenAI",),
        "value_category": ValueCategory.SPEED,
        "value_statement": "We need to use AI to improve productivity.",
        "poc_budget": None,
        "production_budget_estimate": None,
        "actual_spend": None,
        "monthly_run_cost": None,
        "start_date": date(2026, 10, 19),
        "next_review_date": date(2026, 12, 15),
        "problem_statements": (
            {
                "quality": WEAK,
                "note": "As raised at the portfolio intake.",
                "fields": {
                    "user_team": "Engineers",
                    "friction": "We need to use AI to improve productivity",
                    "desired_outcome": "help the team work faster",
                },
            },
        ),
        "stage_history": (),
        "status": None,
    },
    # An idea logged by the governance admin: nobody owns it and nobody has written it up yet.
    {
        "title": "Intercompany invoice matching at month-end",
        "business_unit": "Finance",
        "created_by": "gina",
        "business_owner": None,
        "delivery_owner": None,
        "executive_sponsor": None,
        "value_owner": None,
        "safety_owner": None,
        "escalation_path": "",
        "autonomy_level": AutonomyLevel.ASSISTANT,
        "eu_ai_act_tier": RiskTier.MINIMAL,
        "sourcing": Sourcing.BUILD,
        "vendors": (),
        "value_category": ValueCategory.COST,
        "value_statement": "Raised at the October finance offsite; needs an owner first.",
        "poc_budget": None,
        "production_budget_estimate": None,
        "actual_spend": None,
        "monthly_run_cost": None,
        "start_date": None,
        "next_review_date": date(2026, 12, 15),
        "problem_statements": (),
        "stage_history": (),
        "status": None,
    },
)
