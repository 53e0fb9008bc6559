"""Recurring tasks: queued once, never twice; a backend that cannot defer is left alone."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from chengxin.core.tasks import schedule_once
from chengxin.verification.tasks import scales_expire_daily

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_immediate_backend_is_never_rescheduled(db):
    assert schedule_once(scales_expire_daily, timezone.now() + dt.timedelta(days=1)) is False


@override_settings(TASKS=DB_TASKS)
def test_a_recurring_task_is_queued_once(db):
    from django_tasks_db.models import DBTaskResult

    when = timezone.now() + dt.timedelta(days=1)
    assert schedule_once(scales_expire_daily, when) is True
    assert schedule_once(scales_expire_daily, when) is False
    assert DBTaskResult.objects.filter(task_path=scales_expire_daily.module_path).count() == 1
