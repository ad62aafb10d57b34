"""Readiness rows written in bulk for the query-count tests, the results pages and the reporting
portfolio: submitting hundreds of scorecards through the services is slow, so these hold exactly
what `assessment_submit` freezes (the result `readiness.rules.evaluate` computes).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

from django.utils import timezone

from portfolio.models import BusinessUnit, Initiative, Stage, ValueCategory, Vendor
from readiness.models import Assessment, AssessmentStatus, TemplateVersion
from readiness.rules import evaluate

STAGES = list(Stage)
BASE_TIME = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))


def frozen_assessment(
    version: TemplateVersion,
    answers: dict,
    *,
    initiative: Initiative | None = None,
    vendor: Vendor | None = None,
    status: str = AssessmentStatus.SUBMITTED,
    submitted_at: datetime.datetime = BASE_TIME,
    actor=None,  # noqa: ANN001
) -> Assessment:
    """An unsaved submitted assessment whose frozen fields are what assessment_submit stores."""
    result = json.loads(json.dumps(evaluate(version.parsed, answers).as_dict()))
    return Assessment(
        template=version.template,
        template_version=version,
        initiative=initiative,
        vendor=vendor,
        status=status,
        answers=answers,
        total=result["total"],
        band=(result["band"] or {}).get("id", ""),
        ready_to_scale=result["ready_to_scale"],
        items_needing_review_count=len(result["items_needing_review"]),
        result=result,
        submitted_at=submitted_at,
        submitted_by=actor,
        created_by=actor,
        updated_by=actor,
    )


def bulk_initiatives(size: int, *, prefix: str = "Initiative") -> list[Initiative]:
    units = [BusinessUnit.objects.get_or_create(name=f"Unit {n}")[0] for n in range(3)]
    return Initiative.objects.bulk_create(
        Initiative(
            title=f"{prefix} {n:04d}",
            business_unit=units[n % 3],
            stage=STAGES[n % len(STAGES)],
            value_category=ValueCategory.SPEED,
        )
        for n in range(size)
    )


def bulk_scorecards(
    initiatives: list[Initiative],
    version: TemplateVersion,
    answers_for: Callable[[int], dict[str, int]],
    actor=None,  # noqa: ANN001
) -> list[Assessment]:
    """One submitted scorecard per initiative, with `answers_for(index)` as its answers."""
    return Assessment.objects.bulk_create(
        frozen_assessment(
            version,
            answers_for(n),
            initiative=initiative,
            actor=actor,
            submitted_at=BASE_TIME + datetime.timedelta(hours=n),
        )
        for n, initiative in enumerate(initiatives)
    )
