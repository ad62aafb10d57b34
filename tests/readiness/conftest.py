"""Fixtures for readiness: the shipped templates, and assessments built through the services."""

from __future__ import annotations

import pytest

from readiness.models import TemplateVersion
from readiness.services import (
    assessment_create_draft,
    assessment_save,
    assessment_submit,
    templates_load_shipped,
)

SCORECARD = "readiness_scorecard"


@pytest.fixture
def templates_loaded(db) -> dict[str, TemplateVersion]:
    """Every shipped template loaded once, by key."""
    return {version.template.key: version for version, _ in templates_load_shipped()}


@pytest.fixture
def scorecard_version(templates_loaded) -> TemplateVersion:
    return templates_loaded[SCORECARD]


def scores(version: TemplateVersion, default: int, **overrides: int) -> dict[str, int]:
    """Every item of the template at `default`, with per-item overrides."""
    return {item_id: overrides.get(item_id, default) for item_id in version.parsed.item_ids}


def submitted_scorecard(initiative, actor, answers: dict[str, int]):
    """A scorecard for `initiative` submitted by `actor` with `answers` (low scores commented)."""
    draft = assessment_create_draft(template_key=SCORECARD, actor=actor, initiative=initiative)
    comments = {item: "Gap owned by the delivery lead" for item, s in answers.items() if s <= 2}
    draft = assessment_save(
        assessment=draft,
        actor=actor,
        expected_revision=draft.revision,
        answers=answers,
        comments=comments,
    )
    return assessment_submit(assessment=draft, actor=actor)
