"""The log audit: recompute the log from the database and name every row that disagrees.

What it checks, each finding naming the row (record type and id):

1. Every change record has exactly one leaf, and that leaf is what the record encodes today
   (a record edited, deleted or inserted by hand; a leaf whose data or hash was edited).
2. The tree recomputed from the leaf data, in index order, reproduces every stored tree hash and
   the root of every checkpoint; every checkpoint is signed by the log key and its columns say
   what its signed note says (a leaf edited or reordered, a tree hash or a checkpoint edited).
3. Every domain row (``ChangeLoggedModel``) is what its latest change record says it became, and
   every object whose latest record is not a delete still exists (a domain row edited, inserted
   or deleted without a change record).

It streams every table in chunks (``iterator``) and joins them in Python by merging sorted
streams, so memory stays flat on millions of rows: the tree is recomputed with its right border
only (one hash per level), not held in memory.

What it must never do: write anything. It reports; people repair.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from chengxin.core.changes import snapshot
from chengxin.core.choices import ChangeAction
from chengxin.core.models import ChangeLoggedModel, ChangeRecord

from . import keys, merkle, services
from .checkpoint import CheckpointError, open_checkpoint
from .models import Checkpoint, LogEntry, TreeHash
from .note import Ed25519Verifier

CHUNK_SIZE = 2000
MAX_FINDINGS = 1000
"""Findings kept per audit; a table rewritten wholesale must not exhaust memory in reporting."""

_T = TypeVar("_T")


@dataclass(frozen=True)
class Finding:
    """One row that disagrees with the log: ``model`` is the row's type, ``row`` names it."""

    model: str
    row: str
    problem: str

    def __str__(self) -> str:
        return f"{self.model} {self.row}: {self.problem}"


@dataclass
class _Report:
    findings: list[Finding] = field(default_factory=list)
    dropped: int = 0

    def add(self, model: str, row: str, problem: str) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding(model, row, problem))
        else:
            self.dropped += 1


def log_audit(*, chunk_size: int = CHUNK_SIZE) -> list[Finding]:
    """Run every check; an empty list means the database and the log agree."""
    report = _Report()
    _check_records_and_leaves(report, chunk_size)
    _check_tree_and_checkpoints(report, chunk_size)
    _check_domain_rows(report, chunk_size)
    if report.dropped:
        report.findings.append(
            Finding("audit", "-", f"{report.dropped} further findings not listed")
        )
    return report.findings


# --- 1. change records ↔ leaves -------------------------------------------------------------------


def _check_records_and_leaves(report: _Report, chunk_size: int) -> None:
    records = ChangeRecord.objects.order_by("id").iterator(
        chunk_size=chunk_size
    )  # merge-joined with the leaves on the record id, both in ascending order
    entries = (
        LogEntry.objects.order_by("record_id")
        .values_list("record_id", "index", "data", "leaf_hash", "salt")
        .iterator(chunk_size=chunk_size)
    )
    for record, entry in _merge(records, entries, lambda r: r.pk, lambda e: e[0]):
        if entry is None:
            assert record is not None
            report.add("core.changerecord", f"#{record.pk}", "has no leaf in the log (inserted?)")
            continue
        record_id, index, data, leaf_hash, salt = entry
        leaf = _leaf_name(index)
        data = bytes(data)
        if not hmac.compare_digest(bytes(leaf_hash), merkle.leaf_hash(data)):
            report.add(
                "ledger.logentry", f"{leaf} (record #{record_id})", "leaf hash ≠ hash of its data"
            )
        if record is None:
            report.add(
                "core.changerecord",
                f"#{record_id}",
                f"is missing but {leaf} records it (record deleted)",
            )
            continue
        try:
            expected = services.leaf_bytes(record, bytes(salt))
        except Exception as exc:  # A row so broken it cannot be encoded is itself a finding.
            report.add("core.changerecord", f"#{record.pk}", f"cannot be encoded as a leaf: {exc}")
            continue
        if not hmac.compare_digest(expected, data):
            report.add(
                "core.changerecord",
                f"#{record.pk}",
                f"differs from its {leaf} (the record or the leaf data was edited)",
            )


def _leaf_name(index: int | None) -> str:
    return "pending leaf" if index is None else f"leaf {index}"


# --- 2. leaves → tree → checkpoints ---------------------------------------------------------------


