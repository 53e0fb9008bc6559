"""C2SP checkpoints (signed tree heads) and tlog-proof bundles for Chengxin's log.

What this module is for: the text body of a checkpoint (https://c2sp.org/tlog-checkpoint) — the
log's origin line, the tree size and the root hash, then optional extension lines — and the
``tlog-proof`` bundle (https://c2sp.org/tlog-proof): an entry's index, its inclusion proof and
the signed checkpoint it is proved against, in one self-contained text. A verification
certificate carries such a bundle, so a shopper's phone or ``chengxin verify`` can check, offline,
that the certificate is in the log that the regulator and the witnesses vouch for.

Built on ``merkle`` (proofs) and ``note`` (signatures); it adds the formats and the policy of
which signatures must be present.

What it must never do: import Django or fetch anything; the caller supplies the trusted keys and
the bytes. Every failure raises ``CheckpointError`` — including a bad signature or a proof that
does not hold, which are wrapped from ``NoteError`` and ``ProofError`` — so one ``except`` covers
"do not trust this".
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chengxin.ledger import merkle
from chengxin.ledger.note import (
    MAX_NOTE_SIZE,
    Note,
    NoteError,
    Signature,
    Signer,
    Verifier,
    open_note,
    parse_note,
    sign_note,
)

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
"""First line of every tlog-proof bundle."""

MAX_TLOG_PROOF_SIZE = MAX_NOTE_SIZE + 64 * 1024
"""A proof bundle is a checkpoint note plus at most 64 hashes and the extra data."""

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_MAX_PROOF_HASHES = 64  # A tree of at most 2⁶⁴ − 1 leaves has paths of at most 64 hashes.


class CheckpointError(ValueError):
    """A checkpoint or tlog-proof that is malformed, unsigned, or does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's statement that its tree of ``size`` leaves has root hash ``root_hash``.

    ``origin`` names the log (e.g. ``chengxin.example.org/log``); extension lines are opaque and
    not recommended, since monitors cannot audit them.
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin or not _is_one_line(self.origin):
            raise CheckpointError("checkpoint origin must be one non-empty line of text")
        if not _is_size(self.size):
            raise CheckpointError(f"checkpoint size {self.size!r} is not between 0 and 2**64 - 1")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != merkle.HASH_SIZE:
            raise CheckpointError("checkpoint root hash must be 32 bytes")
        if not isinstance(self.extensions, tuple):
            raise CheckpointError("checkpoint extensions must be a tuple of lines")
        for line in self.extensions:
            if not isinstance(line, str) or not line or not _is_one_line(line):
                raise CheckpointError("checkpoint extension lines must be non-empty lines")

    def to_text(self) -> str:
        """The note text: origin, size, base64 root hash, extensions, each ending in newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return "".join(line + "\n" for line in [*lines, *self.extensions])


def format_checkpoint(checkpoint: Checkpoint) -> str:
    """The checkpoint's note text (to be signed with ``sign_note``)."""
    return checkpoint.to_text()


