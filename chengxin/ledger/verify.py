"""Offline verification of a record bundle against a trust policy (``chengxin verify``).

A *record bundle* (format ``chengxin.record-bundle`` version 1, see docs/log.md) is a small JSON
file: one leaf of the log (the canonical bytes of a change record, base64) and its C2SP
``tlog-proof`` (index, inclusion proof, signed checkpoint). A *policy* is a text file naming the
keys to trust::

    # comment
    log <vkey>                    the log's verifier key; its key name is the log's origin
    witness <name> <vkey>         a witness (a metrology institute) that cosigns checkpoints
    quorum <k>                    how many of the listed witnesses must have cosigned

``verify_record_bundle`` answers with what the record is, which checkpoint vouches for it, and
whether it is VALID — or exactly why not.

What it must never do: import Django, read files, or touch the network; the command does the I/O.
Malformed input raises ``BundleError`` or ``PolicyError`` (nothing else); a well-formed bundle
that does not verify is a result with ``valid=False``, never an exception.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from . import leaves, merkle
from .checkpoint import (
    MAX_TLOG_PROOF_SIZE,
    CheckpointError,
    TlogProof,
    parse_checkpoint,
    parse_tlog_proof,
    verify_tlog_proof,
)
from .note import (
    Ed25519Verifier,
    NoteError,
    Verifier,
    is_valid_key_name,
    parse_note,
    verifier_from_key,
)

BUNDLE_FORMAT = "chengxin.record-bundle"
BUNDLE_VERSION = 1
MAX_BUNDLE_SIZE = 2 * MAX_TLOG_PROOF_SIZE
MAX_POLICY_SIZE = 64 * 1024
MAX_POLICY_KEYS = 100


class BundleError(ValueError):
    """A record bundle that is not well-formed (not a verification failure)."""


class PolicyError(ValueError):
    """A policy file that is not well-formed."""


# --- policy ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """Whom to trust: the log's keys (one origin), witnesses by name, and the witness quorum."""

    origin: str
    logs: tuple[Ed25519Verifier, ...]
    witnesses: tuple[tuple[str, Verifier], ...]
    quorum: int


def parse_policy(text: str | bytes) -> Policy:
    """Parse a policy file (see the module docstring); raises ``PolicyError``."""
    text = _decode(text, MAX_POLICY_SIZE, "policy", PolicyError)
    logs: list[Ed25519Verifier] = []
    witnesses: list[tuple[str, Verifier]] = []
    quorum: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, *args = line.split()
        where = f"policy line {number}"
        if keyword == "log" and len(args) == 1:
            verifier = _verifier(args[0], where)
            if not isinstance(verifier, Ed25519Verifier):
                raise PolicyError(f"{where}: a log key must be an Ed25519 (type 0x01) key")
            logs.append(verifier)
        elif keyword == "witness" and len(args) == 2:
            name, vkey = args
            if not is_valid_key_name(name):
                raise PolicyError(f"{where}: {name!r} is not a valid witness name")
            if any(name == known for known, _ in witnesses):
                raise PolicyError(f"{where}: witness {name!r} is listed twice")
            witnesses.append((name, _verifier(vkey, where)))
        elif keyword == "quorum" and len(args) == 1:
            if quorum is not None:
                raise PolicyError(f"{where}: quorum is given twice")
            if not args[0].isdecimal() or len(args[0]) > 3 or not args[0].isascii():
                raise PolicyError(f"{where}: quorum must be a small whole number")
            quorum = int(args[0])
        elif keyword in ("log", "witness", "quorum"):
            usage = {
                "log": "log <vkey>",
                "witness": "witness <name> <vkey>",
                "quorum": "quorum <k>",
            }
            raise PolicyError(f"{where}: expected `{usage[keyword]}`")
        else:
            raise PolicyError(f"{where}: unknown keyword {keyword[:40]!r}")
        if len(logs) + len(witnesses) > MAX_POLICY_KEYS:
            raise PolicyError(f"policy names more than {MAX_POLICY_KEYS} keys")
    if not logs:
        raise PolicyError("policy has no `log <vkey>` line")
    origins = {v.name for v in logs}
    if len(origins) != 1:
        raise PolicyError(f"policy log keys name different logs: {', '.join(sorted(origins))}")
    keys_seen = [(v.name, v.key_id) for v in logs] + [(v.name, v.key_id) for _, v in witnesses]
    if len(set(keys_seen)) != len(keys_seen):
        raise PolicyError("policy lists the same key twice")
    quorum = 0 if quorum is None else quorum
    if quorum > len(witnesses):
        raise PolicyError(f"quorum {quorum} is more than the {len(witnesses)} witnesses listed")
    return Policy(origins.pop(), tuple(logs), tuple(witnesses), quorum)


def _verifier(vkey: str, where: str) -> Verifier:
    try:
        return verifier_from_key(vkey)
    except NoteError as exc:
        raise PolicyError(f"{where}: not a verifier key: {exc}") from exc


def format_policy(log_vkey: str, witnesses: dict[str, str] | None = None, quorum: int = 0) -> str:
    """A policy text for the given log key, witnesses (name → vkey) and quorum."""
    lines = [f"log {log_vkey}"]
    lines += [f"witness {name} {vkey}" for name, vkey in (witnesses or {}).items()]
    lines.append(f"quorum {quorum}")
    return "".join(line + "\n" for line in lines)


# --- bundle ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordBundle:
    """A leaf and the tlog-proof text that places it in a signed checkpoint."""

    leaf: bytes
    proof: str


