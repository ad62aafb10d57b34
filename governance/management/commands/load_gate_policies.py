"""Load the default gate policies shipped in governance/policies_data/ (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.people import display_name
from governance.gates.services.policies import gate_policies_load_defaults


class Command(BaseCommand):
    help = (
        "Load the default gate policies (one per stage transition) from "
        "governance/policies_data/default_policies.json. Identical content creates no version; "
        "a policy whose newest version an admin made is kept as it is."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for version, created in gate_policies_load_defaults():
            if created:
                state = "loaded"
            elif version.created_by_id is not None:
                state = f"kept: edited by {display_name(version.created_by)}, not replaced"
            else:
                state = "unchanged"
            self.stdout.write(f"{version.policy.title:<32} v{version.number}  {state}")
