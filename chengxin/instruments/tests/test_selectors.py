"""The compiled look-up by code: same answers as the ORM, jurisdiction kept per scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chengxin.instruments.choices import ScaleState
from chengxin.instruments.selectors import scale_lookup
from chengxin.testing import factories as f


def test_lookup_returns_typed_values_like_the_orm(world):
    scale = f.scale(
        world.approval,
        state=ScaleState.IN_SERVICE,
        m=world.market,
        valid_until=dt.date(2027, 5, 1),
        seal_ids=["QF-1"],
    )
    row = scale_lookup(user=world.u_xihu, code=scale.display_code.lower())
    assert row["code"] == scale.code
    assert row["max_capacity_g"] == Decimal("15000") and isinstance(row["e_g"], Decimal)
    assert row["valid_until"] == dt.date(2027, 5, 1)
    assert row["seal_ids"] == ["QF-1"]
    assert row["type_approval__certificate_no"] == world.approval.certificate_no


def test_each_scope_gets_its_own_plan(world):
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    assert scale_lookup(user=world.u_xihu, code=scale.code) is not None
    assert scale_lookup(user=world.u_ningbo, code=scale.code) is None
    assert scale_lookup(user=world.u_other_maker, code=scale.code) is None
    assert scale_lookup(user=world.u_evaluator, code=scale.code) is None  # no jurisdiction
    assert scale_lookup(user=world.u_maker, code=scale.code) is not None


def test_a_repeated_lookup_is_one_query(world):
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    scale_lookup(user=world.u_nation, code=scale.code)
    with CaptureQueriesContext(connection) as queries:
        scale_lookup(user=world.u_nation, code=scale.code)
    assert len(queries) == 1
