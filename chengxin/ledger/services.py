"""Writing to the log: pending leaves (with each change record) and the sequencer.

``log_append_change_records`` runs inside the transaction that writes the change records, so a
record and its pending leaf commit together or not at all. ``log_integrate`` is the only code
that gives leaves an index, stores tree hashes and signs checkpoints; it does all of one batch in
one transaction, so killing it at any point leaves either the old tree or the new one.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.db import connection, connections, transaction
from django.dispatch import Signal
from django.utils import timezone

from chengxin.core.models import ChangeRecord

from . import keys, leaves, merkle
from .checkpoint import Checkpoint as CheckpointBody
from .checkpoint import sign_checkpoint
from .models import Checkpoint, LogEntry, Subject


def _model_of(content_type_id: int) -> tuple[str, tuple[str, ...]]:
    """``app.model`` and the personal fields of the model a change record is about."""
    from django.contrib.contenttypes.models import ContentType

    # ContentType's own cache makes this a dictionary lookup after the first call.
    ct = ContentType.objects.get_for_id(content_type_id)
    return _described(ct.app_label, ct.model)


@functools.cache
def _described(app_label: str, model_name: str) -> tuple[str, tuple[str, ...]]:
    # Per model, once: a bulk path (demo seeding) describes tens of thousands of records.
    model = apps.get_model(app_label, model_name)
    return f"{app_label}.{model_name}", tuple(getattr(model, "personal_fields", ()))


def leaf_bytes(record: ChangeRecord, salt: bytes) -> bytes:
    """The v1 leaf of ``record`` (also what the audit recomputes)."""
    model, personal = _model_of(record.content_type_id)
    return leaves.change_leaf(
        record_id=record.pk,
        time=record.time,
        model=model,
        object_id=record.object_id,
        action=record.action,
        actor=record.user_name or None,
        source=record.source,
        request_id=record.request_id,
        before=record.before,
        after=record.after,
        personal_fields=personal,
        salt=salt,
    )


def log_append_change_records(records: Sequence[ChangeRecord]) -> None:
    """Queue one pending leaf per change record (called by the change-record mechanism).

    Bulk paths (registration batches, demo seeding) hand over thousands of records at once;
    those rows go in with one ``executemany`` rather than the ORM's per-object machinery.
    """
    now = timezone.now()
    rows = []
    for record in records:
        salt = os.urandom(leaves.SALT_BYTES)
        data = leaf_bytes(record, salt)
        rows.append((record.pk, data, merkle.leaf_hash(data), salt, now))
    if not rows:
        return
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q('ledger_logentry')} (record_id, data, leaf_hash, salt, created_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        elif connection.vendor == "postgresql":
            # One statement with the rows as arrays: psycopg's executemany is per-row Python.
            cursor.execute(
                f"INSERT INTO {q('ledger_logentry')} "  # noqa: S608
                "(record_id, data, leaf_hash, salt, created_at) "
                "SELECT r, d, h, s, %s FROM unnest(%s::bigint[], %s::bytea[], %s::bytea[], "
                "%s::bytea[]) AS u(r, d, h, s)",
                [now, *map(list, zip(*[row[:4] for row in rows], strict=True))],
            )
        else:
            cursor.executemany(sql, rows)


class DatabaseHashReader:
    """Stored tree hashes by storage index, with the batch being written kept in memory."""

    def __init__(self) -> None:
        self.pending: dict[int, bytes] = {}
        self._table = connection.ops.quote_name("ledger_treehash")
        self._index = connection.ops.quote_name("index")

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        pending = self.pending
        missing = [i for i in indexes if i not in pending] if pending else list(indexes)
        found: dict[int, bytes] = {}
        if missing:
            placeholders = ",".join(["%s"] * len(missing))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {self._index}, hash FROM {self._table} "  # noqa: S608 (names quoted)
                    f"WHERE {self._index} IN ({placeholders})",
                    missing,
                )
                found = {index: bytes(hash_) for index, hash_ in cursor.fetchall()}
        if pending:
            found = {**found, **{i: pending[i] for i in indexes if i in pending}}
        try:
            return [found[i] for i in indexes]
        except KeyError as exc:
            missing_index = exc.args[0]
            raise merkle.ProofError(
                f"stored hash {missing_index} is missing from the database"
            ) from None


def tree_size() -> int:
    last = (
        LogEntry.objects.filter(index__isnull=False)
        .order_by("-index")
        .values_list("index", flat=True)
        .first()
    )
    return 0 if last is None else last + 1


SubjectRow = tuple[str, int, str, datetime.datetime | None]
"""One content-index row: key, leaf index, what the leaf records, its time."""


def _subject_rows(index: int, data: bytes) -> list[SubjectRow]:
    """The content-index rows of leaf ``index``, from its bytes alone."""
    entries = leaves.index_entries(leaves.parse_leaf(data))
    return [(key, index, kind, at) for key, kind, at in entries]


subjects_written = Signal()
"""Sent inside the writing transaction once content-index rows are written, with ``keys``: the
keys that have new rows (None when the whole index was written again) and ``using``. What is
derived from the index (a scale's public history) is written again by its receivers."""


def _lock_sequencer() -> None:
    # SQLite serialises writers already (IMMEDIATE transactions); PostgreSQL needs a lock so
    # that two sequencers never number the same leaves.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(8125301)")


def log_integrate(*, limit: int = 50_000) -> int:
    """Give pending leaves their index, extend the tree, sign a checkpoint; return how many."""
    with transaction.atomic():
        _lock_sequencer()
        size = tree_size()
        pending = list(
            LogEntry.objects.filter(index__isnull=True)
            .order_by("id")
            .values_list("id", "leaf_hash", "data")[:limit]
        )
        if not pending and Checkpoint.objects.filter(size=size).exists():
            return 0
        reader = DatabaseHashReader()
        next_storage = merkle.stored_hash_count(size)
        # One read of the tree's right border for the whole batch (not one per leaf).
        new_hashes = merkle.append_stored_hashes(
            size, [bytes(leaf_hash) for _, leaf_hash, _ in pending], reader
        )
        tree_indexes = range(next_storage, next_storage + len(new_hashes))
        reader.pending.update(zip(tree_indexes, new_hashes, strict=True))
        now = timezone.now()
        entry_ids = [entry_id for entry_id, _, _ in pending]
        leaf_indexes = range(size, size + len(pending))
        subject_rows = [
            row
            for offset, (_, _, data) in enumerate(pending)
            for row in _subject_rows(size + offset, bytes(data))
        ]
        _write_batch(now, entry_ids, leaf_indexes, tree_indexes, new_hashes, subject_rows)
        subjects_written.send(
            Subject, keys={row[0] for row in subject_rows}, using=connection.alias
        )
        new_size = size + len(pending)
        checkpoint_sign(new_size, merkle.tree_hash(new_size, reader))
    return len(pending)


def _write_batch(
    now: datetime.datetime,
    entry_ids: list[int],
    leaf_indexes: Sequence[int],
    tree_indexes: Sequence[int],
    tree_hashes: list[bytes],
    subject_rows: list[SubjectRow],
) -> None:
    """Write one integration batch: leaf indexes, new tree hashes, content-index rows.

    PostgreSQL gets one statement per table with the rows as arrays (``unnest``): psycopg's
    ``executemany`` costs a round of Python work per row, which made it the bottleneck there.
    SQLite's ``executemany`` runs in C and is the fastest way in.
    """
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {q('ledger_logentry')} AS e SET {q('index')} = u.i, integrated_at = %s "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[]) AS u(id, i) WHERE e.id = u.id",
                [now, entry_ids, list(leaf_indexes)],
            )
            cursor.execute(
                f"INSERT INTO {q('ledger_treehash')} ({q('index')}, hash) "  # noqa: S608
                "SELECT * FROM unnest(%s::bigint[], %s::bytea[])",
                [list(tree_indexes), tree_hashes],
            )
            cursor.execute(
                f"INSERT INTO {q('ledger_subject')} "  # noqa: S608
                f"({q('key')}, leaf_index, leaf_kind, leaf_time) SELECT * FROM "
                "unnest(%s::varchar[], %s::bigint[], %s::varchar[], %s::timestamptz[])",
                [[row[column] for row in subject_rows] for column in range(4)],
            )
            return
        cursor.executemany(
            f"UPDATE {q('ledger_logentry')} SET {q('index')} = %s, integrated_at = %s "  # noqa: S608
            "WHERE id = %s",
            [(i, now, entry_id) for i, entry_id in zip(leaf_indexes, entry_ids, strict=True)],
        )
        cursor.executemany(
            f"INSERT INTO {q('ledger_treehash')} ({q('index')}, hash) VALUES (%s, %s)",  # noqa: S608
            list(zip(tree_indexes, tree_hashes, strict=True)),
        )
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"INSERT INTO {q('ledger_subject')} ({q('key')}, leaf_index, leaf_kind, leaf_time) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            [(key, index, kind, adapt(at)) for key, index, kind, at in subject_rows],
        )


