"""The gate policies Gatehouse ships (governance/policies_data/default_policies.json).

Read when someone loads them (`manage.py load_gate_policies`, `make setup`), never at import:
the rules that validate them stay pure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from governance.gates.policy_rules import PolicyDefinition, parse_policy_definitions

POLICIES_DATA_FILE: Final[Path] = (
    Path(__file__).resolve().parent.parent / "policies_data" / "default_policies.json"
)


def default_policy_definitions(path: Path = POLICIES_DATA_FILE) -> tuple[PolicyDefinition, ...]:
    """Read and validate the policies file; raises ValueError saying what is wrong."""
    return parse_policy_definitions(json.loads(path.read_text(encoding="utf-8")), source=path.name)
