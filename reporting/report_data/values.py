"""How a report writes values into its JSON snapshot: Decimals as strings, dates and datetimes
as ISO strings, people by name, a gate as "From → To". Every section and the period-over-period
block use these, so a frozen report reads the same whichever part wrote it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from core.people import display_name
from governance.models import GateRequest


def json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def person_name(user: Any) -> str:
    return display_name(user)


def gate_label(request: GateRequest) -> str:
    return f"{request.get_from_stage_display()} → {request.get_to_stage_display()}"