def record_bundle_create(*, leaf: bytes, proof: str) -> str:
    """The JSON text of a record bundle (what ``/api/v1/log/leaves/<i>/record-bundle`` serves)."""
    bundle = {
        "format": BUNDLE_FORMAT,
        "v": BUNDLE_VERSION,
        "leaf": base64.b64encode(leaf).decode(),
        "proof": proof,
    }
    return json.dumps(bundle, indent=2, sort_keys=True) + "\n"


def parse_record_bundle(text: str | bytes) -> tuple[RecordBundle, TlogProof]:
    """Parse a record bundle and the syntax of its tlog-proof; raises ``BundleError``."""
    text = _decode(text, MAX_BUNDLE_SIZE, "record bundle", BundleError)
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BundleError(f"record bundle is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise BundleError("record bundle must be a JSON object")
    if value.get("format") != BUNDLE_FORMAT:
        raise BundleError(f'record bundle must have "format": "{BUNDLE_FORMAT}"')
    version = value.get("v")
    if version != BUNDLE_VERSION or isinstance(version, bool):
        raise BundleError(f"unsupported record bundle version {str(version)[:20]!r}")
    leaf_text, proof_text = value.get("leaf"), value.get("proof")
    if not isinstance(leaf_text, str) or not isinstance(proof_text, str):
        raise BundleError('record bundle needs "leaf" (base64) and "proof" (text)')
    try:
        leaf = base64.b64decode(leaf_text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BundleError('record bundle "leaf" is not base64') from exc
    if len(leaf) > merkle.MAX_ENTRY_SIZE:
        raise BundleError('record bundle "leaf" is larger than any entry of the log')
    try:
        proof = parse_tlog_proof(proof_text)
    except CheckpointError as exc:
        raise BundleError(f'record bundle "proof" is not a tlog-proof: {exc}') from exc
    return RecordBundle(leaf, proof_text), proof


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What ``chengxin verify`` reports: the record, the checkpoint, and the verdict."""

    valid: bool
    reason: str
    record: dict[str, Any] | None
    """model, object, action, time and id from the leaf (None if the leaf cannot be read)."""
    origin: str
    size: int
    index: int
    witnesses: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The human-readable report, one fact per line; the last line is the verdict."""
        out = []
        if self.record is not None:
            r = self.record
            out.append(
                f"record:     {r['model']} #{r['object']} {r['action']} at {r['time']} "
                f"(change record #{r['id']})"
            )
        out.append(f"leaf:       index {self.index}")
        out.append(f"checkpoint: {self.origin} size {self.size}")
        if self.witnesses:
            out.append(f"witnesses:  {', '.join(self.witnesses)}")
        out.append("VALID" if self.valid else f"INVALID: {self.reason}")
        return out


def verify_record_bundle(bundle_text: str | bytes, policy: Policy) -> Verification:
    """Check a record bundle against ``policy``.

    Raises ``BundleError`` for malformed input; otherwise returns a ``Verification``.
    """
    bundle, proof = parse_record_bundle(bundle_text)
    signed_text, _ = parse_note(proof.signed_checkpoint)  # Syntax already checked by the parser.
    claimed = parse_checkpoint(signed_text)
    record: dict[str, Any] | None = None
    reason = ""
    try:
        leaf = leaves.parse_leaf(bundle.leaf)
        record = {k: leaf.get(k) for k in ("model", "object", "action", "time", "id")}
    except (ValueError, RecursionError) as exc:  # LeafError, or JSON no canonical form can hold
        reason = f"the leaf is not a chengxin.change v1 record: {exc}"

    def result(valid: bool, why: str, witnesses: tuple[str, ...] = ()) -> Verification:
        return Verification(
            valid, why, record, claimed.origin, claimed.size, proof.index, witnesses
        )

    if reason:
        return result(False, reason)
    if claimed.origin != policy.origin:
        return result(
            False,
            f"the checkpoint is from log {claimed.origin!r}, the policy trusts {policy.origin!r}",
        )
    try:
        verified = verify_tlog_proof(
            bundle.proof,
            leaf_hash=merkle.leaf_hash(bundle.leaf),
            origin=policy.origin,
            log_verifiers=policy.logs,
            witnesses=[v for _, v in policy.witnesses],
            witness_quorum=policy.quorum,
        )
    except CheckpointError as exc:
        return result(False, _why(str(exc)))
    names = {(v.name, v.key_id): name for name, v in policy.witnesses}
    cosigned = tuple(names[(s.name, s.key_id)] for s in verified.checkpoint.witnesses)
    return result(True, "", cosigned)


def _why(message: str) -> str:
    """Say in the user's terms what the verifier's message means."""
    if message.startswith("tlog proof inclusion"):
        return f"the leaf is not in the checkpoint's tree (tampered leaf or proof): {message}"
    if "not signed by the log" in message or "no valid signature from a trusted key" in message:
        return f"the checkpoint is not signed by the log key in the policy: {message}"
    if "invalid signature" in message:
        return f"a signature on the checkpoint does not verify (tampered checkpoint): {message}"
    if "cosignatures" in message:
        return f"witness quorum not met: {message}"
    return message


def _decode(text: str | bytes, limit: int, what: str, error: type[ValueError]) -> str:
    if isinstance(text, bytes | bytearray | memoryview):
        if len(text) > limit:
            raise error(f"{what} is larger than {limit} bytes")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{what} is not UTF-8 text") from exc
    if not isinstance(text, str):
        raise error(f"{what} must be text")
    if len(text) > limit:
        raise error(f"{what} is larger than {limit} bytes")
    return text
