"""What the benchmarks share: Django on a throwaway database, and one large portfolio.

The database is a temporary SQLite file, or with BENCH_DATABASE_URL a `test_…` database that
Django's test-database machinery creates and destroys, so a benchmark never touches the
development or production data. Generated files (report PDFs) go to a temporary MEDIA_ROOT.

(Not named portfolio.py: this folder is first on sys.path when a benchmark runs, and that name
would hide the `portfolio` app.)
"""

from __future__ import annotations

import datetime
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.reporting.support import Portfolio

ROOT = Path(__file__).resolve().parent.parent


def clean_up_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so the temporary directory and test database go too."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def configure(database_url: str | None, directory: Path) -> None:
    """Set Django up on `database_url`, or on a SQLite file in `directory`; media there too."""
    sys.path.insert(0, str(ROOT))
    sqlite_path = str(directory / "bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{sqlite_path}"
    os.environ["MEDIA_ROOT"] = str(directory / "media")
    # WeasyPrint logs every layout step at INFO; the figures are what a benchmark prints.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    if not database_url:
        settings.DATABASES["default"]["TEST"]["NAME"] = sqlite_path


@contextmanager
def throwaway_database() -> Iterator[None]:
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def build_large_portfolio(size: int, *, now: datetime.datetime) -> Portfolio:
    """The dashboard tests' portfolio (tests/reporting/support.py) plus what the monthly report
    reads besides: budgets, stage changes, gate decisions, council votes on the pending
    requests, open action items. Every dashboard card and every report section has rows.
    """
    from core.roles import Role
    from governance.models import (
        ActionItem,
        Decision,
        GatePolicyVersion,
        GateRequest,
        GateRequestStatus,
        Seat,
        Vote,
        VoteChoice,
    )
    from portfolio.models import Initiative, Stage, StageTransition
    from tests.factories import UserFactory
    from tests.reporting.support import build_portfolio

    portfolio = build_portfolio(size, now=now)
    initiatives, owner = portfolio.initiatives, portfolio.owner
    stages = list(Stage)

    # Budgets below and above the spend, so some initiatives show as over budget.
    for n, initiative in enumerate(initiatives):
        if n % 3 == 0:
            initiative.poc_budget = Decimal(2000 * (n % 5 + 1))
            initiative.production_budget_estimate = Decimal(10000) if n % 2 else None
    Initiative.objects.bulk_update(
        initiatives, ["poc_budget", "production_budget_estimate"], batch_size=500
    )

    # Stage changes over the last 45 days; occurred_at is auto_now_add, so set it afterwards.
    moved = [(n, i) for n, i in enumerate(initiatives) if i.stage != Stage.EXPLORATION]
    transitions = StageTransition.objects.bulk_create(
        StageTransition(
            initiative=initiative,
            from_stage=stages[stages.index(initiative.stage) - 1],
            to_stage=initiative.stage,
            actor=owner,
            reason=f"Gate passed for {initiative.title}",
        )
        for n, initiative in moved
    )
    for (n, _), transition in zip(moved, transitions, strict=True):
        transition.occurred_at = now - datetime.timedelta(days=n % 45, hours=1)
    StageTransition.objects.bulk_update(transitions, ["occurred_at"], batch_size=500)

    policy_version = GatePolicyVersion.objects.order_by("pk").first()
    policy_version.required_seats = [Seat.SECURITY, Seat.LEGAL, Seat.DATA]
    policy_version.save(update_fields=["required_seats"])
    decisions = list(Decision)
    GateRequest.objects.bulk_create(
        GateRequest(
            initiative=initiative,
            policy_version=policy_version,
            from_stage=stages[stages.index(initiative.stage) - 1],
            to_stage=initiative.stage,
            requested_by=owner,
            review_due_at=now - datetime.timedelta(days=n % 20 + 7),
            status=GateRequestStatus.DECIDED,
            decision=decisions[n % len(decisions)],
            decision_reason=f"Council decision on {initiative.title}",
            decided_by=owner,
            decided_at=now - datetime.timedelta(days=n % 20, hours=2),
            # An "iterate" decision comes back within two sprints (a database constraint).
            iterate_due_on=(now + datetime.timedelta(days=14)).date()
            if decisions[n % len(decisions)] == Decision.ITERATE
            else None,
        )
        for n, initiative in moved
        if n % 10 == 1
    )

    council = [
        UserFactory(username=f"bench-council-{seat}", roles=[Role.COUNCIL_MEMBER])
        for seat in (Seat.SECURITY, Seat.LEGAL)
    ]
    choices = list(VoteChoice)
    Vote.objects.bulk_create(
        Vote(request=request, voter=voter, seat=seat, choice=choices[(request.pk + k) % 4])
        for request in GateRequest.objects.filter(status=GateRequestStatus.PENDING)
        for k, (voter, seat) in enumerate(zip(council, (Seat.SECURITY, Seat.LEGAL), strict=True))
        if request.pk % (k + 2)
    )

    ActionItem.objects.bulk_create(
        ActionItem(
            initiative=initiative,
            title=f"Close the gaps of {initiative.title}",
            owner=owner,
            due_date=(now + datetime.timedelta(days=n % 30 - 5)).date(),
            created_by=owner,
        )
        for n, initiative in enumerate(initiatives)
        if n % 5 == 0
    )
    return portfolio


def add_audit_trail(portfolio: Portfolio, *, per_initiative: int, now: datetime.datetime) -> None:
    """`per_initiative` audit events for each initiative, chained by hash as
    core.audit.record_audit_event chains them (written in bulk: one event at a time through
    the chain head's row lock would take minutes for a large portfolio)."""
    from core.audit import event_hash, hashed_fields
    from core.models import AuditChainHead, AuditEvent

    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    sequence, prev_hash = head.last_sequence, head.last_hash
    events = []
    actions = ("initiative.updated", "risk.created", "assessment.submitted")
    moment = (now - datetime.timedelta(days=60)).astimezone(datetime.UTC)
    for n, initiative in enumerate(portfolio.initiatives):
        for k in range(per_initiative):
            sequence += 1
            moment += datetime.timedelta(seconds=17)
            event = AuditEvent(
                sequence=sequence,
                prev_hash=prev_hash,
                occurred_at=moment,
                actor_id=portfolio.owner.pk,
                action=actions[(n + k) % len(actions)],
                object_type="portfolio.initiative",
                object_id=str(initiative.pk),
                object_repr=initiative.title,
                initiative_id=initiative.pk,
                changes={"title": [f"{initiative.title} (draft)", initiative.title]},
                reason=f"Bench event {k}",
            )
            event.hash = event_hash(prev_hash, hashed_fields(event))
            prev_hash = event.hash
            events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    AuditChainHead.objects.filter(pk=1).update(last_sequence=sequence, last_hash=prev_hash)
