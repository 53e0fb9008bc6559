"""Fixtures for the log's serving, API, audit and verification tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chengxin.core.changes import change_records_for_bulk_create
from chengxin.markets.models import Stall


def add_stalls(market, count: int) -> list[Stall]:
    """``count`` stalls written the way bulk services write them (with their change records)."""
    start = Stall.objects.count()
    stalls = Stall.objects.bulk_create(
        [Stall(market=market, number=f"L{start + i:05d}") for i in range(count)]
    )
    change_records_for_bulk_create(stalls)
    return stalls


@pytest.fixture
def log_world(world) -> SimpleNamespace:
    """The world plus enough records for more than one full tile, all integrated.

    Integrated in two batches, so the log has two checkpoints (sizes ``old_size`` and ``size``).
    """
    from chengxin.ledger import services
    from chengxin.ledger.models import Checkpoint

    add_stalls(world.market, 300)
    services.log_integrate_all()
    world.old_size = Checkpoint.objects.latest().size
    add_stalls(world.market, 250)
    services.log_integrate_all()
    world.size = Checkpoint.objects.latest().size
    assert world.size > 2 * 256
    return world