def parse_checkpoint(text: str | bytes) -> Checkpoint:
    """Parse a checkpoint note text (the body only, without signatures)."""
    if isinstance(text, bytes | bytearray | memoryview):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError("checkpoint is not valid UTF-8") from exc
    if not isinstance(text, str):
        raise CheckpointError(f"a checkpoint is text, not {type(text).__name__}")
    if len(text) > MAX_NOTE_SIZE:
        raise CheckpointError("checkpoint is too large")
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end in a newline")
    if _CONTROL.search(text):
        raise CheckpointError("checkpoint contains a control character other than newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("checkpoint needs an origin, a size and a root hash line")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise CheckpointError("checkpoint origin line is empty")
    if not _is_decimal_size(size_text):
        raise CheckpointError(f"checkpoint size {size_text!r} is not a canonical decimal")
    root = _b64decode(root_text)
    if root is None or len(root) != merkle.HASH_SIZE:
        raise CheckpointError("checkpoint root hash is not the base64 of 32 bytes")
    if any(not line for line in extensions):
        raise CheckpointError("checkpoint extension lines must not be empty")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[Signer]) -> str:
    """The checkpoint as a signed note. The log's key name should match its origin."""
    try:
        return sign_note(checkpoint.to_text(), signers)
    except NoteError as exc:
        raise CheckpointError(f"cannot sign checkpoint: {exc}") from exc


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose log signature (and witness quorum, if asked) has been verified."""

    checkpoint: Checkpoint
    note: Note
    witnesses: tuple[Signature, ...]
    """The verified cosignatures from the trusted witnesses."""


def open_checkpoint(
    signed: str | bytes,
    *,
    origin: str,
    log_verifiers: Iterable[Verifier],
    witnesses: Iterable[Verifier] = (),
    witness_quorum: int = 0,
) -> VerifiedCheckpoint:
    """Verify a signed checkpoint and parse it.

    It must carry a valid signature by one of ``log_verifiers`` (a witness alone is not enough:
    witnesses vouch for consistency, only the log vouches for its contents), name ``origin``, and
    carry valid cosignatures from at least ``witness_quorum`` distinct ``witnesses``.
    """
    logs = list(log_verifiers)
    trusted_witnesses = list(witnesses)
    if not _is_size(witness_quorum) or witness_quorum > len(trusted_witnesses):
        raise CheckpointError(
            f"witness quorum {witness_quorum!r} cannot be met by {len(trusted_witnesses)} witnesses"
        )
    try:
        opened = open_note(signed, [*logs, *trusted_witnesses])
    except NoteError as exc:
        raise CheckpointError(f"checkpoint signature: {exc}") from exc
    if not any(opened.verified_by(v) for v in logs):
        raise CheckpointError("checkpoint is not signed by the log")
    checkpoint = parse_checkpoint(opened.text)
    if checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is for log {checkpoint.origin!r}, not {origin!r}")
    witness_keys = {(w.name, w.key_id) for w in trusted_witnesses}
    cosigned = tuple(s for s in opened.signatures if (s.name, s.key_id) in witness_keys)
    if len(cosigned) < witness_quorum:
        raise CheckpointError(
            f"checkpoint has {len(cosigned)} trusted witness cosignatures, needs {witness_quorum}"
        )
    return VerifiedCheckpoint(checkpoint, opened, cosigned)


# --- tlog-proof -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlogProof:
    """An offline-verifiable proof that the entry at ``index`` is in a signed checkpoint's tree.

    ``extra`` is opaque, unauthenticated data for the application (absent when ``None``); it must
    never be trusted just because the proof verifies.
    """

    index: int
    inclusion_proof: tuple[bytes, ...]
    signed_checkpoint: str
    extra: bytes | None = None

    def __post_init__(self) -> None:
        if not _is_size(self.index):
            raise CheckpointError(f"entry index {self.index!r} is not between 0 and 2**64 - 1")
        if not isinstance(self.inclusion_proof, tuple):
            raise CheckpointError("inclusion proof must be a tuple of hashes")
        if len(self.inclusion_proof) > _MAX_PROOF_HASHES:
            raise CheckpointError("inclusion proof is longer than any tree needs")
        for h in self.inclusion_proof:
            if not isinstance(h, bytes) or len(h) != merkle.HASH_SIZE:
                raise CheckpointError("inclusion proof hashes must be 32 bytes each")
        if self.extra is not None and not isinstance(self.extra, bytes):
            raise CheckpointError("extra data must be bytes")
        if not isinstance(self.signed_checkpoint, str):
            raise CheckpointError("signed checkpoint must be text")
        # Syntax only: the signatures are checked by ``verify_tlog_proof`` against trusted keys.
        try:
            text, _ = parse_note(self.signed_checkpoint)
        except NoteError as exc:
            raise CheckpointError(f"signed checkpoint is malformed: {exc}") from exc
        parse_checkpoint(text)

    def to_text(self) -> str:
        lines = [TLOG_PROOF_HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.inclusion_proof)
        return "".join(line + "\n" for line in lines) + "\n" + self.signed_checkpoint


def format_tlog_proof(proof: TlogProof) -> str:
    """The ``c2sp.org/tlog-proof@v1`` text of ``proof`` (store it as ``*.tlog-proof``)."""
    return proof.to_text()


def parse_tlog_proof(text: str | bytes) -> TlogProof:
    """Parse a ``c2sp.org/tlog-proof@v1`` bundle (syntax only; see ``verify_tlog_proof``)."""
    if isinstance(text, bytes | bytearray | memoryview):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError("tlog proof is not valid UTF-8") from exc
    if not isinstance(text, str):
        raise CheckpointError(f"a tlog proof is text, not {type(text).__name__}")
    if len(text) > MAX_TLOG_PROOF_SIZE:
        raise CheckpointError("tlog proof is too large")
    # The proof part ends at the first blank line; the checkpoint note (which has its own blank
    # line before its signatures) follows verbatim.
    head, blank, signed_checkpoint = text.partition("\n\n")
    if not blank:
        raise CheckpointError("tlog proof has no blank line before its checkpoint")
    lines = head.split("\n")
    if lines[0] != TLOG_PROOF_HEADER:
        raise CheckpointError(f"tlog proof must start with {TLOG_PROOF_HEADER}")
    position = 1
    extra = None
    if position < len(lines) and lines[position].startswith("extra "):
        extra = _b64decode(lines[position][len("extra ") :])
        if extra is None:
            raise CheckpointError("tlog proof extra data is not canonical base64")
        position += 1
    if position >= len(lines) or not lines[position].startswith("index "):
        raise CheckpointError("tlog proof has no index line")
    index_text = lines[position][len("index ") :]
    if not _is_decimal_size(index_text):
        raise CheckpointError(f"tlog proof index {index_text!r} is not a canonical decimal")
    hashes = []
    for line in lines[position + 1 :]:
        h = _b64decode(line)
        if h is None or len(h) != merkle.HASH_SIZE:
            raise CheckpointError("tlog proof hash line is not the base64 of 32 bytes")
        hashes.append(h)
    return TlogProof(int(index_text), tuple(hashes), signed_checkpoint, extra)


def tlog_proof_create(
    *,
    index: int,
    inclusion_proof: Sequence[bytes],
    signed_checkpoint: str,
    extra: bytes | None = None,
) -> str:
    """Bundle an entry's index, inclusion proof and signed checkpoint as tlog-proof text.

    The proof must be for that checkpoint's tree; this is not checked here because the signer's
    keys are not needed to build a bundle — ``verify_tlog_proof`` checks everything.
    """
    proof = TlogProof(index, tuple(inclusion_proof), signed_checkpoint, extra)
    return proof.to_text()


@dataclass(frozen=True)
class VerifiedTlogProof:
    """What a verified tlog-proof establishes: the entry's index in the verified checkpoint."""

    index: int
    checkpoint: VerifiedCheckpoint
    extra: bytes | None
    """Unauthenticated: returned for the application to interpret, never vouched for."""


