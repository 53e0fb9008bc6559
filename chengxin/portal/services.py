"""Writes ``ScaleHistory``: a scale's public history, from where it lives, as one row.

The history is built in SQL by the query the public page itself ran before it had this table
(three correlated subqueries per scale), for a batch of scales at a time, and upserted. It is
written again in the transaction of every write that changes what it shows:

- a verification record, a certificate, or a pass or fail of verification (its change record
  reaches ``change_records_written``, like every change reaches the transparency log);
- new leaves about the scale in the log's content index (``ledger.services.subjects_written``,
  sent by the sequencer and by ``chengxin log reindex``).

Two writers that race (a verification and the sequencer, on PostgreSQL) can leave the history a
moment behind; the verification's own leaves, integrated a moment later, write it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    BooleanField,
    CharField,
    F,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from chengxin.core.compiled import marked_sql, marker
from chengxin.core.models import ChangeRecord
from chengxin.ledger import leaves

from .selectors import Spelled

VERIFICATION_TRANSITIONS = ("pass_verification", "fail_verification")
MAX_LOG_RECORDS = 500
"""A scale has a few dozen records in a long life; the bound keeps a hostile one cheap."""
_BATCH = 5_000
"""Scales per statement (their ids are one parameter: ``_AmongIds``)."""

_SCALE_KEY = leaves.object_key("instruments.scale")


# --- the history of a batch of scales, in SQL ---------------------------------------------------


class _JSONArray(Spelled):
    """``[a, b, …]`` of values, JSON ones among them as subqueries give them, as JSON.

    On PostgreSQL it is ``json``, not ``jsonb``: nothing queries inside it, and ``jsonb`` would
    first build a binary document and then print it again. SQLite forgets at a subquery's edge
    that its text is JSON (and would nest it as a string), so each is read again with ``json()``.
    """

    output_field = JSONField()

    def spell(self, connection: Any, arguments: list[tuple[str, Any]]) -> str:
        if connection.vendor == "postgresql":
            return f"JSON_BUILD_ARRAY({', '.join(sql for sql, _ in arguments)})"
        items = [
            f"JSON({sql})" if isinstance(expression.output_field, JSONField) else sql
            for sql, expression in arguments
        ]
        return f"JSON_ARRAY({', '.join(items)})"


class _JSONText(_JSONArray):
    """``_JSONArray`` as text, which is how ``ScaleHistory.history`` keeps it."""

    output_field = TextField()  # type: ignore[assignment]

    def spell(self, connection: Any, arguments: list[tuple[str, Any]]) -> str:
        sql = super().spell(connection, arguments)
        return f"CAST({sql} AS TEXT)" if connection.vendor == "postgresql" else sql


class _JSONRows(Subquery):
    """The rows of a subquery (ordered and sliced, so a bounded table) as one JSON array of
    arrays of ``columns``; ``[]`` when there are none."""

    def __init__(self, queryset: QuerySet[Any], columns: tuple[str, ...]) -> None:
        super().__init__(queryset, output_field=JSONField())
        self.columns = columns

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **kwargs: Any) -> Any:
        sql, params = super().as_sql(compiler, connection, *args, **kwargs)
        row = ", ".join(f"r.{connection.ops.quote_name(column)}" for column in self.columns)
        if connection.vendor == "postgresql":
            rows = f"COALESCE(JSON_AGG(JSON_BUILD_ARRAY({row})), '[]'::json)"
        else:
            rows = f"JSON_GROUP_ARRAY(JSON_ARRAY({row}))"
        # Column names quoted by the backend, the subquery compiled by Django: no input here.
        return f"(SELECT {rows} FROM {sql} r)", params  # noqa: S608


def _newest_as_json(
    queryset: QuerySet[Any], ordering: tuple[str, ...], fields: tuple[str, ...]
) -> Subquery:
    """The first row of ``queryset`` by ``ordering``, as one JSON array of ``fields`` (column
    paths), or NULL: a whole related row as one column of the outer query."""
    return Subquery(
        queryset.order_by(*ordering).values(json=_JSONArray(*fields))[:1],
        output_field=JSONField(),
    )


VERIFICATION_FIELDS = (
    "result",
    "kind",
    "performed_on",
    "institution__name",
    "document_no",
    "valid_until",
    "certificate__id",
)
"""What the history keeps of the last verification record, in this order."""
EVENT_FIELDS = ("transition", "at", "document", "organisation__name")
"""What it keeps of the last pass or fail of verification as a bare lifecycle event."""


class _AmongIds(Spelled):
    """The row's key is one of the ids in one parameter: a JSON array on SQLite (``json_each``),
    an array on PostgreSQL. One parameter, whatever the number of scales, so the statement is
    compiled once (``_statement``): compiling it took longer than running it for one scale."""

    output_field = BooleanField()

    def spell(self, connection: Any, arguments: list[tuple[str, Any]]) -> str:
        (key, _), (ids, _) = arguments
        if connection.vendor == "postgresql":
            return f"{key} = ANY(CAST({ids} AS BIGINT[]))"
        # Both parts compiled by Django (a column, a placeholder): no input here.
        return f"{key} IN (SELECT value FROM JSON_EACH({ids}))"  # noqa: S608


def _ids_parameter(vendor: str, scale_ids: list[int]) -> Any:
    return scale_ids if vendor == "postgresql" else json.dumps(scale_ids)


def _histories(registry: Any, using: str, ids: Any) -> QuerySet[Any]:
    """``(scale id, history text)`` of each scale whose id is in ``ids`` (``_ids_parameter``),
    from ``registry``'s models (the app registry, or a migration's historical one)."""
    scale = registry.get_model("instruments", "Scale")
    verification = registry.get_model("verification", "Verification")
    event = registry.get_model("instruments", "LifecycleEvent")
    subject = registry.get_model("ledger", "Subject")
    key = Concat(Value(_SCALE_KEY), Cast(OuterRef("id"), CharField()))
    last_verification = _newest_as_json(
        # An inspection that passed changes nothing, so it is never "the last verification".
        verification.objects.filter(scale=OuterRef("pk")).exclude(
            kind="in_service", result="passed"
        ),
        ("-performed_on", "-id"),
        VERIFICATION_FIELDS,
    )
    # What a scale verified before verification records existed shows instead of a record.
    last_event = _newest_as_json(
        event.objects.filter(scale=OuterRef("pk"), transition__in=VERIFICATION_TRANSITIONS),
        ("-at", "-id"),
        EVENT_FIELDS,
    )
    # Every integrated leaf about the scale as [index, kind, time], the oldest MAX_LOG_RECORDS,
    # from the content index alone: no leaf is read or decoded. The time as the database's text.
    records = _JSONRows(
        subject.objects.filter(key=key)
        .order_by("leaf_index")
        .values("leaf_index", "leaf_kind", time_text=Cast("leaf_time", TextField()))[
            :MAX_LOG_RECORDS
        ],
        ("leaf_index", "leaf_kind", "time_text"),
    )
    return (
        scale.objects.using(using)
        .filter(_AmongIds(F("pk"), Value(ids)))
        .order_by()
        .values_list("pk", _JSONText(last_verification, last_event, records))
    )


def histories_current(
    scale_ids: Iterable[int] | None, *, using: str = DEFAULT_DB_ALIAS
) -> dict[int, str]:
    """What ``histories_refresh`` would write now for ``scale_ids`` (None: every scale), by
    scale id: to check the kept histories against their sources."""
    vendor = connections[using].vendor
    return {
        pk: text
        for batch in _batches(scale_ids, global_apps, using)
        for pk, text in _histories(global_apps, using, _ids_parameter(vendor, batch))
    }


def histories_refresh(
    scale_ids: Iterable[int] | None, *, registry: Any = global_apps, using: str = DEFAULT_DB_ALIAS
) -> int:
    """Write the public history of the scales ``scale_ids`` (None: every scale) from their
    records; return how many. Runs in the caller's transaction.

    One statement per batch, an upsert from the query (``INSERT … SELECT … ON CONFLICT``), which
    both databases have: ``bulk_create`` would bring every history into Python as objects and
    send it back, and cost as much again as building it.
    """
    db = connections[using]
    sql, params, slot = _statement(registry, using)
    values = list(params)
    values[0] = db.ops.adapt_datetimefield_value(timezone.now())
    done = 0
    with db.cursor() as cursor:
        for batch in _batches(scale_ids, registry, using):
            values[slot] = _ids_parameter(db.vendor, batch)
            cursor.execute(sql, values)
            done += cursor.rowcount
    return done


_statements: dict[tuple[str, str, int], tuple[str, tuple[Any, ...], int]] = {}


def _statement(registry: Any, using: str) -> tuple[str, tuple[Any, ...], int]:
    """The upsert's SQL, its parameters (the time first) and where the ids go among them;
    compiled once per database (and bound on the records listed) for the app registry."""
    db = connections[using]
    key = (using, db.vendor, MAX_LOG_RECORDS)
    found = _statements.get(key) if registry is global_apps else None
    if found is None:
        table = db.ops.quote_name(registry.get_model("portal", "ScaleHistory")._meta.db_table)
        query = _histories(registry, using, marker()).query
        select, params, slot = marked_sql(query.get_compiler(using))
        # SQLite needs the WHERE to read ON CONFLICT as the upsert's, not as a join's.
        sql = (
            f"INSERT INTO {table} (scale_id, history, refreshed_at) "  # noqa: S608
            f"SELECT h.*, %s FROM ({select}) h WHERE true "
            "ON CONFLICT (scale_id) DO UPDATE "
            "SET history = excluded.history, refreshed_at = excluded.refreshed_at"
        )
        found = (sql, (None, *params), 1 + slot)
        if registry is global_apps:
            _statements[key] = found
    return found


def _batches(scale_ids: Iterable[int] | None, registry: Any, using: str) -> Iterator[list[int]]:
    if scale_ids is not None:
        wanted = sorted(set(scale_ids))
        for start in range(0, len(wanted), _BATCH):
            yield wanted[start : start + _BATCH]
        return
    scale = registry.get_model("instruments", "Scale")
    after = None
    while True:
        page = scale.objects.using(using).order_by("pk")
        if after is not None:
            page = page.filter(pk__gt=after)
        batch = list(page.values_list("pk", flat=True)[:_BATCH])
        if not batch:
            return
        yield batch
        after = batch[-1]


# --- when it is written ------------------------------------------------------------------------


_HISTORY_SOURCES = (
    "instruments.LifecycleEvent",
    "verification.Verification",
    "verification.Certificate",
)
"""The models whose change can change a scale's history (besides the content index)."""


