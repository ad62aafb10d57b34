"""Template filters of the PDF reports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django import template

register = template.Library()


class Capped(NamedTuple):
    rows: list[Any]
    hidden: int  # how many rows are left out of the printed table
    total: int


@register.filter
def capped(rows: Iterable[Any] | None, limit: int) -> Capped:
    """The first `limit` rows, and how many more there are: a board pack stays readable at
    any portfolio size, while the frozen snapshot keeps every row."""
    every = list(rows or [])
    return Capped(every[:limit], max(len(every) - limit, 0), len(every))