def checkpoint_sign(size: int, root: bytes) -> Checkpoint:
    body = CheckpointBody(origin=keys.origin(), size=size, root_hash=root)
    note = sign_checkpoint(body, [keys.log_signer()])
    return Checkpoint.objects.create(size=size, root_hash=root, note=note)


def log_integrate_all(*, batch: int = 50_000) -> int:
    total = 0
    while True:
        done = log_integrate(limit=batch)
        total += done
        if done < batch:
            return total


def subjects_rebuild() -> int:
    """Rebuild the content index from the leaves alone."""
    with transaction.atomic():
        content_index_rebuild(LogEntry, Subject, connection.alias)
        subjects_written.send(Subject, keys=None, using=connection.alias)
    return Subject.objects.count()


_REBUILD_BATCH = 10_000


def content_index_rebuild(log_entry: Any, subject: Any, using: str) -> None:
    """Empty the content index and write it again from the integrated leaves alone.

    It takes the two models so that migration ``ledger.0003`` runs it with its historical
    ones. On PostgreSQL the old rows go with TRUNCATE, which leaves no dead row versions behind
    (tens of millions on a large log).
    """
    db = connections[using]
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute(f"TRUNCATE {db.ops.quote_name(subject._meta.db_table)}")
    else:
        subject.objects.using(using).all().delete()
    rows: list[Any] = []
    integrated = log_entry.objects.using(using).filter(index__isnull=False).order_by("index")
    for index, data in integrated.values_list("index", "data").iterator(chunk_size=5_000):
        rows.extend(
            subject(key=key, leaf_index=leaf_index, leaf_kind=kind, leaf_time=at)
            for key, leaf_index, kind, at in _subject_rows(index, bytes(data))
        )
        if len(rows) >= _REBUILD_BATCH:
            subject.objects.using(using).bulk_create(rows)
            rows = []
    subject.objects.using(using).bulk_create(rows)
