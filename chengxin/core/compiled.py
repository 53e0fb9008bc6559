"""Compiled ORM queries for the hottest reads: build the SQL once, run it many times.

Django compiles a queryset to SQL on every evaluation; for a look-up served thousands of times
a second that compilation costs more than the database. ``CompiledQuery`` compiles a queryset
once — including the jurisdiction filter from ``core.permissions``, so the permission rule still
lives in one place — with a marker where the looked-up value goes, and afterwards only swaps in
the value, executes and applies Django's own converters (decimals, dates, JSON) to the row.

Plans are cached per thread (a compiler belongs to a connection) and keyed by whatever the
caller says distinguishes them (e.g. the user's scope). The plans are for reads only; a write
that embeds a query (an upsert from a select: ``portal.services``) compiles it with
``marked_sql`` and keeps and runs the statement itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import QuerySet

_MARKER = "\x00chengxin-lookup-marker\x00"
_local = threading.local()
_MAX_PLANS = 512


_NOTHING = object()  # the plan of a queryset that can match no row (e.g. no jurisdiction)


@dataclass
class _Plan:
    sql: str
    params: tuple[Any, ...]
    slot: int  # where ``marker()`` stands in ``params``
    converters: dict[int, Any]
    compiler: Any
    names: tuple[str, ...] | None = None  # the placeholders' names, where the SQL names them


# Django's SQLite cursor turns each ``%s`` into ``?`` with a regular expression on every
# execute, which for a long compiled statement costs as much as running it; named placeholders
# (``%(p0)s``) take its plain ``%`` formatting path instead. Same statement, same parameters.
_FORMAT_PLACEHOLDER = re.compile(r"(?<!%)%s")


def _named_placeholders(sql: str, count: int) -> tuple[str, tuple[str, ...]]:
    between = _FORMAT_PLACEHOLDER.split(sql)
    if len(between) - 1 != count:
        raise ValueError(f"{len(between) - 1} placeholders for {count} parameters")
    names = tuple(f"p{i}" for i in range(count))
    named = "".join(f"%({n})s{text}" for n, text in zip(names, between[1:], strict=True))
    return between[0] + named, names


def marker() -> str:
    """The placeholder value to filter on when building the queryset to compile: where the
    looked-up value goes."""
    return _MARKER


def _plans() -> dict[Hashable, Any]:
    plans = getattr(_local, "plans", None)
    if plans is None or getattr(_local, "connection", None) is not connections["default"]:
        plans = _local.plans = {}
        _local.connection = connections["default"]
    return plans


def _cursor() -> Any:
    """The thread's cursor for compiled queries, kept from one query to the next.

    A new cursor per query cost more than a third of the query on PostgreSQL: psycopg works out
    how to read each column of a result once per cursor (the public page reads 17). Kept for
    the connection it was made on, through Django's cursor wrapper (error translation, execute
    wrappers, and the query log when Django keeps one: a logging wrapper is made when logging
    starts, and a plain one again when it stops).
    """
    db = connections["default"]
    db.close_if_health_check_failed()  # what ``db.cursor()`` does first, once per request
    db.ensure_connection()
    kept = getattr(_local, "cursor", None)
    # A cursor of another thread's or an older connection has another raw connection.
    if (
        kept is None
        or kept.cursor.connection is not db.connection
        or isinstance(kept, CursorDebugWrapper) != db.queries_logged
    ):
        kept = _local.cursor = db.cursor()
    return kept


def fetch_one(
    key: Hashable,
    build: Callable[[], QuerySet[Any]],
    value: Any,
    names: Sequence[str],
) -> dict[str, Any] | None:
    """Run the compiled form of ``build()`` (a ``values_list`` queryset filtered on
    ``marker()``, meant for a unique value: every row it matches is read) with ``value`` in
    the marker's place; the first row as a dict of ``names`` (one per column, in order), or
    None."""
    rows = fetch_all(key, build, value)
    return dict(zip(names, rows[0], strict=True)) if rows else None


def fetch_all(
    key: Hashable, build: Callable[[], QuerySet[Any]], value: Any
) -> list[tuple[Any, ...]]:
    """Like ``fetch_one``, every row (as tuples, in the queryset's order; slice it to bound it)."""
    plans = _plans()
    plan = plans.get(key)
    if plan is None:
        if len(plans) >= _MAX_PLANS:
            plans.clear()
        plan = plans[key] = _compile(build())
    if plan is _NOTHING:
        return []
    assert isinstance(plan, _Plan)
    values = list(plan.params)
    values[plan.slot] = value
    params = values if plan.names is None else dict(zip(plan.names, values, strict=True))
    cursor = _cursor()
    cursor.execute(plan.sql, params)
    # Every row, also for ``fetch_one``: the statement is then finished (an SQLite statement
    # left part-read would hold its read transaction open until the kept cursor runs the next).
    rows = cursor.fetchall()
    if plan.converters and rows:
        return [tuple(row) for row in plan.compiler.apply_converters(rows, plan.converters)]
    return rows


def marked_sql(compiler: Any) -> tuple[str, tuple[Any, ...], int]:
    """The SQL and parameters of a query built with ``marker()``, and where the marker stands
    among them: what a caller that runs the statement itself (inside a write, say) keeps."""
    sql, params = compiler.as_sql()
    slots = [i for i, p in enumerate(params) if p == _MARKER]
    if len(slots) != 1:
        raise ValueError("a compiled query takes marker() exactly once")
    return sql, tuple(params), slots[0]


def _compile(qs: QuerySet[Any]) -> Any:
    compiler = qs.query.get_compiler(using=qs.db)
    try:
        sql, params, slot = marked_sql(compiler)
    except EmptyResultSet:
        return _NOTHING
    columns = [column for column, _, _ in compiler.select]
    converters = compiler.get_converters(columns)
    names = None
    if compiler.connection.vendor == "sqlite":
        sql, names = _named_placeholders(sql, len(params))
    return _Plan(sql, params, slot, converters, compiler, names)
