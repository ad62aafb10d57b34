"""Seed the database once for a whole test module instead of once per test; the demo's seed steps.

The seed commands take seconds each; most seed tests only read what they left. A module-scoped
fixture seeds inside a transaction that stays open for the module and is rolled back after its
last test. Each test still runs in its own savepoint inside it (pytest-django's `db`), so what a
test changes is gone before the next one starts.

Every test of such a module then sees the seeded rows, whether it asks for the fixture or not once
another test has: tests that need a different starting point (an empty database, a partial seed)
belong in another module. Transactional tests (`transaction=True`, live_server) cannot share the
rows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from io import StringIO
from typing import TypeVar

from django.core.management import call_command
from django.db import transaction

T = TypeVar("T")


def seed_once_per_module(django_db_blocker, seed: Callable[[], T]) -> Iterator[T]:  # noqa: ANN001
    """For a module-scoped fixture: `yield from seed_once_per_module(django_db_blocker, seed)`."""
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        # As for Django's TestCase: the services' own atomic blocks nest inside as savepoints.
        module_transaction._from_testcase = True
        module_transaction.__enter__()
        try:
            value = seed()
        except BaseException:
            module_transaction.__exit__(*sys.exc_info())
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)


def seed_demo_up_to_readiness() -> None:
    """The demo as `make setup` leaves it before the readiness seed."""
    call_command("seed_demo", quiet=True)
    call_command("load_templates", stdout=StringIO())
    call_command("load_gate_policies", stdout=StringIO())
    call_command("seed_governance", quiet=True)


def seed_demo_up_to_history() -> None:
    """The demo as `make setup` leaves it before the history seed (council decisions)."""
    seed_demo_up_to_readiness()
    call_command("seed_readiness", quiet=True)


def seed_demo_up_to_gates(*, register: bool = True) -> None:
    """The demo as `make setup` leaves it before the gates seed (without the register's seed
    when `register` is false)."""
    seed_demo_up_to_history()
    call_command("seed_history", quiet=True)
    if register:
        call_command("seed_register", quiet=True)
