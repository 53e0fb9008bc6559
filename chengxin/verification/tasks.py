"""Background tasks of verification: the daily move of lapsed scales to "overdue".

``scales_expire_daily`` calls ``instruments.services.scales_expire_overdue`` (the one code that
moves them) and queues itself for the next day; ``expiry_schedule`` starts that chain once.

How production runs it (``django_tasks_db`` backend, ``TASKS`` in settings):

- a worker: ``chengxin db_worker`` (``manage.py db_worker``), kept running by systemd;
- once, after deploying: ``chengxin shell -c "from chengxin.verification.tasks import
  expiry_schedule; expiry_schedule()"`` — from then on the task re-queues itself daily;
- or, without the chain, a cron line that enqueues one run a day::

      5 0 * * *  chengxin shell -c "from chengxin.verification.tasks import \
scales_expire_daily; scales_expire_daily.enqueue(reschedule=False)"

Tasks must never decide anything themselves: they call one service.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from chengxin.core.tasks import enqueue_at, schedule_once
from chengxin.instruments.services import scales_expire_overdue

logger = logging.getLogger("chengxin.verification.tasks")

EXPIRE_EVERY = dt.timedelta(days=1)


@task()
def scales_expire_daily(*, reschedule: bool = True) -> int:
    """Move every in-service scale past its validity to overdue; return how many moved."""
    try:
        moved = scales_expire_overdue()
        logger.info("verification expiry: %d scales moved to overdue", moved)
        return moved
    finally:
        if reschedule:
            _enqueue_next()


def _next_run(now: dt.datetime | None = None) -> dt.datetime:
    """Five minutes past the next local midnight: the day's validity has just ended."""
    now = timezone.localtime(now)
    tomorrow = now.date() + EXPIRE_EVERY
    return dt.datetime.combine(tomorrow, dt.time(0, 5), tzinfo=now.tzinfo)


def _enqueue_next() -> None:
    enqueue_at(scales_expire_daily, _next_run())


def expiry_schedule() -> bool:
    """Queue the daily expiry unless one is already waiting; return whether it queued one."""
    return schedule_once(scales_expire_daily, _next_run())


__all__ = ["expiry_schedule", "scales_expire_daily"]
