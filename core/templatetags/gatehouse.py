from __future__ import annotations

from django import template

from core.people import display_name

register = template.Library()


@register.filter
def person(user: object, empty: str = "—") -> str:
    """A user's full name, else their username; `empty` when there is nobody."""
    return display_name(user, empty)
