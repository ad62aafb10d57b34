"""Load the demo portfolio from `portfolio.demo_data`, through the same services the app uses.

Idempotent: users are found by username, business units and vendors by name, initiatives by
title, and an initiative that already exists is skipped entirely, so a second run writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import record_audit_event
from portfolio.demo_data import (
    DEMO_ADMIN_USERNAME,
    DEMO_AS_OF,
    DEMO_BUSINESS_UNITS,
    DEMO_INITIATIVES,
    DEMO_PASSWORD,
    DEMO_USERS,
    DEMO_VENDORS,
)
from portfolio.models import BusinessUnit, Initiative, StageTransition, Status, Vendor
from portfolio.services import (
    business_unit_create,
    initiative_create,
    initiative_set_stage,
    problem_statement_save,
)

_PEOPLE_FIELDS = (
    "business_owner",
    "delivery_owner",
    "executive_sponsor",
    "value_owner",
    "safety_owner",
)
# Keys of an initiative spec that are not model fields (see portfolio.demo_data).
_SPEC_ONLY_KEYS = frozenset(
    {"business_unit", "vendors", "created_by", "problem_statements", "stage_history", "status"}
)


@dataclass
class _Tally:
    created: int = 0
    existing: int = 0

    def __str__(self) -> str:
        return f"{self.created} new, {self.existing} already there"


@dataclass
class SeedSummary:
    users: _Tally = field(default_factory=_Tally)
    business_units: _Tally = field(default_factory=_Tally)
    vendors: _Tally = field(default_factory=_Tally)
    initiatives: _Tally = field(default_factory=_Tally)


class Command(BaseCommand):
    help = (
        "Load the demo portfolio: one user per role, business units, vendors and initiatives "
        "in every stage, from the seed stories. Safe to run again: existing rows are kept."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--quiet", action="store_true", help="Print nothing (errors still go to stderr)."
        )

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        # One transaction: a failure half-way leaves the database as it was.
        with transaction.atomic():
            summary = seed_demo()
        if not quiet:
            self._print_summary(summary)

    def _print_summary(self, summary: SeedSummary) -> None:
        self.stdout.write(self.style.SUCCESS("Demo portfolio loaded."))
        self.stdout.write(f"  Users:          {summary.users}")
        self.stdout.write(f"  Business units: {summary.business_units}")
        self.stdout.write(f"  Vendors:        {summary.vendors}")
        self.stdout.write(f"  Initiatives:    {summary.initiatives}")
        self.stdout.write("Demo logins:")
        for user in DEMO_USERS:
            self.stdout.write(
                f"  {user['username']:<8} {user['role']:<17} {DEMO_PASSWORD}  {user['name']}"
            )


def seed_demo() -> SeedSummary:
    """Create whatever of the demo portfolio is missing; never change what already exists."""
    summary = SeedSummary()
    users = _seed_users(summary)
    admin = users[DEMO_ADMIN_USERNAME]
    units = _seed_business_units(admin, summary)
    vendors = _seed_vendors(summary)
    for spec in DEMO_INITIATIVES:
        if Initiative.objects.filter(title=spec["title"]).exists():
            summary.initiatives.existing += 1
            continue
        _seed_initiative(spec, users=users, units=units, vendors=vendors, admin=admin)
        summary.initiatives.created += 1
    return summary


def _seed_users(summary: SeedSummary) -> dict[str, AbstractBaseUser]:
    User = get_user_model()
    users: dict[str, AbstractBaseUser] = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            first_name, _, last_name = spec["name"].partition(" ")
            user = User(
                username=spec["username"],
                first_name=first_name,
                last_name=last_name,
                email=f"{spec['username']}@example.com",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            summary.users.created += 1
        else:
            summary.users.existing += 1
        # Roles are groups created by core's migration; adding an existing membership is a
        # no-op, and it must happen before any service asks for the user's roles (they are
        # cached on the user object).
        user.groups.add(Group.objects.get(name=spec["role"]))
        users[spec["username"]] = user
    return users


def _seed_business_units(admin: AbstractBaseUser, summary: SeedSummary) -> dict[str, BusinessUnit]:
    units: dict[str, BusinessUnit] = {}
    for spec in DEMO_BUSINESS_UNITS:
        unit = BusinessUnit.objects.filter(name=spec["name"]).first()
        if unit is None:
            unit = business_unit_create(
                actor=admin, name=spec["name"], description=spec["description"]
            )
            summary.business_units.created += 1
        else:
            summary.business_units.existing += 1
        units[unit.name] = unit
    return units


def _seed_vendors(summary: SeedSummary) -> dict[str, Vendor]:
    # No vendor service yet; a plain get_or_create until the vendor register has one.
    vendors: dict[str, Vendor] = {}
    for spec in DEMO_VENDORS:
        vendor, created = Vendor.objects.get_or_create(
            name=spec["name"],
            defaults={"website": spec["website"], "description": spec["description"]},
        )
        if created:
            summary.vendors.created += 1
        else:
            summary.vendors.existing += 1
        vendors[vendor.name] = vendor
    return vendors


def _seed_initiative(
    spec: Mapping[str, Any],
    *,
    users: Mapping[str, AbstractBaseUser],
    units: Mapping[str, BusinessUnit],
    vendors: Mapping[str, Vendor],
    admin: AbstractBaseUser,
) -> Initiative:
    creator = users[spec["created_by"]]
    data = {name: value for name, value in spec.items() if name not in _SPEC_ONLY_KEYS}
    for name in _PEOPLE_FIELDS:
        data[name] = users[data[name]] if data[name] else None
    data["business_unit"] = units[spec["business_unit"]]
    initiative = initiative_create(
        actor=creator, data=data, vendors=[vendors[name] for name in spec["vendors"]]
    )

    for number, version in enumerate(spec["problem_statements"]):
        problem_statement_save(
            initiative=initiative,
            actor=users[version.get("author", spec["created_by"])],
            data=version["fields"],
            expected_version=number,
            note=version["note"],
        )

    for to_stage, reason in spec["stage_history"]:
        initiative = initiative_set_stage(
            initiative=initiative, actor=admin, to_stage=to_stage, reason=reason
        )

    _backdate_stage_history(initiative, spec["start_date"])

    if spec["status"] is not None:
        status, reason = spec["status"]
        _set_status(initiative, actor=admin, status=status, reason=reason)
    return initiative


def _backdate_stage_history(initiative: Initiative, start: date | None) -> None:
    """Spread the demo's stage changes over the story's real timeline.

    The services stamp changes with the current time; without this, every demo initiative
    would look freshly moved and nothing would show how long a pilot has been stuck. Only the
    stage history is backdated: the audit events keep the moment the seed really ran.
    """
    transitions = list(initiative.stage_transitions.order_by("occurred_at", "id"))
    if not transitions or start is None:
        return
    first = start + timedelta(days=30)
    last = max(first, DEMO_AS_OF - timedelta(days=14))
    step = (last - first) / max(len(transitions) - 1, 1)
    moments = [
        timezone.make_aware(datetime.combine(first + step * n, time(10, 0)))
        for n in range(len(transitions))
    ]
    for transition, moment in zip(transitions, moments, strict=True):
        StageTransition.objects.filter(pk=transition.pk).update(occurred_at=moment)
    Initiative.objects.filter(pk=initiative.pk).update(stage_changed_at=moments[-1])


def _set_status(
    initiative: Initiative, *, actor: AbstractBaseUser, status: str, reason: str
) -> None:
    # There is no status service yet: the gate workflow issue will replace this with one (a
    # hold or kill decision). Until then, the same shape: a conditional update that bumps the
    # version, plus the audit event with the reason.
    now = timezone.now()
    updated = Initiative.objects.filter(pk=initiative.pk, status=Status.ACTIVE).update(
        status=status, version=F("version") + 1, updated_at=now
    )
    if updated == 0:
        return
    record_audit_event(
        actor=actor,
        action="initiative.status_changed",
        target=initiative,
        initiative_id=initiative.pk,
        changes={"status": [Status.ACTIVE.value, str(status)]},
        reason=reason,
    )
