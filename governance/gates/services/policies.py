"""Gate policies: an admin's edit becomes a new version; shipped defaults load idempotently.

An edit follows core.concurrency's pattern: the policy is locked, and an edit made on an older
version than the newest is refused with that version, so two admins' edits never stack unseen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core.audit import record_audit_event
from core.concurrency import check_version, lock_for_update
from core.permissions import require
from core.roles import Role
from governance.gates.default_policies import default_policy_definitions
from governance.gates.permissions import POLICY_DENIED_MESSAGE, can_edit_policies
from governance.gates.policy_rules import PolicyDefinition, policy_problems
from governance.gates.rules import criterion_is_hard
from governance.models import GatePolicy, GatePolicyVersion


def _policy_content(version: GatePolicyVersion) -> dict[str, Any]:
    return {
        "criteria": version.criteria,
        "quorum": version.quorum,
        "required_seats": version.required_seats,
        "decider_roles": version.decider_roles,
    }


def _validate_policy_content(
    *, criteria: Any, quorum: Any, required_seats: Any, decider_roles: Any
) -> None:
    errors = policy_problems(criteria=criteria, quorum=quorum, required_seats=required_seats)
    known_roles = {role.value for role in Role}
    if not isinstance(decider_roles, list | tuple) or not decider_roles:
        errors["decider_roles"] = ["Name at least one role whose members decide."]
    elif unknown := [role for role in decider_roles if role not in known_roles]:
        errors["decider_roles"] = [
            f"Unknown role: {', '.join(map(str, unknown))}. Roles are: {', '.join(known_roles)}."
        ]
    if errors:
        raise ValidationError(errors)


def _save_policy_version(
    *,
    policy: GatePolicy,
    actor: AbstractBaseUser | None,
    criteria: Sequence[Mapping[str, Any]],
    quorum: int,
    required_seats: Sequence[str],
    decider_roles: Sequence[str],
    note: str,
    expected_version: int | None = None,
) -> tuple[GatePolicyVersion, bool]:
    """Validate and store a new version unless the newest one has the same content.

    `expected_version` is the number of the newest version the editor saw (None: not checked);
    if a newer one was saved since, ConflictError carries its number and content.
    """
    # Locked, so of two editors the second waits, then finds the first's version: a conflict
    # when it was made on the same one, else the next number (never a unique-key error).
    policy = lock_for_update(GatePolicy, policy.pk)
    latest = policy.versions.order_by("-number").first()
    if latest is not None:
        check_version(
            latest,
            expected_version,
            kind="gate policy",
            field="number",
            current=lambda: {"number": latest.number, **_policy_content(latest)},
            message=(
                f"Version {latest.number} was saved after you opened version "
                f"{expected_version}. Review it below, then save again."
            ),
        )
    _validate_policy_content(
        criteria=criteria, quorum=quorum, required_seats=required_seats, decider_roles=decider_roles
    )
    content = {
        "criteria": [
            {"id": c["id"], "params": dict(c.get("params") or {}), "hard": criterion_is_hard(c)}
            for c in criteria
        ],
        "quorum": quorum,
        "required_seats": list(required_seats),
        "decider_roles": list(decider_roles),
    }
    if latest is not None and _policy_content(latest) == content:
        return latest, False
    number = (policy.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = GatePolicyVersion(
        policy=policy, number=number, note=(note or "").strip()[:300], created_by=actor, **content
    )
    version.full_clean()
    version.save()
    before = _policy_content(latest) if latest is not None else {}
    record_audit_event(
        actor=actor,
        action="gate_policy.version_created",
        target=version,
        changes={
            "number": [latest.number if latest else None, number],
            **{
                key: [before.get(key), value]
                for key, value in content.items()
                if before.get(key) != value
            },
        },
        reason=version.note,
    )
    return version, True


@transaction.atomic
def gate_policy_version_create(
    *,
    policy: GatePolicy,
    actor: AbstractBaseUser,
    criteria: Sequence[Mapping[str, Any]],
    quorum: int,
    required_seats: Sequence[str],
    decider_roles: Sequence[str],
    note: str = "",
    expected_version: int | None = None,
) -> GatePolicyVersion:
    """Store an edited policy as its next version (governance admins only).

    `expected_version` is the number of the version the edit was made on: when a newer one was
    saved since, nothing is stored and ConflictError carries the newer one's number and content
    (None skips the check). Validates criterion ids and params, seats, quorum and roles
    (ValidationError by field). Versions are immutable: requests filed earlier keep the
    version they were filed under. Content identical to the newest version returns that
    version and writes nothing.
    """
    require(can_edit_policies(actor), POLICY_DENIED_MESSAGE)
    version, _ = _save_policy_version(
        policy=policy,
        actor=actor,
        criteria=criteria,
        quorum=quorum,
        required_seats=required_seats,
        decider_roles=decider_roles,
        note=note,
        expected_version=expected_version,
    )
    return version


@transaction.atomic
def gate_policy_load(
    *, definition: PolicyDefinition, actor: AbstractBaseUser | None = None
) -> tuple[GatePolicyVersion, bool]:
    """Create the policy for a transition if needed and store `definition` as its version.

    Returns (version, created); loading identical content again creates nothing. When the
    newest version was made by a person (an admin's edit), it is kept and nothing is created:
    reloading the shipped defaults (every `make run`) must never revert an admin's work.
    """
    policy, created_policy = GatePolicy.objects.get_or_create(
        from_stage=definition.from_stage,
        to_stage=definition.to_stage,
        defaults={"title": definition.title},
    )
    if created_policy:
        record_audit_event(
            actor=actor,
            action="gate_policy.created",
            target=policy,
            changes={"title": [None, policy.title]},
        )
    latest = policy.versions.order_by("-number").first()
    if latest is not None and latest.created_by_id is not None:
        return latest, False
    return _save_policy_version(
        policy=policy,
        actor=actor,
        criteria=definition.criteria,
        quorum=definition.quorum,
        required_seats=definition.required_seats,
        decider_roles=definition.decider_roles,
        note=definition.note,
    )


def gate_policies_load_defaults(
    *, actor: AbstractBaseUser | None = None
) -> list[tuple[GatePolicyVersion, bool]]:
    """Load governance/policies_data/default_policies.json, idempotently."""
    return [
        gate_policy_load(definition=definition, actor=actor)
        for definition in default_policy_definitions()
    ]
