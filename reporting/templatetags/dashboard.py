"""Small filters for the dashboard template."""

from __future__ import annotations

from decimal import Decimal

from django import template

from reporting.charts import format_money

register = template.Library()


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """mapping[key], or "" when absent (dictionary lookup by a variable key)."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def euros(value: Decimal | float | None) -> str:
    """€12,300; an en dash when the amount is not recorded."""
    return format_money(value)