def _check_tree_and_checkpoints(report: _Report, chunk_size: int) -> None:
    origin = keys.origin()
    verifier = Ed25519Verifier.from_key(keys.verifier_key())
    entries = (
        LogEntry.objects.filter(index__isnull=False)
        .order_by("index")
        .values_list("index", "id", "record_id", "data")
        .iterator(chunk_size=chunk_size)
    )
    stored = _Peekable(
        TreeHash.objects.order_by("index").values_list("index", "hash").iterator(chunk_size)
    )
    checkpoints = _Peekable(
        Checkpoint.objects.order_by("size")
        .values_list("id", "size", "root_hash", "note")
        .iterator(chunk_size=chunk_size)
    )

    border: list[bytes] = []  # Hashes of the perfect subtrees along the right edge, left first.
    size = 0
    next_storage = 0
    last_entry_id = 0
    _check_checkpoints_at(report, checkpoints, 0, merkle.EMPTY_ROOT_HASH, origin, verifier)
    for index, entry_id, record_id, data in entries:
        assert index is not None  # Filtered above; sorted and unique, so index ≥ size.
        if index != size:
            report.add(
                "ledger.logentry",
                f"leaf {index} (record #{record_id})",
                f"follows leaf {size - 1}: leaves {size}…{index - 1} are missing; "
                "tree not checked further",
            )
            return
        if entry_id < last_entry_id:
            report.add(
                "ledger.logentry",
                f"leaf {index} (record #{record_id})",
                "is out of order: queued before the leaf preceding it (leaves reordered?)",
            )
        last_entry_id = entry_id
        # Append the leaf as the sequencer did: the leaf hash, then each subtree it completes.
        h = merkle.leaf_hash(bytes(data))
        new_hashes = [h]
        n = index
        while n & 1:
            h = merkle.node_hash(border.pop(), h)
            new_hashes.append(h)
            n >>= 1
        border.append(h)
        for level, expected in enumerate(new_hashes):
            _check_stored_hash(report, stored, next_storage, expected, level, index, record_id)
            next_storage += 1
        size += 1
        root = border[-1]
        for sibling in reversed(border[:-1]):
            root = merkle.node_hash(sibling, root)
        _check_checkpoints_at(report, checkpoints, size, root, origin, verifier)

    for storage_index, _ in stored:
        report.add("ledger.treehash", f"#{storage_index}", f"lies beyond the tree of {size} leaves")
    for checkpoint_id, cp_size, *_ in checkpoints:
        report.add(
            "ledger.checkpoint",
            f"#{checkpoint_id} (size {cp_size})",
            f"is larger than the tree of {size} leaves",
        )


def _check_stored_hash(
    report: _Report,
    stored: _Peekable[tuple[int, Any]],
    storage_index: int,
    expected: bytes,
    level: int,
    leaf_index: int,
    record_id: int,
) -> None:
    while (row := stored.peek()) is not None and row[0] < storage_index:
        next(stored)  # Cannot happen with a primary key on index; kept for safety.
    row = stored.peek()
    if row is None or row[0] != storage_index:
        report.add("ledger.treehash", f"#{storage_index}", "is missing")
        return
    next(stored)
    if hmac.compare_digest(bytes(row[1]), expected):
        return
    if level == 0:
        where = f"leaf {leaf_index} (record #{record_id})"
        problem = f"≠ the hash of {where}: the stored hash was edited, or the leaves reordered"
    else:
        node = leaf_index >> level
        problem = f"(level {level}, node {node}) ≠ the hash recomputed from the leaves"
    report.add("ledger.treehash", f"#{storage_index}", problem)


def _check_checkpoints_at(
    report: _Report,
    checkpoints: _Peekable[tuple[int, int, Any, str]],
    size: int,
    root: bytes,
    origin: str,
    verifier: Ed25519Verifier,
) -> None:
    while (row := checkpoints.peek()) is not None and row[1] <= size:
        next(checkpoints)
        checkpoint_id, cp_size, root_hash, note = row
        name = f"#{checkpoint_id} (size {cp_size})"
        if cp_size < 0:
            report.add("ledger.checkpoint", name, "has a negative size")
            continue
        try:
            signed = open_checkpoint(note, origin=origin, log_verifiers=[verifier]).checkpoint
        except CheckpointError as exc:
            report.add("ledger.checkpoint", name, f"signed note does not verify: {exc}")
            signed = None
        if signed is not None and (signed.size, signed.root_hash) != (cp_size, bytes(root_hash)):
            report.add("ledger.checkpoint", name, "size or root differs from its signed note")
        if cp_size < size:
            continue  # Already reported: sizes below are reached first, unless out of order.
        if not hmac.compare_digest(bytes(root_hash), root) or (
            signed is not None and signed.root_hash != root
        ):
            report.add("ledger.checkpoint", name, "root ≠ the root recomputed from the leaves")


# --- 3. domain rows ↔ their latest change record --------------------------------------------------


