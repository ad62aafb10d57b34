"""Seat the demo governance council and load the default gate policies.

Run after `seed_demo` (which creates the demo users). Idempotent: seats are set through the same
service the admin pages use, which writes nothing when a membership is already as wanted, and
policies load only when their content changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.roles import Role
from governance.council.services import council_membership_set
from governance.gates.services.policies import gate_policies_load_defaults
from governance.models import Seat

# username, seat, chair. Eva (an executive) and Gina (a governance admin) also get the council
# member role: the scale gates need an executive's approval and the pilot gate a product one,
# and only council members vote.
DEMO_COUNCIL: tuple[tuple[str, str, bool], ...] = (
    ("chris", Seat.SECURITY, True),
    ("lena", Seat.LEGAL, False),
    ("eva", Seat.EXECUTIVE, False),
    ("gina", Seat.PRODUCT, False),
    # Owners of no initiative, so the demo's gates can reach a quorum with the required seats.
    ("sam", Seat.SECURITY, False),
    ("marc", Seat.EXECUTIVE, False),
)
# The governance admin who seats the council (the membership service is admin-only).
SEATING_ADMIN = "gina"


class Command(BaseCommand):
    help = (
        "Seat the demo governance council (chris security + chair, lena legal, eva executive, "
        "gina product, sam security, marc executive) and load the default gate policies. "
        "Run after seed_demo; safe to rerun."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        with transaction.atomic():
            lines = seed_governance()
        if not quiet:
            for line in lines:
                self.stdout.write(line)


def seed_governance() -> list[str]:
    """Create what is missing of the demo council and the default policies; report each step."""
    User = get_user_model()
    usernames = [username for username, _, _ in DEMO_COUNCIL]
    found = {user.username: user for user in User.objects.filter(username__in=usernames)}
    missing = sorted(set(usernames) - set(found))
    if missing or SEATING_ADMIN not in found:
        raise CommandError(
            f"Demo users missing: {', '.join(missing)}. Run `manage.py seed_demo` first."
        )
    council_group = Group.objects.get_or_create(name=Role.COUNCIL_MEMBER.value)[0]
    for user in found.values():
        user.groups.add(council_group)  # a no-op for those who already hold it
    # Fresh objects: roles are cached on a user object the first time they are asked for.
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    admin = users[SEATING_ADMIN]
    lines: list[str] = []
    for username, seat, chair in DEMO_COUNCIL:
        council_membership_set(
            actor=admin, user=users[username], seat=seat, is_chair=chair, active=True
        )
        lines.append(f"{username:<8} {seat:<10} {'chair' if chair else ''}".rstrip())
    for version, created in gate_policies_load_defaults(actor=None):
        state = "loaded" if created else "unchanged"
        lines.append(f"{version.policy.title:<32} v{version.number}  {state}")
    return lines
