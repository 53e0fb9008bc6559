"""Leaf format v1: the canonical bytes of one change record, as published in the log.

Pure module, no Django: an outside verifier must be able to rebuild a leaf from the record it
was shown and check its hash. It must never put personal data in a leaf: people appear only as
salted commitments (HMAC-SHA-256 keyed by a per-leaf salt the platform keeps private), so the
platform can later prove "this record names that person" to whoever is entitled to know.

Encoding (``chengxin.change`` version 1): a JSON object, keys sorted, no insignificant white
space, UTF-8 (not ASCII-escaped), no floats (decimals are strings), integers within 64 bits.
It is what Python's ``json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` writes; the platform writes it with orjson, which gives the same bytes for
every such value (tested) some ten times faster, and that is most of what appending a record to
the log costs. Fields:

``type``  "chengxin.change" · ``v`` 1 · ``id`` change-record number · ``time`` UTC ISO 8601 with
microseconds · ``model`` "app.model" · ``object`` primary key as text · ``action`` create /
update / delete / transition · ``actor`` commitment to the acting user name, or null for the
platform itself · ``source`` web / api / cli / task / mqtt / system · ``request`` request id ·
``before`` / ``after`` the record's fields (or null), personal fields replaced by
``{"commitment": "<hex>"}``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

LEAF_TYPE = "chengxin.change"
LEAF_VERSION = 1
SALT_BYTES = 16
# Internal user ids say nothing to the public and could link people across records.
_DROPPED_FIELDS = frozenset({"user_id"})


class LeafError(ValueError):
    """Bytes that are not a v1 leaf."""


def canonical_json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _refuse_float(text: str) -> Any:
    raise LeafError(f"a number with a fraction or exponent ({text}): decimals are strings")


def commitment(salt: bytes, field: str, value: object) -> str:
    """HMAC-SHA-256(salt, field ‖ 0x00 ‖ canonical value): hides the value, binds to it."""
    message = field.encode() + b"\x00" + canonical_json(value)
    return hmac.new(salt, message, hashlib.sha256).hexdigest()


def _public_fields(
    snapshot: Mapping[str, Any] | None, personal: Iterable[str], salt: bytes
) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    personal = set(personal)
    public: dict[str, Any] = {}
    for name, value in snapshot.items():
        if name in _DROPPED_FIELDS:
            continue
        if name in personal and value not in (None, ""):
            public[name] = {"commitment": commitment(salt, name, value)}
        else:
            public[name] = value
    return public


@functools.lru_cache(maxsize=4096)
def utc_text(moment: dt.datetime) -> str:
    # Remembered: a bulk write's records share their time, and ``strftime`` is slow.
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def change_leaf(
    *,
    record_id: int,
    time: dt.datetime,
    model: str,
    object_id: str,
    action: str,
    actor: str | None,
    source: str,
    request_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    personal_fields: Iterable[str],
    salt: bytes,
) -> bytes:
    """The leaf bytes of one change record."""
    personal = tuple(personal_fields)
    return canonical_json(
        {
            "type": LEAF_TYPE,
            "v": LEAF_VERSION,
            "id": record_id,
            "time": utc_text(time),
            "model": model,
            "object": object_id,
            "action": action,
            "actor": commitment(salt, "actor", actor) if actor else None,
            "source": source,
            "request": request_id,
            "before": _public_fields(before, personal, salt),
            "after": _public_fields(after, personal, salt),
        }
    )


def parse_leaf(data: bytes) -> dict[str, Any]:
    """Decode a leaf; raises ``LeafError`` for anything but a canonical v1 leaf."""
    try:
        value = json.loads(
            data.decode("utf-8"), parse_float=_refuse_float, parse_constant=_refuse_float
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LeafError(f"not a JSON leaf: {exc}") from exc
    if not isinstance(value, dict) or value.get("type") != LEAF_TYPE:
        raise LeafError("not a chengxin.change leaf")
    if value.get("v") != LEAF_VERSION:
        raise LeafError(f"unsupported leaf version {value.get('v')!r}")
    try:
        canonical = canonical_json(value)
    except orjson.JSONEncodeError as exc:  # an integer beyond 64 bits
        raise LeafError(f"not a v1 leaf: {exc}") from exc
    if canonical != data:
        raise LeafError("leaf is not in canonical form")
    return value


def object_key(model: str, object_id: object = "") -> str:
    """Content-index key of the leaves about one object (``model`` as ``app.model``); without
    ``object_id``, the prefix every such key of ``model`` starts with."""
    return f"object:{model}:{object_id}"


KIND_LENGTH = 96
"""The longest ``kind`` the content index keeps (its column); a longer one is cut."""


def kind(leaf: Mapping[str, Any]) -> str:
    """What a leaf records, in one short string: ``<model> <action>``, and after another space
    the lifecycle transition it records or, for an object's own transition, its new state.

    The content index keeps it beside each key (with the leaf's time), so that a list of an
    object's records (a scale's public page) can say what each one is without reading leaves.
    """
    body = _body(leaf)
    detail = body.get("transition")
    if not isinstance(detail, str) and leaf.get("action") == "transition":
        detail = body.get("state")
    parts = [str(leaf.get("model")), str(leaf.get("action"))]
    if isinstance(detail, str):
        parts.append(detail)
    return " ".join(parts)[:KIND_LENGTH]


def parse_time(text: Any) -> dt.datetime | None:
    """An ISO 8601 time, aware (UTC when it has no offset); None if ``text`` is not one.

    A leaf writes UTC with ``Z``; a database's text of a stored time may carry an offset
    (PostgreSQL) or none (SQLite keeps UTC without one).
    """
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)  # reads ``Z`` since Python 3.11
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def subjects(leaf: Mapping[str, Any]) -> list[str]:
    """Content-index keys a leaf is found under, from the leaf alone.

    ``object:<model>:<id>`` for every leaf, and for the scale a record concerns (a lifecycle event,
    a verification) also ``object:instruments.scale:<scale id>``; ``scale:<code>`` for a scale's own
    records, which is how a code leads to the scale's id and from there to all its leaves.
    """
    keys = [object_key(leaf["model"], leaf["object"])]
    body = _body(leaf)
    if leaf["model"] == "instruments.scale" and isinstance(body.get("code"), str):
        keys.append(f"scale:{body['code']}")
    if isinstance(body.get("scale_id"), int):
        keys.append(object_key("instruments.scale", body["scale_id"]))
    return keys


def index_entries(leaf: Mapping[str, Any]) -> list[tuple[str, str, dt.datetime | None]]:
    """The leaf's rows in the content index, from the leaf alone: (key, kind, time) per key."""
    what, when = kind(leaf), parse_time(leaf.get("time"))
    return [(key, what, when) for key in subjects(leaf)]


def _body(leaf: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record's fields as the leaf shows them: after the change, or before a deletion."""
    return leaf.get("after") or leaf.get("before") or {}
