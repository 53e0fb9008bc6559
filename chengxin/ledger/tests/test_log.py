"""The log as the platform keeps it: leaves with their records, the sequencer, checkpoints."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.db import transaction

from chengxin.core.models import ChangeRecord
from chengxin.ledger import keys, leaves, merkle, services
from chengxin.ledger.checkpoint import open_checkpoint
from chengxin.ledger.models import Checkpoint, LogEntry, Subject
from chengxin.ledger.note import Ed25519Verifier
from chengxin.markets.models import Vendor
from chengxin.testing import factories as f


def _integrated_hashes() -> list[bytes]:
    return [
        bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]


def test_every_change_record_gets_exactly_one_pending_leaf(world):
    assert LogEntry.objects.count() == ChangeRecord.objects.count() > 0
    assert not LogEntry.objects.filter(index__isnull=False).exists()


def test_integration_numbers_leaves_in_order_and_signs_the_root(world):
    count = services.log_integrate_all()
    assert count == LogEntry.objects.count()
    indexes = list(LogEntry.objects.order_by("id").values_list("index", flat=True))
    assert indexes == list(range(count))
    checkpoint = Checkpoint.objects.latest()
    assert checkpoint.size == count
    assert bytes(checkpoint.root_hash) == merkle.root_hash(_integrated_hashes())
    verifier = Ed25519Verifier.from_key(keys.verifier_key())
    opened = open_checkpoint(checkpoint.note, log_verifiers=[verifier], origin=keys.origin())
    assert opened.checkpoint.size == count


def test_integration_in_small_batches_gives_the_same_tree(world):
    while services.log_integrate(limit=7):
        pass
    assert bytes(Checkpoint.objects.latest().root_hash) == merkle.root_hash(_integrated_hashes())
    sizes = list(Checkpoint.objects.order_by("size").values_list("size", flat=True))
    assert sizes == sorted(set(sizes)) and len(sizes) > 3


def test_proofs_from_the_database_verify(world):
    services.log_integrate(limit=13)
    old = Checkpoint.objects.latest()
    services.log_integrate_all()
    new = Checkpoint.objects.latest()
    reader = services.DatabaseHashReader()
    for index, leaf_hash in enumerate(_integrated_hashes()):
        proof = merkle.prove_record(new.size, index, reader)
        merkle.verify_inclusion(index, new.size, leaf_hash, proof, bytes(new.root_hash))
    proof = merkle.prove_tree(new.size, old.size, reader)
    merkle.verify_consistency(old.size, new.size, proof, bytes(old.root_hash), bytes(new.root_hash))


def test_a_rolled_back_change_leaves_no_leaf(world):
    before = LogEntry.objects.count()

    def create_then_fail() -> None:
        with transaction.atomic():
            f.organisation("manufacturer")
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert LogEntry.objects.count() == before


def test_a_sequencer_that_dies_mid_batch_changes_nothing(world, monkeypatch):
    def die(*args, **kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(services, "checkpoint_sign", die)
    with pytest.raises(SystemExit):
        services.log_integrate_all()
    assert not LogEntry.objects.filter(index__isnull=False).exists()
    assert not Checkpoint.objects.exists()
    monkeypatch.undo()
    assert services.log_integrate_all() == LogEntry.objects.count()


def test_leaves_carry_commitments_not_personal_data(world):
    vendor = Vendor.objects.get(pk=world.vendor.pk)
    services.log_integrate_all()
    blob = b"".join(bytes(d) for d in LogEntry.objects.values_list("data", flat=True))
    for secret in (vendor.name, vendor.phone, vendor.id_number, world.u_operator.username):
        assert secret.encode() not in blob
    record = ChangeRecord.objects.get(content_type__model="vendor", object_id=str(vendor.pk))
    entry = LogEntry.objects.get(record=record)
    leaf = leaves.parse_leaf(bytes(entry.data))
    expected = leaves.commitment(bytes(entry.salt), "phone", vendor.phone)
    assert leaf["after"]["phone"] == {"commitment": expected}


def test_the_content_index_finds_a_scales_leaves_and_rebuilds_from_leaves(world):
    scale = f.scale(world.approval)
    services.log_integrate_all()
    by_code = set(
        Subject.objects.filter(key=f"scale:{scale.code}").values_list("leaf_index", flat=True)
    )
    by_object = set(
        Subject.objects.filter(key=f"object:instruments.scale:{scale.pk}").values_list(
            "leaf_index", flat=True
        )
    )
    assert by_code and by_code < by_object  # the event leaf is found through the scale's id
    columns = ("key", "leaf_index", "leaf_kind", "leaf_time")
    before = set(Subject.objects.values_list(*columns))
    services.subjects_rebuild()
    assert set(Subject.objects.values_list(*columns)) == before


def test_each_index_row_says_what_its_leaf_records_and_when(world):
    """The content index carries each leaf's kind and time, exactly as the leaf says them."""
    scale = f.scale(world.approval)
    services.log_integrate_all()
    rows = Subject.objects.filter(key=f"object:instruments.scale:{scale.pk}")
    data = dict(LogEntry.objects.filter(index__isnull=False).values_list("index", "data"))
    kinds = set()
    for index, kind, at in rows.values_list("leaf_index", "leaf_kind", "leaf_time"):
        leaf = leaves.parse_leaf(bytes(data[index]))
        assert kind == leaves.kind(leaf)
        assert at is not None and leaves.utc_text(at) == leaf["time"]
        kinds.add(kind)
    # The scale's creation and its first lifecycle step (production registration).
    assert "instruments.scale create" in kinds
    assert any(k.startswith("instruments.lifecycleevent create ") for k in kinds)


