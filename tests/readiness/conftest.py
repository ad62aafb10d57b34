"""Fixtures for readiness: the shipped templates. Assessments are built with tests/factories.py."""

from __future__ import annotations

import pytest

from readiness.models import TemplateVersion
from readiness.services import templates_load_shipped
from tests.factories import SCORECARD


@pytest.fixture
def templates_loaded(db) -> dict[str, TemplateVersion]:
    """Every shipped template loaded once, by key."""
    return {version.template.key: version for version, _ in templates_load_shipped()}


@pytest.fixture
def scorecard_version(templates_loaded) -> TemplateVersion:
    return templates_loaded[SCORECARD]
