"""Sections that apps built on the portfolio add to the initiative page.

The portfolio may not import the apps above it, so they register a panel here (in their
AppConfig.ready) and the initiative page renders whatever is registered, in order.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from portfolio.models import Initiative

InitiativePanel = Callable[[HttpRequest, Initiative], SafeString | None]
_INITIATIVE_PANELS: list[tuple[int, InitiativePanel]] = []


def register_initiative_panel(panel: InitiativePanel, *, order: int = 100) -> None:
    """Add `panel` to the initiative page; it returns rendered HTML, or None to show nothing.

    A panel must run a constant number of queries: the page's query budget counts them.
    """
    if all(existing is not panel for _, existing in _INITIATIVE_PANELS):
        _INITIATIVE_PANELS.append((order, panel))
        _INITIATIVE_PANELS.sort(key=lambda entry: entry[0])


def render_initiative_panels(request: HttpRequest, initiative: Initiative) -> list[SafeString]:
    rendered = (panel(request, initiative) for _, panel in _INITIATIVE_PANELS)
    return [html for html in rendered if html]