def _shows_on_page(model: str, body: dict[str, Any]) -> bool:
    """Whether a change of this record (its fields after the change, or before a deletion) can
    change what a scale's history shows."""
    if model == "instruments.lifecycleevent":
        return body.get("transition") in VERIFICATION_TRANSITIONS
    if model == "verification.verification":
        return not (body.get("kind") == "in_service" and body.get("result") == "passed")
    return model == "verification.certificate"


def change_records_written(records: list[ChangeRecord]) -> None:
    """The change-record listener: refresh the scales whose last verification may have changed
    (``core.changes.on_change_records``; inside the writing transaction)."""
    sources = {  # content type id → the label ``_shows_on_page`` reads (Django caches both)
        ContentType.objects.get_for_model(model).pk: model._meta.label_lower
        for model in map(global_apps.get_model, _HISTORY_SOURCES)
    }
    scale_ids = set()
    for record in records:
        model = sources.get(record.content_type_id)
        if model is None:
            continue
        body = record.after or record.before or {}
        scale_id = body.get("scale_id")
        if isinstance(scale_id, int) and _shows_on_page(model, body):
            scale_ids.add(scale_id)
    if scale_ids:
        histories_refresh(scale_ids)


def subjects_written(sender: Any, keys: Iterable[str] | None, using: str, **kwargs: Any) -> None:
    """The receiver of ``ledger.services.subjects_written``: refresh the scales that have new
    records in the log (all of them when the content index was rebuilt)."""
    if keys is None:
        histories_refresh(None, using=using)
        return
    scale_ids = [
        int(key[len(_SCALE_KEY) :])
        for key in keys
        if key.startswith(_SCALE_KEY) and key[len(_SCALE_KEY) :].isdecimal()
    ]
    if scale_ids:
        histories_refresh(scale_ids, using=using)
