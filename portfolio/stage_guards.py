"""Checks that apps built on the portfolio add to a governance admin's direct stage change.

The admin's "Set stage" skips the council, but not the rules the council may never override
(issue 10: hard criteria are "never overridable"). Those rules live in governance, which the
portfolio may not import, so governance registers a guard here in its AppConfig.ready, as it
registers its panels in portfolio.panels; `initiative_set_stage` asks every registered guard.
"""

from __future__ import annotations

from collections.abc import Callable

from portfolio.models import Initiative

# (initiative as locked for the change, the stage asked for) -> why it may not move there.
StageMoveGuard = Callable[[Initiative, str], tuple[str, ...]]
_GUARDS: list[StageMoveGuard] = []


def register_stage_move_guard(guard: StageMoveGuard) -> None:
    if all(existing is not guard for existing in _GUARDS):
        _GUARDS.append(guard)


def stage_move_problems(initiative: Initiative, to_stage: str) -> tuple[str, ...]:
    """Every registered guard's objections to moving `initiative` to `to_stage`, in order."""
    return tuple(problem for guard in _GUARDS for problem in guard(initiative, to_stage))
