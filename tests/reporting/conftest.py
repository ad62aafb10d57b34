"""Fixtures of every reporting test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Report PDFs in the test's own folder: none lands in the project's media/, and two test
    processes (make test runs two) never write the same file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
