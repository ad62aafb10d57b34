"""Sections that apps built on readiness add to an assessment's page.

Readiness may not import the apps above it (governance records the council's review of an area
scored 1), so they register a provider here in their AppConfig.ready, and the assessment page
shows what each returns: HTML under one area's card, or HTML beside the summary. The same
pattern as portfolio.panels for the initiative page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.safestring import SafeString

from readiness.models import Assessment


@dataclass(frozen=True)
class AssessmentSection:
    """What one provider adds to an assessment's page."""

    # Item id -> HTML shown at the end of that area's card.
    by_area: Mapping[str, SafeString] = field(default_factory=dict)
    # HTML shown under the summary, beside the areas.
    aside: SafeString | None = None


@dataclass(frozen=True)
class RenderedSections:
    by_area: dict[str, list[SafeString]]
    aside: list[SafeString]

    def for_area(self, item_id: str) -> list[SafeString]:
        return self.by_area.get(item_id, [])


AssessmentSectionProvider = Callable[[HttpRequest, Assessment], AssessmentSection | None]
_PROVIDERS: list[tuple[int, AssessmentSectionProvider]] = []


def register_assessment_section(provider: AssessmentSectionProvider, *, order: int = 100) -> None:
    """Add `provider` to every assessment page; it returns an AssessmentSection, or None.

    A provider must run a constant number of queries (none when it has nothing to show): the
    page's query budget counts them. The assessment comes with its template, version,
    initiative and vendor loaded.
    """
    if all(existing is not provider for _, existing in _PROVIDERS):
        _PROVIDERS.append((order, provider))
        _PROVIDERS.sort(key=lambda entry: entry[0])


def render_assessment_sections(request: HttpRequest, assessment: Assessment) -> RenderedSections:
    by_area: dict[str, list[SafeString]] = {}
    aside: list[SafeString] = []
    for _, provider in _PROVIDERS:
        section = provider(request, assessment)
        if section is None:
            continue
        for item_id, html in section.by_area.items():
            if html:
                by_area.setdefault(item_id, []).append(html)
        if section.aside:
            aside.append(section.aside)
    return RenderedSections(by_area=by_area, aside=aside)