def verify_tlog_proof(
    text: str | bytes,
    *,
    leaf_hash: bytes,
    origin: str,
    log_verifiers: Iterable[Verifier],
    witnesses: Iterable[Verifier] = (),
    witness_quorum: int = 0,
) -> VerifiedTlogProof:
    """Check a tlog-proof for the entry whose RFC 9162 leaf hash is ``leaf_hash``.

    The checkpoint must be signed by the log for ``origin`` (and cosigned by ``witness_quorum``
    trusted witnesses), and the inclusion proof must lead from the leaf to its root hash.
    """
    proof = parse_tlog_proof(text)
    verified = open_checkpoint(
        proof.signed_checkpoint,
        origin=origin,
        log_verifiers=log_verifiers,
        witnesses=witnesses,
        witness_quorum=witness_quorum,
    )
    tree = verified.checkpoint
    try:
        merkle.verify_inclusion(
            proof.index, tree.size, leaf_hash, list(proof.inclusion_proof), tree.root_hash
        )
    except merkle.ProofError as exc:
        raise CheckpointError(f"tlog proof inclusion: {exc}") from exc
    return VerifiedTlogProof(proof.index, verified, proof.extra)


# --- helpers --------------------------------------------------------------------------------------


def _is_size(value: object) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value <= merkle.MAX_TREE_SIZE
    )


def _is_decimal_size(text: str) -> bool:
    """ASCII decimal without leading zeros, at most 2⁶⁴ − 1 (20 digits bound the int())."""
    return len(text) <= 20 and bool(_DECIMAL.fullmatch(text)) and _is_size(int(text))


def _is_one_line(text: str) -> bool:
    if "\n" in text or _CONTROL.search(text):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _b64decode(text: str) -> bytes | None:
    """Canonical standard base64 only, so a checkpoint has exactly one spelling."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode() == text else None
