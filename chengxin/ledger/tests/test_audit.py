"""`chengxin log audit`: clean data passes; every kind of tampering is found and the row named."""

# Tampering needs raw SQL; table names come from model metadata, values are parameters.
# ruff: noqa: S608

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.db import connection

from chengxin.core.models import ChangeRecord
from chengxin.instruments.models import Scale
from chengxin.ledger import audit, merkle, services, tasks
from chengxin.ledger.models import Checkpoint, LogEntry, TreeHash
from chengxin.markets.models import Stall, Vendor
from chengxin.organizations.models import Organisation
from chengxin.testing import factories as f

from .conftest import add_stalls

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited(world):
    """A log of a few hundred leaves in several checkpoints, one scale among them."""
    world.scale = f.scale(world.approval)
    services.log_integrate(limit=20)
    add_stalls(world.market, 40)
    services.log_integrate_all()
    assert audit.log_audit() == []
    return world


def _sql(statement: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _found(*words: str) -> list[str]:
    findings = [str(x) for x in audit.log_audit()]
    assert findings, "the audit found nothing"
    matching = [x for x in findings if all(w in x for w in words)]
    assert matching, f"no finding with {words} in {findings}"
    return findings


def _record_of(instance) -> ChangeRecord:
    return (
        ChangeRecord.objects.filter(object_id=str(instance.pk))
        .order_by("-id")
        .filter(content_type__model=instance._meta.model_name)
        .first()
    )


def test_clean_data_passes_even_in_tiny_chunks(audited):
    assert audit.log_audit(chunk_size=3) == []


def test_clean_data_passes_with_pending_leaves(audited):
    f.stall(audited.market)
    assert audit.log_audit() == []


def test_a_for_a_change_record_edited_by_hand(audited):
    record = _record_of(audited.vendor)
    _sql(f"UPDATE {_table(ChangeRecord)} SET source = %s WHERE id = %s", ["web", record.pk])
    _found("core.changerecord", f"#{record.pk}", "differs from its leaf")


def test_b_for_a_change_record_deleted(audited):
    record = _record_of(audited.stall)
    _sql(f"DELETE FROM {_table(ChangeRecord)} WHERE id = %s", [record.pk])
    index = LogEntry.objects.get(record_id=record.pk).index
    _found("core.changerecord", f"#{record.pk}", f"leaf {index}", "deleted")


def test_c_for_a_change_record_inserted_without_a_leaf(audited):
    forged = ChangeRecord.objects.create(  # saves a row but skips the change-record mechanism
        action="update",
        content_type=_record_of(audited.vendor).content_type,
        object_id=str(audited.vendor.pk),
        object_repr="forged",
        after=Vendor.objects.get(pk=audited.vendor.pk).snapshot(),
    )
    _found("core.changerecord", f"#{forged.pk}", "has no leaf")


def test_d_for_a_leafs_data_edited(audited):
    entry = LogEntry.objects.get(index=5)
    data = bytes(entry.data).replace(b'"action":"create"', b'"action":"update"')
    assert data != bytes(entry.data)
    _sql(f"UPDATE {_table(LogEntry)} SET data = %s WHERE id = %s", [data, entry.pk])
    _found("ledger.logentry", "leaf 5", "leaf hash ≠ hash of its data")
    _found("core.changerecord", f"#{entry.record_id}", "leaf 5")


def test_d_for_a_leafs_data_and_hash_edited_together(audited):
    entry = LogEntry.objects.get(index=5)
    data = bytes(entry.data).replace(b'"action":"create"', b'"action":"update"')
    _sql(
        f"UPDATE {_table(LogEntry)} SET data = %s, leaf_hash = %s WHERE id = %s",
        [data, merkle.leaf_hash(data), entry.pk],
    )
    findings = _found("core.changerecord", f"#{entry.record_id}", "leaf 5")
    assert any("ledger.treehash" in x and "leaf 5" in x for x in findings)
    assert any("ledger.checkpoint" in x and "recomputed" in x for x in findings)


def test_d_for_two_leaves_reordered(audited):
    a, b = LogEntry.objects.get(index=10), LogEntry.objects.get(index=11)
    table = _table(LogEntry)
    index = connection.ops.quote_name("index")
    _sql(f"UPDATE {table} SET {index} = -1 WHERE id = %s", [a.pk])
    _sql(f"UPDATE {table} SET {index} = 10 WHERE id = %s", [b.pk])
    _sql(f"UPDATE {table} SET {index} = 11 WHERE id = %s", [a.pk])
    findings = _found("ledger.logentry", "leaf 11", "out of order")
    assert any("ledger.treehash" in x and "leaf 10" in x for x in findings)
    assert any("ledger.checkpoint" in x for x in findings)


def test_e_for_a_tree_hash_edited(audited):
    storage_index = merkle.stored_hash_index(2, 1)  # an interior node: leaves 4…7
    _sql(
        f"UPDATE {_table(TreeHash)} SET hash = %s WHERE {connection.ops.quote_name('index')} = %s",
        [b"\x00" * 32, storage_index],
    )
    _found("ledger.treehash", f"#{storage_index}", "level 2")


def test_f_for_a_domain_row_edited_by_hand(audited):
    _sql(f"UPDATE {_table(Vendor)} SET name = %s WHERE id = %s", ["李四", audited.vendor.pk])
    _found("markets.vendor", f"#{audited.vendor.pk}", "name")


def test_f_for_a_scale_and_an_organisation_edited_by_hand(audited):
    _sql(f"UPDATE {_table(Scale)} SET serial = %s WHERE id = %s", ["SN-X", audited.scale.pk])
    _sql(f"UPDATE {_table(Organisation)} SET name = %s WHERE id = %s", ["X", audited.maker.pk])
    findings = _found("instruments.scale", f"#{audited.scale.pk}", "serial")
    assert any(f"organizations.organisation #{audited.maker.pk}" in x for x in findings)


def test_f_for_a_domain_row_deleted_by_hand(audited):
    stall = Stall.objects.order_by("-id").first()
    _sql(f"DELETE FROM {_table(Stall)} WHERE id = %s", [stall.pk])
    _found("markets.stall", f"#{stall.pk}", "is missing")


def test_f_for_a_domain_row_inserted_by_hand(audited):
    [stall] = Stall.objects.bulk_create([Stall(market=audited.market, number="ZZ9")])
    _found("markets.stall", f"#{stall.pk}", "no change record")


def test_a_properly_deleted_row_is_fine(audited):
    Stall.objects.order_by("-id").first().delete()
    services.log_integrate_all()
    assert audit.log_audit() == []


def test_g_for_a_checkpoint_root_edited(audited):
    checkpoint = Checkpoint.objects.order_by("size")[1]
    _sql(
        f"UPDATE {_table(Checkpoint)} SET root_hash = %s WHERE id = %s",
        [b"\x01" * 32, checkpoint.pk],
    )
    _found("ledger.checkpoint", f"#{checkpoint.pk}", "differs from its signed note")


def test_g_for_a_checkpoint_note_edited(audited):
    checkpoint = Checkpoint.objects.order_by("size")[1]
    note = checkpoint.note.replace(f"\n{checkpoint.size}\n", f"\n{checkpoint.size + 1}\n")
    _sql(f"UPDATE {_table(Checkpoint)} SET note = %s WHERE id = %s", [note, checkpoint.pk])
    _found("ledger.checkpoint", f"#{checkpoint.pk}", "does not verify")


def test_the_command_passes_on_clean_data(audited, capsys):
    call_command("log", "audit")
    assert "log audit passed" in capsys.readouterr().out


def test_the_command_names_the_row_and_exits_non_zero(audited, capsys):
    _sql(f"UPDATE {_table(Vendor)} SET name = %s WHERE id = %s", ["李四", audited.vendor.pk])
    with pytest.raises(SystemExit) as exit_:
        call_command("log", "audit")
    assert exit_.value.code == 1
    assert f"markets.vendor #{audited.vendor.pk}" in capsys.readouterr().out


def test_the_daily_task_logs_findings_at_error(audited, caplog):
    _sql(f"UPDATE {_table(Vendor)} SET name = %s WHERE id = %s", ["李四", audited.vendor.pk])
    with caplog.at_level(logging.INFO, logger="chengxin.ledger.audit"):
        result = tasks.log_audit_daily.enqueue()
    assert result.return_value >= 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"markets.vendor #{audited.vendor.pk}" in r.getMessage() for r in errors)


def test_the_daily_task_is_quiet_on_clean_data(audited, caplog):
    with caplog.at_level(logging.INFO, logger="chengxin.ledger.audit"):
        assert tasks.log_audit_daily.enqueue().return_value == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
