"""Every state change of readiness data: one function each, one transaction, one audit event."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import record_audit_event
from core.concurrency import check_version, lock_for_update
from core.permissions import require
from portfolio.models import Initiative, Vendor
from readiness.models import (
    AppliesTo,
    Assessment,
    AssessmentStatus,
    AssessmentTemplate,
    TemplateVersion,
)
from readiness.permissions import (
    INITIATIVE_ASSESSMENT_DENIED_MESSAGE,
    VENDOR_ASSESSMENT_DENIED_MESSAGE,
    can_assess_initiative,
    can_assess_vendor,
    can_edit_assessment,
    edit_assessment_denied_message,
)
from readiness.rules import (
    AnswerError,
    AnswerType,
    EvaluationResult,
    TemplateDefinition,
    answer_score,
    evaluate,
    load_shipped_templates,
)

# Scores at or below this need a written comment before submission (DOMAIN: 1 = not in place,
# 2 = major gaps); the reviewer must see why.
COMMENT_REQUIRED_AT_OR_BELOW = 2
MAX_TEXT_LENGTH = 4000


def _checksum(document: Mapping[str, Any]) -> str:
    # The version number is ours to assign, so it is not part of the content's identity.
    content = {key: value for key, value in document.items() if key != "version"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def template_version_load(
    *, definition: TemplateDefinition, actor: AbstractBaseUser | None = None
) -> tuple[TemplateVersion, bool]:
    """Store `definition` as the template's newest version unless identical content exists.

    Returns (version, created). Loading the same content twice changes nothing; changed content
    becomes version max+1, and assessments on older versions keep theirs. Shipped content
    (`actor` None) never goes over a newest version a person loaded: that one is kept.
    """
    template, _ = AssessmentTemplate.objects.get_or_create(
        key=definition.id,
        defaults={"title": definition.title, "applies_to": definition.applies_to},
    )
    template = AssessmentTemplate.objects.select_for_update().get(pk=template.pk)
    document = definition.to_dict()
    checksum = _checksum(document)
    existing = TemplateVersion.objects.filter(template=template, checksum=checksum).first()
    if existing is not None:
        return existing, False
    newest = template.versions.order_by("-number").first()
    if actor is None and newest is not None and newest.loaded_by_id is not None:
        return newest, False
    number = (template.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    document["version"] = number
    version = TemplateVersion.objects.create(
        template=template, number=number, definition=document, checksum=checksum, loaded_by=actor
    )
    if template.title != definition.title or template.applies_to != definition.applies_to:
        template.title = definition.title
        template.applies_to = definition.applies_to
        template.save(update_fields=["title", "applies_to"])
    record_audit_event(
        actor=actor,
        action="template_version.loaded",
        target=version,
        changes={"number": [number - 1 or None, number], "checksum": [None, checksum]},
    )
    return version, True


def templates_load_shipped(
    *, actor: AbstractBaseUser | None = None
) -> list[tuple[TemplateVersion, bool]]:
    """Load every template shipped in readiness/templates_data/, idempotently."""
    return [
        template_version_load(definition=definition, actor=actor)
        for _, definition in sorted(load_shipped_templates().items())
    ]


def latest_template_version(key: str) -> TemplateVersion:
    version = (
        TemplateVersion.objects.select_related("template")
        .filter(template__key=key)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ValidationError({"template": f"No template “{key}” is loaded."})
    return version


@transaction.atomic
def assessment_create_draft(
    *,
    template_key: str,
    actor: AbstractBaseUser,
    initiative: Initiative | None = None,
    vendor: Vendor | None = None,
) -> Assessment:
    """Start a draft on the template's newest version for exactly one initiative or vendor.

    Drafts are shared, not duplicated: if the subject already has an open draft of this
    template, that draft is returned. The subject row is locked for the check, so two people
    starting at the same moment get the same draft.
    """
    if (initiative is None) == (vendor is None):
        raise ValidationError("An assessment is about exactly one initiative or one vendor.")
    version = latest_template_version(template_key)
    applies_to = version.template.applies_to
    if initiative is not None and applies_to != AppliesTo.INITIATIVE:
        raise ValidationError({"template": f"“{version.template.title}” applies to vendors."})
    if vendor is not None and applies_to != AppliesTo.VENDOR:
        raise ValidationError({"template": f"“{version.template.title}” applies to initiatives."})
    if initiative is not None and not can_assess_initiative(actor, initiative):
        raise PermissionDenied(INITIATIVE_ASSESSMENT_DENIED_MESSAGE)
    if vendor is not None and not can_assess_vendor(actor, vendor):
        raise PermissionDenied(VENDOR_ASSESSMENT_DENIED_MESSAGE)
    if initiative is not None:
        Initiative.objects.select_for_update().filter(pk=initiative.pk).first()
    else:
        Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    open_draft = Assessment.objects.filter(
        template=version.template,
        initiative=initiative,
        vendor=vendor,
        status=AssessmentStatus.DRAFT,
    ).first()
    if open_draft is not None:
        return open_draft
    assessment = Assessment.objects.create(
        template=version.template,
        template_version=version,
        initiative=initiative,
        vendor=vendor,
        created_by=actor,
        updated_by=actor,
    )
    record_audit_event(
        actor=actor,
        action="assessment.draft_created",
        target=assessment,
        initiative_id=initiative.pk if initiative else None,
        changes={"template_version": [None, str(version)]},
    )
    return assessment


def _clean_texts(
    template: TemplateDefinition, texts: Mapping[str, Any], kind: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for item_id, value in texts.items():
        if item_id not in template.item_ids:
            errors[item_id] = f"not an item of template {template.id}"
        elif value is not None and not isinstance(value, str):
            errors[item_id] = f"{kind} must be text"
        elif value is not None and len(value) > MAX_TEXT_LENGTH:
            errors[item_id] = f"{kind} is longer than {MAX_TEXT_LENGTH} characters"
        else:
            cleaned[item_id] = (value or "").strip()
    if errors:
        # Keyed by item; the code says which input it came from (the API nests by it).
        raise ValidationError(
            {
                item_id: ValidationError(reason, code=f"invalid_{kind}")
                for item_id, reason in errors.items()
            }
        )
    return cleaned


def _clean_answers(template: TemplateDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, ValidationError] = {}
    for item_id, value in answers.items():
        try:
            answer_score(template, item_id, value)
        except AnswerError as error:
            errors[error.item_id] = ValidationError(error.reason, code="invalid_answer")
    if errors:
        raise ValidationError(errors)
    return dict(answers)


def _merge(current: Mapping[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in updates.items():
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _draft_state(assessment: Assessment) -> dict[str, Any]:
    return {
        "answers": dict(assessment.answers),
        "evidence": dict(assessment.evidence),
        "comments": dict(assessment.comments),
        "revision": assessment.revision,
        "updated_by": str(assessment.updated_by) if assessment.updated_by else None,
        "updated_at": assessment.updated_at.isoformat() if assessment.updated_at else None,
    }


def _lock_assessment(assessment: Assessment) -> Assessment:
    """The assessment row locked, read with its template version and subject (not locked)."""
    return lock_for_update(
        Assessment.objects.select_related("template_version", "initiative", "vendor"),
        assessment.pk,
    )


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    actor: AbstractBaseUser,
    expected_revision: int | None,
    answers: Mapping[str, Any] | None = None,
    evidence: Mapping[str, Any] | None = None,
    comments: Mapping[str, Any] | None = None,
) -> Assessment:
    """Merge the given answers, evidence and comments into a draft (None or "" clears one).

    Refuses a submitted assessment, an invalid answer (the error names the item), and a save
    based on an older revision: the ConflictError carries the other person's current draft.
    """
    locked = _lock_assessment(assessment)
    require(can_edit_assessment(actor, locked), edit_assessment_denied_message(locked))
    if not locked.is_draft:
        raise ValidationError("This assessment is submitted and can no longer change.")
    check_version(
        locked,
        expected_revision,
        kind="draft",
        field="revision",
        current=lambda: _draft_state(locked),
        message=(
            "Someone else saved this draft after you opened it. Their answers are shown; "
            "yours are still in the form and were not saved."
        ),
    )
    template = locked.template_version.parsed
    before = {
        "answers": dict(locked.answers),
        "evidence": dict(locked.evidence),
        "comments": dict(locked.comments),
    }
    if answers:
        locked.answers = _merge(locked.answers, _clean_answers(template, answers))
    if evidence:
        locked.evidence = _merge(locked.evidence, _clean_texts(template, evidence, "evidence"))
    if comments:
        locked.comments = _merge(locked.comments, _clean_texts(template, comments, "comment"))
    changes = {
        f"{kind}.{item_id}": [before[kind].get(item_id), getattr(locked, kind).get(item_id)]
        for kind in ("answers", "evidence", "comments")
        for item_id in set(before[kind]) | set(getattr(locked, kind))
        if before[kind].get(item_id) != getattr(locked, kind).get(item_id)
    }
    if not changes:
        return locked
    locked.revision += 1
    locked.updated_by = actor
    locked.save(
        update_fields=["answers", "evidence", "comments", "revision", "updated_by", "updated_at"]
    )
    record_audit_event(
        actor=actor,
        action="assessment.updated",
        target=locked,
        initiative_id=locked.initiative_id,
        changes=dict(sorted(changes.items())),
    )
    return locked


def assessment_evaluate(assessment: Assessment) -> EvaluationResult:
    """The live result of the assessment's current answers on its own template version."""
    return evaluate(assessment.template_version.parsed, assessment.answers)


