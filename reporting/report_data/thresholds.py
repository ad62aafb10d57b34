"""What the report data counts and how much of it a report shows, as data: which assessment
template is the readiness scorecard, the delivery-capacity score that counts as a constraint, and
how many rows the risk and priority sections list. Kept apart from the package's `__init__` so
the sections and the period-over-period block can read them without importing the builders.
"""

from __future__ import annotations

# Thresholds are data: what counts as a constraint, how many rows a section shows.
LOW_DELIVERY_CAPACITY = 2  # a delivery_capacity score at or below this constrains progress
TOP_RISKS = 10
QUARTERLY_TOP_RISKS = 5
PRIORITIES_MIN = 3
PRIORITIES_MAX = 5
