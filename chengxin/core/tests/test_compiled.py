"""Compiled queries answer exactly what the querysets they were compiled from answer."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper

from chengxin.core import compiled
from chengxin.core.compiled import fetch_all, fetch_one, marker
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import LifecycleEvent, Scale
from chengxin.testing import factories as f

COLUMNS = ("code", "valid_until", "max_capacity_g", "type_approval__model_name")


@pytest.fixture
def scales(world):
    return [
        f.scale(world.approval, state=ScaleState.IN_SERVICE, valid_until=dt.date(2027, 1, i + 1))
        for i in range(3)
    ]


def _by_code():
    return Scale.objects.filter(code=marker()).values_list(*COLUMNS)


def test_fetch_one_converts_like_the_orm(scales):
    for scale in scales:
        row = fetch_one(("test_by_code",), _by_code, scale.code, COLUMNS)
        expected = Scale.objects.filter(code=scale.code).values(*COLUMNS).get()
        assert row == expected
        assert isinstance(row["valid_until"], dt.date)
    assert fetch_one(("test_by_code",), _by_code, "NO-SUCH-CODE", COLUMNS) is None


def test_fetch_all_keeps_order_and_bound(scales, world):
    scale = scales[0]
    for i in range(4):
        LifecycleEvent.objects.create(
            scale=scale,
            transition="install",
            from_state=ScaleState.SOLD,
            to_state=ScaleState.REGISTERED,
            at=dt.datetime(2026, 5, 1 + i, tzinfo=dt.UTC),
            organisation=world.lab,
        )

    def events():
        return (
            LifecycleEvent.objects.filter(scale__code=marker())
            .order_by("-at")
            .values_list("at", "to_state")[:3]
        )

    rows = fetch_all(("test_events",), events, scale.code)
    expected = list(
        LifecycleEvent.objects.filter(scale=scale).order_by("-at").values_list("at", "to_state")[:3]
    )
    assert rows == expected and len(rows) == 3
    assert all(isinstance(at, dt.datetime) and at.tzinfo is not None for at, _ in rows)
    other = scales[1]
    assert fetch_all(("test_events",), events, other.code) == list(
        LifecycleEvent.objects.filter(scale=other).order_by("-at").values_list("at", "to_state")[:3]
    )
    assert fetch_all(("test_events",), events, "NO-SUCH-CODE") == []


def test_one_cursor_serves_query_after_query_until_the_connection_changes(scales):
    """The cursor is kept (psycopg sets up reading a result's columns once per cursor), and
    made again when Django's connection is a new one: a kept cursor of a closed connection
    would fail."""
    first = fetch_one(("test_by_code",), _by_code, scales[0].code, COLUMNS)
    kept = compiled._cursor()
    assert fetch_one(("test_by_code",), _by_code, scales[1].code, COLUMNS) is not None
    assert compiled._cursor() is kept
    # As after Django reconnected (CONN_MAX_AGE, a failed health check): the kept cursor
    # belongs to a connection that is no longer Django's.
    kept.cursor = SimpleNamespace(connection=object())
    assert fetch_one(("test_by_code",), _by_code, scales[0].code, COLUMNS) == first
    now = compiled._cursor()
    assert now is not kept and now.cursor.connection is connection.connection


def test_queries_are_logged_while_django_logs_them(scales, django_assert_num_queries):
    """A cursor kept before the log started does not hide queries from it (nor after it)."""
    fetch_one(("test_by_code",), _by_code, scales[0].code, COLUMNS)
    with django_assert_num_queries(2):
        fetch_one(("test_by_code",), _by_code, scales[1].code, COLUMNS)
        fetch_one(("test_by_code",), _by_code, scales[2].code, COLUMNS)
        assert isinstance(compiled._cursor(), CursorDebugWrapper)
    fetch_one(("test_by_code",), _by_code, scales[0].code, COLUMNS)
    assert not isinstance(compiled._cursor(), CursorDebugWrapper)


def test_a_query_that_can_match_nothing_is_not_run(scales, django_assert_num_queries):
    def nothing():
        return Scale.objects.filter(code=marker(), id__in=[]).values_list("code")

    with django_assert_num_queries(0):
        assert fetch_all(("test_nothing",), nothing, scales[0].code) == []
        assert fetch_one(("test_nothing_one",), nothing, scales[0].code, ("code",)) is None


def test_literal_percent_signs_and_many_placeholders_survive_compiling(scales, world):
    """A statement with escaped ``%`` (a LIKE pattern) and parameters on both sides of the
    marker answers like its queryset (on SQLite its placeholders are renamed once)."""
    Scale.objects.filter(pk=scales[1].pk).update(serial="SN-50%-B")

    def build():
        return (
            Scale.objects.filter(
                serial__contains="50%", code=marker(), state__in=["in_service", "overdue"]
            )
            .exclude(type_approval__model_name="no such model")
            .values_list("code", "serial")
        )

    assert fetch_all(("test_percent",), build, scales[1].code) == [(scales[1].code, "SN-50%-B")]
    assert fetch_all(("test_percent",), build, scales[0].code) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda: Scale.objects.filter(code=marker(), serial=marker()).values_list("code"),
        lambda: Scale.objects.filter(code="X").values_list("code"),
    ],
    ids=["twice", "none"],
)
def test_the_marker_must_stand_exactly_once(scales, build):
    with pytest.raises(ValueError, match="exactly once"):
        fetch_one(("test_bad_markers", id(build)), build, scales[0].code, ("code",))
