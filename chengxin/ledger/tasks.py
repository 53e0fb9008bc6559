"""Background tasks of the log: the daily audit.

``log_audit_daily`` runs ``audit.log_audit`` and logs every finding at ERROR level on the
``chengxin.ledger.audit`` logger (which operations alert on), then queues itself for the next
day. ``audit_schedule`` starts that chain once; the sequencer calls it when it starts.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task
from django_tasks.exceptions import InvalidTaskError

from . import audit

logger = logging.getLogger("chengxin.ledger.audit")

AUDIT_EVERY = dt.timedelta(days=1)


@task()
def log_audit_daily(*, reschedule: bool = True) -> int:
    """Audit the log; return the number of findings (0: the database and the log agree)."""
    try:
        findings = audit.log_audit()
        if findings:
            for finding in findings:
                logger.error("log audit: %s", finding)
            logger.error("log audit FAILED: %d findings", len(findings))
        else:
            logger.info("log audit passed")
        return len(findings)
    finally:
        if reschedule:
            _enqueue_next()


def _enqueue_next() -> None:
    try:
        log_audit_daily.using(run_after=timezone.now() + AUDIT_EVERY).enqueue()
    except InvalidTaskError:
        # A backend that cannot defer (the immediate one, in tests) would run it right now, forever.
        logger.info("task backend cannot defer; the daily log audit is not rescheduled")


def audit_schedule() -> bool:
    """Queue the daily audit unless one is already waiting; return whether it queued one."""
    if not log_audit_daily.get_backend().supports_defer:
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=log_audit_daily.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    log_audit_daily.using(run_after=timezone.now() + dt.timedelta(minutes=5)).enqueue()
    return True
