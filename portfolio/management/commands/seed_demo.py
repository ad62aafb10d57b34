"""Load the demo portfolio from `portfolio.demo_data`, through the same services the app uses.

Every initiative starts in exploration: the stages its story reached and its holds and kills are
decided by the council later in `make setup` (`manage.py seed_history`, after the council and
the readiness results exist), through gate requests like any other.

Idempotent: users are found by username, business units and vendors by name, initiatives by
title, and an initiative that already exists is skipped entirely, so a second run writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.management.base import BaseCommand
from django.db import transaction

from portfolio.demo_data import (
    DEMO_ADMIN_USERNAME,
    DEMO_BUSINESS_UNITS,
    DEMO_INITIATIVES,
    DEMO_PASSWORD,
    DEMO_USERS,
    DEMO_VENDORS,
)
from portfolio.models import BusinessUnit, Initiative, Vendor
from portfolio.services import (
    business_unit_create,
    initiative_create,
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
    {
        "business_unit",
        "vendors",
        "created_by",
        "problem_statements",
        "stage_history",
        "stage_months_ago",
        "before_council",
        "status",
        "status_months_ago",
    }
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
        _seed_initiative(spec, users=users, units=units, vendors=vendors)
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
    return initiative
