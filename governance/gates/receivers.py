"""Governance's reactions to what happens in the portfolio (connected in GovernanceConfig.ready).

The portfolio cannot import governance (layers point one way), so it sends
`portfolio.signals.initiative_changed` and governance decides whether the change is material.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from governance.gates.drift_rules import material_changes
from governance.gates.services.reviews import rereview_raise
from portfolio.models import Initiative


def rereview_on_material_change(
    sender: Any,
    *,
    initiative: Initiative,
    actor: AbstractBaseUser | None = None,
    changes: dict[str, list[Any]] | None = None,
    **kwargs: Any,
) -> None:
    """Mark "re-review needed" when an approved initiative changed materially.

    Runs inside the sender's transaction, so the re-review exists exactly when the change does.
    `rereview_raise` itself ignores initiatives that never had a go decision.
    """
    found = material_changes(changes or {})
    if found:
        rereview_raise(initiative=initiative, actor=actor, changes=found)
