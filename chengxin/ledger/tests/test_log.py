"""The log as the platform keeps it: leaves with their records, the sequencer, checkpoints."""

from __future__ import annotations

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
    before = set(Subject.objects.values_list("key", "leaf_index"))
    services.subjects_rebuild()
    assert set(Subject.objects.values_list("key", "leaf_index")) == before


def test_a_leaf_must_be_canonical_unless_it_was_checked_at_integration() -> None:
    leaf = {"type": leaves.LEAF_TYPE, "v": leaves.LEAF_VERSION, "model": "instruments.scale"}
    canonical = leaves.canonical_json(leaf)
    spaced = canonical.replace(b",", b", ")
    assert leaves.parse_leaf(canonical) == leaf
    with pytest.raises(leaves.LeafError, match="canonical"):
        leaves.parse_leaf(spaced)
    assert leaves.parse_leaf(spaced, check_canonical=False) == leaf
    with pytest.raises(leaves.LeafError):
        leaves.parse_leaf(b"{not json", check_canonical=False)
