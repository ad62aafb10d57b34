"""What every filtered, paginated list page needs from its request.

The lists share one shape: filters in the URL, a `#results` partial that htmx swaps in place,
and page links that keep the filters.
"""

from __future__ import annotations

from django.http import HttpRequest


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without `names` (e.g. "page"), for links that replace them."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def is_filtered(request: HttpRequest) -> bool:
    """True when any filter other than the page number or the sort order is set."""
    return any(value for key, value in request.GET.items() if key not in {"page", "sort"})


def results_template(request: HttpRequest, template: str, target: str) -> str:
    """Only the page's `results` partial when htmx asks to refresh the element `target`."""
    if request.htmx and request.htmx.target == target:
        return f"{template}#results"
    return template
