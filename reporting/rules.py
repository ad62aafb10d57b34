"""When a report job is stuck, and what to do about it: pure rules, no database.

A revision in progress waits for a worker (queued) or is being built by one (running). A worker
that is killed (out of memory, a deploy, a lost machine, its hard time limit) leaves the
revision as it was, and nothing else would ever change it. So a revision counts as stuck when

* it has been running longer than `stale_after` (REPORT_STALE_AFTER_SECONDS, well above the
  task's hard time limit, so a live build is never taken for a dead one), or
* it has been queued that long (the message was lost: the broker was down when it was sent, or
  Redis was flushed), or
* the worker that was building it has started again since: that worker's earlier life, and
  the build with it, is over.

A stuck revision is queued again, up to `max_requeues` times (REPORT_STALE_RETRIES), then failed
with a reason that says what happened.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from enum import StrEnum

from reporting.models import ReportStatus


class StuckAction(StrEnum):
    REQUEUE = "requeue"
    FAIL = "fail"


@dataclass(frozen=True)
class StuckVerdict:
    """What to do with a stuck revision, and the reason recorded on it (its `error`)."""

    action: StuckAction
    reason: str


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def stuck_report_verdict(
    *,
    status: str,
    queued_at: datetime.datetime,
    started_at: datetime.datetime | None,
    worker: str,
    requeues: int,
    now: datetime.datetime,
    stale_after: datetime.timedelta,
    max_requeues: int,
    restarted_worker: str = "",
    restarted_at: datetime.datetime | None = None,
) -> StuckVerdict | None:
    """None while the revision is fine (finished, or in progress for less than `stale_after`).

    `restarted_worker` started at `restarted_at`: what it began running before then is
    orphaned whatever its age (what it began since is its new life's work).
    """
    running = status == ReportStatus.RUNNING and started_at is not None
    if running:
        orphaned = (
            bool(restarted_worker)
            and worker == restarted_worker
            and restarted_at is not None
            and started_at < restarted_at
        )
        if not orphaned and now - started_at < stale_after:
            return None
        on_worker = f" {worker}" if worker else ""
        if orphaned:
            what = f"The worker{on_worker} restarted while building this report"
        else:
            what = (
                f"The worker{on_worker} stopped while building this report "
                f"(no result {_minutes(stale_after.total_seconds())} after it started)"
            )
    elif status == ReportStatus.QUEUED:
        if now - queued_at < stale_after:
            return None
        what = (
            f"No worker started building this report within "
            f"{_minutes(stale_after.total_seconds())} of it being queued"
        )
    else:
        return None

    if requeues < max_requeues:
        return StuckVerdict(
            StuckAction.REQUEUE,
            f"{what}; queued again (retry {requeues + 1} of {max_requeues}).",
        )
    retried = f"retried {_times(requeues)}" if requeues else "not retried"
    advice = (
        "Check that a Celery worker is running, then generate the report again."
        if not running
        else "Generate the report again; if this keeps happening, the worker's log says why "
        "it stopped (memory, time limit)."
    )
    return StuckVerdict(StuckAction.FAIL, f"{what}; {retried}. {advice}")
