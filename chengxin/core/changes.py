"""The one mechanism that writes change records.

Single-object writes are caught by the post_save / post_delete handlers below; bulk writes,
which bypass signals, call ``change_records_for_bulk_create`` from the service that made them.
Both go through ``_build``, so a record looks the same whatever the entry point.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import context
from .choices import ChangeAction
from .models import ChangeLoggedModel, ChangeRecord

ChangeListener = Callable[[list[ChangeRecord]], None]
_listeners: list[ChangeListener] = []


def on_change_records(listener: ChangeListener) -> ChangeListener:
    """Register ``listener`` to receive every batch of change records as they are written.

    It runs inside the writing transaction, so what it writes (the transparency log's pending
    leaves) commits or rolls back together with the change itself.
    """
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def has_listeners() -> bool:
    """Whether anything (the transparency log) must be told about new change records."""
    return bool(_listeners)


def records_written(records: list[ChangeRecord]) -> None:
    """Tell the listeners about change records a bulk writer inserted itself (demo seeding)."""
    for listener in _listeners:
        listener(records)


def _json_value(value: Any, field: models.Field | None = None) -> Any:
    if isinstance(field, models.DecimalField) and value is not None:
        # As the database gives it back ("15000.0000"), whatever the code assigned ("15000").
        places = Decimal(1).scaleb(-(field.decimal_places or 0))
        return str(Decimal(str(value)).quantize(places))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The record's own fields as JSON-safe values (foreign keys by id)."""
    exclude = getattr(instance, "change_log_exclude", ())
    deferred = instance.get_deferred_fields()  # reading one would query (and recurse) here
    return {
        field.attname: _json_value(getattr(instance, field.attname), field)
        for field in instance._meta.concrete_fields
        if field.name not in exclude and field.attname not in deferred
    }


def loaded_snapshot(instance: models.Model) -> dict[str, Any] | None:
    """The record as it was loaded (or last saved), in snapshot form; None for a new object."""
    state = instance.__dict__
    if "_saved_snapshot" in state:
        return state["_saved_snapshot"]
    loaded = state.get("_loaded_values")
    if loaded is None:
        return None
    names, values = loaded
    excluded = _excluded(instance)
    fields = {f.attname: f for f in instance._meta.concrete_fields if f.name not in excluded}
    return {n: _json_value(v, fields[n]) for n, v in zip(names, values, strict=True) if n in fields}


def _excluded(instance: models.Model) -> tuple[str, ...]:
    return tuple(getattr(instance, "change_log_exclude", ()))


def _build(
    instance: models.Model,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    content_type: ContentType | None = None,
) -> ChangeRecord:
    ctx = context.current()
    user = context.actor()
    return ChangeRecord(
        user=user,
        user_name=getattr(user, "username", "") if user is not None else "",
        request_id=ctx.request_id,
        source=ctx.source,
        action=ctx.change_action or action,
        content_type=content_type or ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def change_records_for_bulk_create(instances: Iterable[models.Model]) -> list[ChangeRecord]:
    """Write "create" records for objects inserted with ``bulk_create`` (which skips signals)."""
    instances = list(instances)
    if not instances:
        return []
    content_type = ContentType.objects.get_for_model(instances[0])
    records = [
        _build(obj, ChangeAction.CREATE, None, snapshot(obj), content_type) for obj in instances
    ]
    written = ChangeRecord.objects.bulk_create(records, batch_size=2000)
    records_written(written)
    return written


@receiver(post_save, dispatch_uid="chengxin_change_record_save")
def _on_save(sender: type[models.Model], instance: models.Model, created: bool, **kw: Any) -> None:
    if not isinstance(instance, ChangeLoggedModel) or kw.get("raw"):
        return
    after = snapshot(instance)
    before = None if created else loaded_snapshot(instance)
    if not created and before == after:
        return  # nothing changed: no record
    record = _build(
        instance, ChangeAction.CREATE if created else ChangeAction.UPDATE, before, after
    )
    record.save()
    records_written([record])
    instance.__dict__["_saved_snapshot"] = after


@receiver(post_delete, dispatch_uid="chengxin_change_record_delete")
def _on_delete(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    if not isinstance(instance, ChangeLoggedModel):
        return
    before = loaded_snapshot(instance) or snapshot(instance)
    record = _build(instance, ChangeAction.DELETE, before, None)
    record.save()
    records_written([record])
