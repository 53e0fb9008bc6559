"""The API's JSON renderer writes exactly what DRF's own writes (core/api/renderers.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from chengxin.core.api.renderers import JSONRenderer
from chengxin.testing import factories as f
from chengxin.testing.api import client_for
from chengxin.testing.strategies import json_values

ours = JSONRenderer()
drf = renderers.JSONRenderer()


def both(data: Any, media_type: str | None = "application/json", **context: Any) -> bytes:
    expected = drf.render(data, media_type, context)
    assert ours.render(data, media_type, context) == expected
    return expected


_values = json_values(max_leaves=20)


@settings(max_examples=300)
@given(_values)
def test_any_json_value_comes_out_as_drf_writes_it(value: Any) -> None:
    both(value)


@dataclasses.dataclass
class _Point:
    x: int


def test_what_orjson_does_not_know_goes_through_drfs_encoder() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    body = both(
        ReturnDict(
            {
                "mass": Decimal("1500.000"),
                "at": dt.datetime(2026, 11, 27, 4, 5, 6, 789123, tzinfo=dt.UTC),
                "local": dt.datetime(2026, 11, 27, 12, 0, tzinfo=shanghai),
                "naive": dt.datetime(2026, 11, 27, 12, 0),
                "day": dt.date(2026, 2, 28),
                "time": dt.time(8, 30),
                "span": dt.timedelta(hours=1, seconds=1),
                "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                "label": gettext_lazy("English"),
                "rows": ReturnList([{"n": 1}], serializer=None),
                "tuple": (1, "二"),
                "raw": b"bytes",
                3: "an integer key",
                "big": 2**64 - 1,
            },
            serializer=None,
        )
    )
    assert b'"at":"2026-11-27T04:05:06.789123Z"' in body
    assert b'"mass":1500.0' in body  # DRF's encoder: a bare Decimal becomes a number


def test_the_unusual_take_drfs_path_and_fail_or_succeed_alike() -> None:
    both({"huge": 2**70})  # beyond orjson's 64 bits
    both({"a": [1, 2]}, "application/json; indent=4")
    both({"a": [1, 2]}, None, indent=2)
    both(None)
    with pytest.raises(TypeError):
        drf.render({"p": _Point(1)}, "application/json", {})
    with pytest.raises(TypeError):
        ours.render({"p": _Point(1)}, "application/json", {})


def test_the_api_answers_with_it(world: Any) -> None:
    scale = f.scale(world.approval, state="in_service", division="330106", m=world.market)
    client = client_for(world.u_xihu)
    for path in (f"/api/v1/scales/{scale.code}/", "/api/v1/scales/", "/api/v1/changes/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.content == drf.render(response.data, "application/json", {}), path
