"""Recurring background tasks on the database-backed queue (django-tasks).

A recurring task re-queues itself for its next run when it finishes; ``schedule_once`` puts the
first run in the queue unless one is already waiting. One implementation for every daily job
(overdue verifications, the log audit), so they all behave alike.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django_tasks.exceptions import InvalidTaskError

logger = logging.getLogger("chengxin.tasks")


def enqueue_at(task: Any, when: dt.datetime) -> bool:
    """Queue ``task`` to run at ``when``; False (logged) where the backend cannot defer.

    The immediate backend (tests) would otherwise run it at once, and again, forever.
    """
    try:
        task.using(run_after=when).enqueue()
    except InvalidTaskError:
        logger.info("task backend cannot defer; %s is not rescheduled", task.module_path)
        return False
    return True


def schedule_once(task: Any, when: dt.datetime) -> bool:
    """Queue the next run of ``task`` at ``when`` unless one is already waiting."""
    if not task.get_backend().supports_defer:
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    return enqueue_at(task, when)
