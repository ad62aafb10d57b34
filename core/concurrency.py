"""Two people saving the same row at once: the one pattern every versioned save follows.

Inside the save's transaction:

1. `lock_for_update` reads the row locked until the transaction ends, so of two saves at the
   same moment the second waits and then reads what the first wrote (on SQLite, which locks the
   whole file for every writer, the lock is a no-op and the writes are serial anyway);
2. `check_version` compares the version the editor loaded with the locked row's and refuses a
   stale save with a ConflictError carrying the current values (a 409 in the API, the other
   person's values beside the form on a page);
3. the service compares `field_values` before and after: a save that changes nothing returns
   the row as it is, with no new version and no audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from core.errors import ConflictError

ModelT = TypeVar("ModelT", bound=Model)


def lock_for_update(model_or_queryset: type[ModelT] | QuerySet[ModelT], pk: Any) -> ModelT:
    """The row `pk`, locked (SELECT … FOR UPDATE) until the transaction ends.

    Pass a queryset to read related rows in the same query (`select_related`); only the
    model's own row is locked (FOR UPDATE OF self), because PostgreSQL refuses to lock the
    nullable side of an outer join and nobody needs the related rows locked.
    """
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def stale_version_message(kind: str) -> str:
    """What the editor of a stale `kind` ("initiative", "KPI", "risk") is told."""
    return (
        f"Someone else saved this {kind} while you were editing it. Their values are shown "
        "below; your changes were not saved."
    )


def check_version(
    obj: Model,
    expected_version: int | None,
    *,
    kind: str,
    current: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    message: str | None = None,
    field: str = "version",
) -> None:
    """Refuse a save made on an older version of `obj` (which the caller has locked).

    `expected_version` is the version the editor loaded; None means "not checked" (a caller
    that did not read one, e.g. an API client that sends no version). `current` is what the
    ConflictError carries, or a function computing it only when there is a conflict. `message`
    replaces the standard sentence for `kind`; `field` names the counter (readiness calls its
    counter `revision`).
    """
    if expected_version is None or getattr(obj, field) == expected_version:
        return
    values = current() if callable(current) else current
    raise ConflictError(message or stale_version_message(kind), current=dict(values))


def field_values(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The fields' Python values (foreign keys by id), to tell whether a save changes anything.

    Compared as values, not in their audit form: Decimal("14") and the stored
    Decimal("14.0000") are the same number, so saving it again is no change.
    """
    return {name: getattr(obj, obj._meta.get_field(name).attname) for name in fields}
