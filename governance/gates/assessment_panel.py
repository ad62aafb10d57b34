"""The council's review of areas scored 1, on an assessment's page (readiness.extensions).

Under each area of a submitted scorecard that scored 1: its review (outcome, note, conditions,
who, when) or, for a council member or governance admin who is not recused, the form to record
it. Beside the summary: how many areas at 1 are accepted, not accepted or awaiting review. One
query (the assessment's reviews), and none when no area scored 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from core.roles import User
from governance.council.permissions import recused_as
from governance.council.rules import parse_conditions
from governance.gates import permissions
from governance.gates.forms import ItemReviewForm
from governance.models import ITEM_REVIEW_CLEARING_OUTCOMES, ItemReview
from portfolio.vocabulary import LOWEST_SCORE
from readiness.extensions import AssessmentSection
from readiness.models import Assessment, AssessmentStatus
from readiness.rules import AnswerType, TemplateItem

ITEM_REVIEW_FRAGMENT = "governance/gates/_item_review.html"


def areas_at_lowest(assessment: Assessment) -> list[TemplateItem]:
    """The areas of an initiative's submitted (or superseded) 1-5 assessment that scored 1, in
    the template's order ([] for drafts, checklists and vendor evaluations)."""
    if assessment.initiative_id is None or assessment.status == AssessmentStatus.DRAFT:
        return []
    template = assessment.template_version.parsed
    if template.answer_type is not AnswerType.SCORE_1_5:
        return []
    scores = (assessment.result or {}).get("item_scores") or {}
    return [item for item in template.items if scores.get(item.id) == LOWEST_SCORE]


def review_form(item: TemplateItem, data: Any = None) -> ItemReviewForm:
    """The form for one area, with ids of its own: a scorecard may show several at once."""
    return ItemReviewForm(data, auto_id=f"id_review_{item.id}_%s")


@dataclass(frozen=True)
class Reviewer:
    """What the viewer may do about the reviews of one assessment."""

    may_review: bool
    recusal: str


def reviewer(user: User, assessment: Assessment) -> Reviewer:
    """May record reviews (current submitted assessment, the role, not recused), or why not."""
    if not permissions.can_review_items(user):
        return Reviewer(False, "")
    recusal = recused_as(user.pk, assessment.initiative)
    current = assessment.status == AssessmentStatus.SUBMITTED
    return Reviewer(current and not recusal, recusal)


def item_review_context(
    *,
    assessment: Assessment,
    item: TemplateItem,
    review: ItemReview | None,
    viewer: Reviewer,
    form: ItemReviewForm | None = None,
    error: str = "",
    just_recorded: bool = False,
) -> dict[str, Any]:
    """What `_item_review.html` shows for one area: the review, or the form, or why neither."""
    show_form = review is None and viewer.may_review
    return {
        "assessment": assessment,
        "item": item,
        "lowest_score": LOWEST_SCORE,
        "review": review,
        "conditions": parse_conditions(review.conditions) if review else (),
        "clears": review is not None and review.outcome in ITEM_REVIEW_CLEARING_OUTCOMES,
        "form": (form or review_form(item)) if show_form else None,
        "recusal": viewer.recusal if review is None else "",
        "superseded": assessment.status == AssessmentStatus.SUPERSEDED,
        "error": error,
        "just_recorded": just_recorded,
    }


def item_review_section(request: HttpRequest, assessment: Assessment) -> AssessmentSection | None:
    if not permissions.can_view_governance(request.user):
        return None
    items = areas_at_lowest(assessment)
    if not items:
        return None
    reviews = {
        review.item_id: review
        for review in ItemReview.objects.filter(assessment_id=assessment.pk).select_related(
            "reviewer"
        )
    }
    viewer = reviewer(request.user, assessment)
    by_area = {
        item.id: render_to_string(
            ITEM_REVIEW_FRAGMENT,
            item_review_context(
                assessment=assessment, item=item, review=reviews.get(item.id), viewer=viewer
            ),
            request=request,
        )
        for item in items
    }
    rows = [{"item": item, "review": reviews.get(item.id)} for item in items]
    accepted = [
        row
        for row in rows
        if row["review"] and row["review"].outcome in ITEM_REVIEW_CLEARING_OUTCOMES
    ]
    aside = render_to_string(
        "governance/gates/_item_review_summary.html",
        {
            "rows": rows,
            "lowest_score": LOWEST_SCORE,
            "accepted": len(accepted),
            "awaiting": sum(1 for r in rows if r["review"] is None),
            "superseded": assessment.status == AssessmentStatus.SUPERSEDED,
        },
        request=request,
    )
    return AssessmentSection(by_area=by_area, aside=aside)