def test_the_migration_rebuilds_the_index_with_kinds_and_times(world):
    """Migration 0003 fills the new columns of an index written before them."""
    from django.apps import apps as current_apps
    from django.db import connection

    migration = importlib.import_module(
        "chengxin.ledger.migrations.0003_subject_leaf_kind_and_time"
    )
    f.scale(world.approval)
    services.log_integrate_all()
    columns = ("key", "leaf_index", "leaf_kind", "leaf_time")
    expected = set(Subject.objects.values_list(*columns))
    Subject.objects.update(leaf_kind="", leaf_time=None)  # as the migration finds it
    Subject.objects.filter(pk=Subject.objects.order_by("pk").values("pk")[:1]).delete()

    migration.rebuild_index(current_apps, SimpleNamespace(connection=connection))

    assert set(Subject.objects.values_list(*columns)) == expected


def test_a_leaf_must_be_canonical() -> None:
    leaf = {"type": leaves.LEAF_TYPE, "v": leaves.LEAF_VERSION, "model": "instruments.scale"}
    canonical = leaves.canonical_json(leaf)
    assert leaves.parse_leaf(canonical) == leaf
    with pytest.raises(leaves.LeafError, match="canonical"):
        leaves.parse_leaf(canonical.replace(b",", b", "))
    with pytest.raises(leaves.LeafError):
        leaves.parse_leaf(b"{not json")


def test_a_leafs_kind_names_model_action_and_the_step_it_records() -> None:
    def leaf(model: str, action: str, after: dict[str, object] | None) -> dict[str, object]:
        return {"model": model, "action": action, "after": after, "before": None}

    event = leaf("instruments.lifecycleevent", "create", {"transition": "pass_verification"})
    assert leaves.kind(event) == "instruments.lifecycleevent create pass_verification"
    moved = leaf("instruments.scale", "transition", {"state": "in_service", "code": "X"})
    assert leaves.kind(moved) == "instruments.scale transition in_service"
    edited = leaf("instruments.scale", "update", {"state": "in_service"})
    assert leaves.kind(edited) == "instruments.scale update"  # a state, but not a transition
    deleted = {"model": "markets.stall", "action": "delete", "after": None, "before": {"n": 1}}
    assert leaves.kind(deleted) == "markets.stall delete"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T08:40:00.000001Z", dt.datetime(2026, 11, 26, 8, 40, 0, 1, tzinfo=dt.UTC)),
        ("2026-11-26 08:40:00+00", dt.datetime(2026, 11, 26, 8, 40, tzinfo=dt.UTC)),  # PostgreSQL
        ("2026-11-26 08:40:00", dt.datetime(2026, 11, 26, 8, 40, tzinfo=dt.UTC)),  # SQLite
        ("2026-11-26T16:40:00+08:00", dt.datetime(2026, 11, 26, 8, 40, tzinfo=dt.UTC)),
        ("yesterday", None),
        (None, None),
        (20261126, None),
    ],
)
def test_times_parse_from_leaves_and_from_database_text(text: object, expected: object) -> None:
    assert leaves.parse_time(text) == expected
