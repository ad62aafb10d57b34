"""Shared by the portfolio tests: a KPI to define, and the initiative page's query budget."""

from __future__ import annotations

import datetime
from decimal import Decimal

TRIAGE_KPI = {
    "name": "Median first-response time",
    "unit": "hours",
    "direction": "decrease",
    "baseline": Decimal("14"),
    "target": Decimal("9"),
    "target_date": datetime.date(2026, 12, 31),
    "error_budget": Decimal("1"),
}

# The initiative page (test_query_counts.py, and test_value_views.py with a KPI): its own
# queries plus its panels: readiness 1, gates 2 (requests, open exceptions), register 3 (risks,
# incidents, actions), audit 0; and its Value section 1 (the KPI's measurements, only when it
# has a KPI; the KPI itself is joined to the initiative).
DETAIL_QUERY_BUDGET = 13
