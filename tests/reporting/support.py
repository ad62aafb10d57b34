"""A portfolio for the dashboard tests and the benchmark, written in bulk.

Going through the services for hundreds of initiatives is slow, so the rows are written with
bulk_create holding what the services store: scorecards carry the result `readiness.rules`
computes (as in tests/readiness/test_query_counts.py), risks their severity and escalation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from core.roles import Role
from governance.models import (
    GatePolicy,
    GatePolicyVersion,
    GateRequest,
    Incident,
    IncidentStatus,
    LeadershipDecision,
    Risk,
    RiskCategory,
    RiskStatus,
)
from portfolio.models import (
    BusinessUnit,
    Initiative,
    Kpi,
    KpiDirection,
    KpiMeasurement,
    Stage,
    Status,
    ValueCategory,
)
from readiness.models import Assessment, TemplateVersion
from readiness.services import templates_load_shipped
from tests.factories import SCORECARD, UserFactory, scores
from tests.readiness.support import frozen_assessment

STAGES = list(Stage)
STATUSES = (Status.ACTIVE,) * 5 + (Status.PAUSED, Status.STOPPED)
CATEGORIES = list(ValueCategory)
RISK_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.CLOSED)


@dataclass
class Portfolio:
    units: list[BusinessUnit]
    initiatives: list[Initiative]
    owner: object


def scorecard_version() -> TemplateVersion:
    existing = TemplateVersion.objects.filter(template__key=SCORECARD).order_by("-number").first()
    if existing is not None:
        return existing
    return {v.template.key: v for v, _ in templates_load_shipped()}[SCORECARD]


def build_portfolio(size: int, *, now: datetime.datetime, units: int = 3) -> Portfolio:
    """`size` initiatives over `units` business units with scorecards, risks, incidents,
    decisions, pending gate requests and KPIs with measurements; varied so every card has rows.
    """
    owner = UserFactory(
        username=f"bench-owner-{size}",
        first_name="Rita",
        last_name="Risk",
        roles=[Role.PRODUCT_OWNER],
    )
    business_units = [BusinessUnit.objects.get_or_create(name=f"Unit {n}")[0] for n in range(units)]
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            title=f"Initiative {n:04d}",
            business_unit=business_units[n % units],
            business_owner=owner,
            stage=STAGES[n % len(STAGES)],
            status=STATUSES[n % len(STATUSES)],
            value_category=CATEGORIES[n % len(CATEGORIES)],
            actual_spend=Decimal(1000 * (n % 10 + 1)) if n % 6 else None,
            monthly_run_cost=Decimal(50 * (n % 4)) if n % 6 else None,
            # Pilots spread from 10 to 210 days in stage, so some are in pilot purgatory.
            stage_changed_at=now - datetime.timedelta(days=10 + (n * 37) % 200),
        )
        for n in range(size)
    )
    version = scorecard_version()
    Assessment.objects.bulk_create(
        frozen_assessment(
            version,
            scores(version, 1 + n % 5, ownership=2 if n % 3 == 0 else 4),
            initiative=initiative,
            submitted_at=now - datetime.timedelta(days=n % 30, hours=1),
        )
        for n, initiative in enumerate(initiatives)
        if n % 5 != 4
    )
    risks = []
    for n, initiative in enumerate(initiatives):
        for k in range(2):
            likelihood, impact = 1 + (n + k) % 5, 1 + (n * 3 + k) % 5
            severity = likelihood * impact
            risks.append(
                Risk(
                    initiative=initiative,
                    category=list(RiskCategory)[(n + k) % len(RiskCategory)],
                    description=f"Risk {k} of {initiative.title}",
                    likelihood=likelihood,
                    impact=impact,
                    severity=severity,
                    owner=owner,
                    mitigation="Weekly review" if (n + k) % 2 else "",
                    status=RISK_STATUSES[(n + k) % 3],
                    escalated=severity >= 15,
                )
            )
    Risk.objects.bulk_create(risks)
    Incident.objects.bulk_create(
        Incident(
            initiative=initiative,
            summary=f"Incident on {initiative.title}",
            owner=owner,
            status=IncidentStatus.OPEN if n % 2 else IncidentStatus.RESOLVED,
            occurred_at=now - datetime.timedelta(days=(n * 7) % 120, hours=2),
        )
        for n, initiative in enumerate(initiatives)
    )
    LeadershipDecision.objects.bulk_create(
        [
            LeadershipDecision(
                initiative=initiative,
                question=f"Fund the rollout of {initiative.title}?",
                options="Fund\nDefer",
                owner=owner,
                due_date=(now + datetime.timedelta(days=n % 40)).date(),
            )
            for n, initiative in enumerate(initiatives)
            if n % 4 == 0
        ]
        + [
            LeadershipDecision(
                question="Approve the portfolio budget",
                options="Approve\nCut",
                owner=owner,
                due_date=(now + datetime.timedelta(days=5)).date(),
            )
        ]
    )
    policy, _ = GatePolicy.objects.get_or_create(
        from_stage=Stage.PILOT, to_stage=Stage.CONTROLLED_ROLLOUT, defaults={"title": "Pilot"}
    )
    policy_version, _ = GatePolicyVersion.objects.get_or_create(
        policy=policy, number=1, defaults={"criteria": []}
    )
    GateRequest.objects.bulk_create(
        GateRequest(
            initiative=initiative,
            policy_version=policy_version,
            from_stage=Stage.PILOT,
            to_stage=Stage.CONTROLLED_ROLLOUT,
            requested_by=owner,
            review_due_at=now + datetime.timedelta(days=n % 14),
        )
        for n, initiative in enumerate(initiatives)
        if initiative.stage == Stage.PILOT and n % 2 == 0
    )
    kpis = Kpi.objects.bulk_create(
        Kpi(
            initiative=initiative,
            name=f"Hours saved {n}",
            unit="hours",
            direction=KpiDirection.INCREASE if n % 2 else KpiDirection.DECREASE,
            baseline=Decimal(100),
            target=Decimal(200) if n % 2 else Decimal(50),
            target_date=(now + datetime.timedelta(days=180)).date(),
        )
        for n, initiative in enumerate(initiatives)
        if n % 3 != 2
    )
    today = now.date()
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            kpi=kpi,
            measured_on=today - datetime.timedelta(days=30 * (3 - m)),
            value=Decimal(100 + (m + 1) * (n % 7) * (1 if kpi.direction == "increase" else -1)),
        )
        for n, kpi in enumerate(kpis)
        for m in range(3)
    )
    return Portfolio(units=business_units, initiatives=initiatives, owner=owner)


def initiatives_of(unit_id: int | None) -> QuerySet[Initiative]:
    queryset = Initiative.objects.all()
    return queryset if unit_id is None else queryset.filter(business_unit_id=unit_id)


__all__ = ["Portfolio", "build_portfolio", "initiatives_of", "scorecard_version", "get_user_model"]
