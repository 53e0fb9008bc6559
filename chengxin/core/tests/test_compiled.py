"""Compiled queries answer exactly what the querysets they were compiled from answer."""

from __future__ import annotations

import datetime as dt

import pytest

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
