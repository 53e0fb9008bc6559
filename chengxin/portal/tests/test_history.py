"""A scale's public history kept ready (``ScaleHistory``): always what its sources say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from chengxin.core.context import acting_as
from chengxin.demo import generator
from chengxin.instruments import services as instrument_services
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import LifecycleEvent, Scale
from chengxin.ledger import services as ledger
from chengxin.portal import selectors, services
from chengxin.portal.models import ScaleHistory
from chengxin.testing import factories as f
from chengxin.testing.factories import verification_readings as readings
from chengxin.verification import services as verification

TODAY = timezone.localdate()


def _kept(scale_ids=None) -> dict[int, str]:
    rows = ScaleHistory.objects.all()
    if scale_ids is not None:
        rows = rows.filter(scale_id__in=scale_ids)
    return dict(rows.values_list("scale_id", "history"))


def _page(scale: Scale) -> selectors.PublicScale:
    found = selectors.scale_public_get(code=scale.code)
    assert found is not None and found.history is not None
    return found


@pytest.fixture
def registered(world):
    return f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)


def test_the_demo_data_and_its_log_leave_every_history_as_its_sources_say(db):
    with acting_as(None, source="cli"):
        generator.seed(scales=120, seed=3)
    ledger.log_integrate_all()
    current = services.histories_current(None)
    assert len(current) == Scale.objects.count() == 120
    assert _kept() == current
    # Not a vacuous match: the demo's scales have verifications and records in the log.
    pages = [_page(scale) for scale in Scale.objects.order_by("pk")[:40]]
    assert any(page.history.last_verification for page in pages)
    assert all(page.history.records for page in pages)


def test_a_verification_shows_on_the_page_before_its_leaves_reach_the_log(world, registered):
    ledger.log_integrate_all()
    before = _page(registered)
    assert before.history.last_verification is None
    v = verification.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    after = _page(registered)
    assert after.version != before.version
    last = after.history.last_verification
    assert last is not None and last.passed and last.document_no == v.document_no
    assert last.certificate_id == v.certificate.pk  # issued after the verification, same write
    assert after.history.records == before.history.records  # not in the log yet
    ledger.log_integrate_all()
    logged = _page(registered)
    assert len(logged.history.records) > len(before.history.records)
    assert logged.version != after.version
    assert _kept([registered.pk]) == services.histories_current([registered.pk])


def test_a_failed_inspection_becomes_the_last_verification(world):
    scale = f.scale(
        world.approval,
        state=ScaleState.IN_SERVICE,
        m=world.market,
        stall=world.stall,
        valid_until=TODAY + dt.timedelta(days=100),
    )
    verification.verification_record(
        user=world.u_xihu, scale=scale, raw=readings(kind="in_service")
    )
    assert _page(scale).history.last_verification is None  # a pass changes nothing
    failed = verification.verification_record(
        user=world.u_xihu, scale=scale, raw=readings(kind="in_service", error_g="20")
    )
    last = _page(scale).history.last_verification
    assert last is not None and not last.passed and last.document_no == failed.document_no


def test_a_bare_verification_event_is_the_last_verification_without_a_record(world, registered):
    LifecycleEvent.objects.create(
        scale=registered,
        transition="pass_verification",
        from_state=ScaleState.REGISTERED,
        to_state=ScaleState.IN_SERVICE,
        at=timezone.now(),
        organisation=world.lab,
        document="JD-BARE-1",
    )
    last = _page(registered).history.last_verification
    assert last is not None and last.passed and last.document_no == "JD-BARE-1"


def test_other_transitions_do_not_write_the_history_again(world, registered):
    services.histories_refresh([registered.pk])
    kept = ScaleHistory.objects.get(pk=registered.pk).refreshed_at
    instrument_services.scale_transition(
        user=world.u_xihu, scale=registered, transition="seize", document="CF-1"
    )
    assert ScaleHistory.objects.get(pk=registered.pk).refreshed_at == kept


def test_reindexing_the_log_writes_every_history_again(world, registered):
    verification.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    ledger.log_integrate_all()
    right = _kept()
    ScaleHistory.objects.update(history="[null, null, []]")
    ledger.subjects_rebuild()
    assert _kept() == right == services.histories_current(None)


def test_the_migration_writes_the_history_of_every_existing_scale(world, registered):
    verification.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    ledger.log_integrate_all()
    right = services.histories_current(None)
    ScaleHistory.objects.all().delete()
    historical = MigrationLoader(connection).project_state(("portal", "0001_initial")).apps
    assert services.histories_refresh(None, registry=historical) == Scale.objects.count()
    assert _kept() == right


@pytest.mark.parametrize("ids", ["all", "listed"])
def test_many_scales_are_written_batch_by_batch(world, registered, monkeypatch, ids):
    for _ in range(4):
        f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)
    verification.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    ledger.log_integrate_all()
    right = services.histories_current(None)
    ScaleHistory.objects.all().delete()
    monkeypatch.setattr(services, "_BATCH", 2)
    every = sorted(Scale.objects.values_list("pk", flat=True))
    assert len(every) == 5
    written = services.histories_refresh(None if ids == "all" else every)
    assert written == 5
    assert _kept() == right
