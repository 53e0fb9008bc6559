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

from chengxin.core.tasks import enqueue_at, schedule_once

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
    enqueue_at(log_audit_daily, timezone.now() + AUDIT_EVERY)


def audit_schedule() -> bool:
    """Queue the daily audit unless one is already waiting; return whether it queued one."""
    return schedule_once(log_audit_daily, timezone.now() + dt.timedelta(minutes=5))