def _check_domain_rows(report: _Report, chunk_size: int) -> None:
    for model in _change_logged_models():
        label = model._meta.label_lower
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        records = ChangeRecord.objects.filter(content_type=content_type)
        # Rows → their latest record: every row must be what its record says it became.
        rows = model._base_manager.order_by("pk").iterator(chunk_size=chunk_size)
        for chunk in _chunks(rows, chunk_size):
            latest = _latest_records(records, [str(obj.pk) for obj in chunk])
            for obj in chunk:
                found = latest.get(str(obj.pk))
                name = f"#{obj.pk}"
                if found is None:
                    report.add(label, name, "has no change record (inserted by hand?)")
                elif found[1] == ChangeAction.DELETE:
                    report.add(label, name, f"exists, but change record #{found[0]} deleted it")
                elif changed := _changed_fields(model, found[2], snapshot(obj)):
                    report.add(
                        label,
                        name,
                        f"differs from its latest change record #{found[0]} in "
                        f"{', '.join(changed)} (edited by hand?)",
                    )
        # Records → rows: every object whose latest record is not a delete must exist.
        object_ids = (
            records.order_by("object_id")
            .values_list("object_id", flat=True)
            .distinct()
            .iterator(chunk_size=chunk_size)
        )
        for chunk_ids in _chunks(object_ids, chunk_size):
            existing = {str(pk) for pk in _existing_pks(model, chunk_ids)}
            missing = [object_id for object_id in chunk_ids if object_id not in existing]
            if not missing:
                continue
            for object_id, (record_id, action, _) in _latest_records(records, missing).items():
                if action != ChangeAction.DELETE:
                    report.add(
                        label,
                        f"#{object_id}",
                        f"is missing, but its latest change record #{record_id} is an {action} "
                        "(deleted by hand?)",
                    )


def _change_logged_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, ChangeLoggedModel) and not model._meta.proxy
    ]


def _latest_records(
    records: models.QuerySet[ChangeRecord], object_ids: list[str]
) -> dict[str, tuple[int, str, Any]]:
    """object id → (record id, action, after) of its latest change record."""
    latest: dict[str, tuple[int, str, Any]] = {}
    rows = (
        records.filter(object_id__in=object_ids)
        .order_by("object_id", "id")
        .values_list("object_id", "id", "action", "after")
    )
    for object_id, record_id, action, after in rows:
        latest[object_id] = (record_id, action, after)  # Ascending ids: the last one wins.
    return latest


def _existing_pks(model: type[models.Model], object_ids: list[str]) -> list[Any]:
    pks = []
    for object_id in object_ids:
        try:
            pks.append(model._meta.pk.to_python(object_id))
        except ValidationError:
            continue  # An id that cannot be a primary key names no row.
    return list(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True))


def _changed_fields(model: type[models.Model], recorded: Any, current: dict[str, Any]) -> list[str]:
    """Fields whose current value is not the recorded one, compared as the field's values.

    A snapshot taken at save time holds what the code assigned (``Decimal("15")``), a row read
    back holds what the column keeps (``Decimal("15.000")``): equal values, different text.
    """
    if not isinstance(recorded, dict):
        return ["every field"]
    fields = {f.attname: f for f in model._meta.concrete_fields}
    changed = []
    for name in sorted(recorded.keys() | current.keys()):
        old, new = recorded.get(name), current.get(name)
        if old == new:
            continue
        field_ = fields.get(name)
        try:
            if field_ is not None and field_.to_python(old) == field_.to_python(new):
                continue
        except (ValidationError, TypeError, ValueError):
            pass
        changed.append(name)
    return changed


# --- streams --------------------------------------------------------------------------------------


class _Peekable(Iterator[_T]):
    def __init__(self, iterable: Iterable[_T]) -> None:
        self._it = iter(iterable)
        self._head: list[_T] = []

    def peek(self) -> _T | None:
        if not self._head:
            try:
                self._head.append(next(self._it))
            except StopIteration:
                return None
        return self._head[0]

    def __next__(self) -> _T:
        if self._head:
            return self._head.pop()
        return next(self._it)


def _merge(
    left: Iterable[Any],
    right: Iterable[Any],
    left_key: Callable[[Any], int],
    right_key: Callable[[Any], int],
) -> Iterator[tuple[Any, Any]]:
    """Full outer join of two streams sorted by unique keys: (left or None, right or None)."""
    a, b = _Peekable(left), _Peekable(right)
    while True:
        x, y = a.peek(), b.peek()
        if x is None and y is None:
            return
        if y is None or (x is not None and left_key(x) < right_key(y)):
            yield next(a), None
        elif x is None or right_key(y) < left_key(x):
            yield None, next(b)
        else:
            yield next(a), next(b)


def _chunks(iterable: Iterable[_T], size: int) -> Iterator[list[_T]]:
    chunk: list[_T] = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