def submission_problems(assessment: Assessment, result: EvaluationResult) -> dict[str, str]:
    """What stops submission: unanswered items, and low scores without a comment."""
    template = assessment.template_version.parsed
    problems = dict.fromkeys(result.missing_items, "Answer this item before submitting.")
    if template.answer_type is AnswerType.SCORE_1_5:
        for item_id, score in result.item_scores.items():
            if score <= COMMENT_REQUIRED_AT_OR_BELOW and not assessment.comments.get(item_id):
                problems[item_id] = (
                    f"A score of {score} needs a comment saying what is missing and who closes it."
                )
    return problems


@transaction.atomic
def assessment_submit(
    *, assessment: Assessment, actor: AbstractBaseUser, expected_revision: int | None = None
) -> Assessment:
    """Freeze a complete draft with its computed result; it supersedes the previous result
    of the same template for the same subject. Nothing changes if anything is missing."""
    locked = _lock_assessment(assessment)
    require(can_edit_assessment(actor, locked), edit_assessment_denied_message(locked))
    if not locked.is_draft:
        raise ValidationError("This assessment is already submitted.")
    check_version(
        locked,
        expected_revision,
        kind="draft",
        field="revision",
        current=lambda: _draft_state(locked),
        message="Someone else saved this draft after you opened it; review their answers first.",
    )
    result = assessment_evaluate(locked)
    problems = submission_problems(locked, result)
    if problems:
        missing = set(result.missing_items)
        raise ValidationError(
            {
                item_id: ValidationError(
                    message, code="missing_answer" if item_id in missing else "comment_required"
                )
                for item_id, message in problems.items()
            }
        )
    # Lock the subject so two submissions of the same template for it run one after the other:
    # the second then sees and supersedes the first instead of failing on the unique constraint.
    subject_model = Initiative if locked.initiative_id else Vendor
    subject_model.objects.select_for_update().only("pk").get(
        pk=locked.initiative_id or locked.vendor_id
    )
    previous = list(
        Assessment.objects.select_for_update().filter(
            template=locked.template,
            initiative=locked.initiative,
            vendor=locked.vendor,
            status=AssessmentStatus.SUBMITTED,
        )
    )
    for old in previous:
        old.status = AssessmentStatus.SUPERSEDED
        old.superseded_by = locked
        old.save(update_fields=["status", "superseded_by", "updated_at"])
        record_audit_event(
            actor=actor,
            action="assessment.superseded",
            target=old,
            initiative_id=old.initiative_id,
            changes={"status": ["submitted", "superseded"], "superseded_by": [None, locked.pk]},
        )
    now = timezone.now()
    locked.status = AssessmentStatus.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = actor
    locked.total = result.total
    locked.band = result.band.id if result.band else ""
    locked.ready_to_scale = result.ready_to_scale
    locked.items_needing_review_count = len(result.items_needing_review)
    locked.result = json.loads(json.dumps(result.as_dict()))
    locked.save()
    record_audit_event(
        actor=actor,
        action="assessment.submitted",
        target=locked,
        initiative_id=locked.initiative_id,
        changes={
            "status": ["draft", "submitted"],
            "total": [None, result.total],
            "band": [None, locked.band],
            "ready_to_scale": [None, result.ready_to_scale],
        },
    )
    return locked
