"""Pure rules of the risk register: severity and escalation."""

from __future__ import annotations


def risk_severity(likelihood: int, impact: int) -> int:
    """Severity = likelihood × impact, each 1–5 (so 1–25)."""
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValueError(f"{name} must be a whole number from 1 to 5, got {value!r}")
    return likelihood * impact


def risk_escalated(severity: int, threshold: int) -> bool:
    """A risk goes to the council once its severity reaches its escalation threshold."""
    return severity >= threshold
