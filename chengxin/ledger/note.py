"""C2SP signed notes (Ed25519) and tlog cosignatures, for everything Chengxin signs.

What this module is for: checkpoints, certificates, telemetry batches and witness cosignatures
are all *signed notes* (https://c2sp.org/signed-note): UTF-8 text ending in a newline, a blank
line, then one ``— <key name> <base64(key ID || signature)>`` line per signature. This module
reads and writes the key formats (``PRIVATE+KEY+<name>+<id>+<key>`` signer keys and
``<name>+<id>+<key>`` verifier keys), signs notes, and opens them against a set of trusted
verifiers. It also implements the Ed25519 cosignature of c2sp.org/tlog-cosignature (signature
type 0x04), which a witness adds to a checkpoint it has checked.

It follows ``golang.org/x/mod/sumdb/note`` closely, so that notes we sign open in Go tools and
the other way round; it is stricter where Go is lenient (duplicate signature lines and
non-canonical base64 are rejected, not skipped).

What it must never do: import Django, read keys from settings or files, or look at the clock
except through an injected function. Every failure — malformed input, an unknown or invalid key,
a signature that does not verify — raises ``NoteError`` and nothing else, so that callers have
one thing to catch and cannot let a forged note through by catching the wrong exception.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_TYPE_ED25519 = 0x01
"""Signature type byte of plain Ed25519 note signatures (signed-note)."""

SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04
"""Signature type byte of timestamped Ed25519 witness cosignatures (tlog-cosignature)."""

MAX_NOTE_SIZE = 1 << 20
"""Largest note we open (1 MiB): generous for certificates and telemetry batches, but bounded so
a hostile upload cannot make us parse forever."""

MAX_SIGNATURES = 100
"""Most signature lines we read in one note (the spec asks verifiers to accept at least 16)."""

MAX_TIMESTAMP = (1 << 63) - 1
"""Cosignature timestamps are POSIX seconds that must not exceed 2⁶³ − 1."""

COSIGNATURE_HEADER = "cosignature/v1"

_ED25519_KEY_SIZE = 32
_ED25519_SIGNATURE_SIZE = 64
_TIMESTAMP_SIZE = 8
_SIGNATURE_PREFIX = "— "  # Em dash (U+2014) and a space.
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # ASCII control characters except newline.


class NoteError(ValueError):
    """A note, key or signature that is malformed or does not verify."""


# --- key names and key IDs ------------------------------------------------------------------------


def is_valid_key_name(name: object) -> bool:
    """A key name is non-empty UTF-8 without Unicode spaces, ``+`` or control characters.

    ``+`` separates the parts of a key and a space ends the name in a signature line, so either
    would make the encoding ambiguous.
    """
    if not isinstance(name, str) or not name or "+" in name:
        return False
    if any(ch.isspace() for ch in name) or _CONTROL.search(name):
        return False
    return _is_utf8(name)


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """The 32-bit key ID: SHA-256(name || 0x0A || signature type || public key)[:4], big-endian.

    It only helps pick the right verifier; the signature itself is what proves anything.
    """
    if not is_valid_key_name(name):
        raise NoteError(f"invalid key name {name!r}")
    digest = hashlib.sha256(
        name.encode() + b"\n" + bytes([signature_type]) + bytes(public_key)
    ).digest()
    return int.from_bytes(digest[:4], "big")


# --- signers and verifiers ------------------------------------------------------------------------


class Signer(Protocol):
    """Something that can sign note text under a key name and key ID."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, message: bytes) -> bytes:
        """The signature bytes that follow the key ID in a signature line."""
        ...


class Verifier(Protocol):
    """Something that can check signatures made under a key name and key ID."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (the bytes after the key ID) is valid for ``message``."""
        ...


@dataclass(frozen=True)
class Ed25519Verifier:
    """A trusted Ed25519 public key, under the name its signatures carry."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_public_key(self.name, self.public_key)
        object.__setattr__(
            self, "key_id", key_id(self.name, SIGNATURE_TYPE_ED25519, self.public_key)
        )

    @classmethod
    def from_key(cls, vkey: str) -> Ed25519Verifier:
        """Parse a verifier key ``<name>+<hex key ID>+<base64(0x01 || public key)>``."""
        name, key = _parse_verifier_key(vkey, SIGNATURE_TYPE_ED25519)
        return cls(name, key)

    @property
    def verifier_key(self) -> str:
        """The ``<name>+<hex key ID>+<base64(0x01 || public key)>`` text of this key."""
        return _format_verifier_key(self.name, SIGNATURE_TYPE_ED25519, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        return _ed25519_verify(self.public_key, message, signature)


@dataclass(frozen=True)
class Ed25519Signer:
    """An Ed25519 private key that signs notes under ``name``."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, Ed25519PrivateKey):
            raise NoteError("an Ed25519 signer needs an Ed25519 private key")
        object.__setattr__(
            self, "key_id", key_id(self.name, SIGNATURE_TYPE_ED25519, self.public_key)
        )

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        """A signer with a fresh random key."""
        if not is_valid_key_name(name):
            raise NoteError(f"invalid key name {name!r}")
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_key(cls, skey: str) -> Ed25519Signer:
        """Parse a signer key ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>``."""
        name, seed = _parse_signer_key(skey, SIGNATURE_TYPE_ED25519)
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    # Derived once per signer: a page that names the log's key asks for it on every request.
    @functools.cached_property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes_raw()

    @property
    def signer_key(self) -> str:
        """The secret ``PRIVATE+KEY+…`` text of this key; keep it out of logs."""
        seed = self.private_key.private_bytes_raw()
        return "PRIVATE+KEY+" + _format_verifier_key(
            self.name, SIGNATURE_TYPE_ED25519, seed, self.key_id
        )

    @functools.cached_property
    def verifier_key(self) -> str:
        return _format_verifier_key(self.name, SIGNATURE_TYPE_ED25519, self.public_key)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(bytes(message))


def _posix_now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class CosignatureVerifier:
    """A witness's Ed25519 public key, checking tlog-cosignature/v1 signatures (type 0x04)."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_public_key(self.name, self.public_key)
        object.__setattr__(
            self, "key_id", key_id(self.name, SIGNATURE_TYPE_COSIGNATURE_V1, self.public_key)
        )

    @classmethod
    def from_key(cls, vkey: str) -> CosignatureVerifier:
        """Parse a verifier key ``<name>+<hex key ID>+<base64(0x04 || public key)>``."""
        name, key = _parse_verifier_key(vkey, SIGNATURE_TYPE_COSIGNATURE_V1)
        return cls(name, key)

    @property
    def verifier_key(self) -> str:
        return _format_verifier_key(self.name, SIGNATURE_TYPE_COSIGNATURE_V1, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != _TIMESTAMP_SIZE + _ED25519_SIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        signed = cosignature_message(message, timestamp)
        return _ed25519_verify(self.public_key, signed, signature[_TIMESTAMP_SIZE:])


@dataclass(frozen=True)
class CosignatureSigner:
    """A witness's Ed25519 private key, producing tlog-cosignature/v1 signatures.

    ``now`` gives the POSIX time to stamp; injected so that tests and replays are exact.
    """

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)
    now: Callable[[], int] = field(default=_posix_now, repr=False, compare=False)
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, Ed25519PrivateKey):
            raise NoteError("a cosigner needs an Ed25519 private key")
        object.__setattr__(
            self, "key_id", key_id(self.name, SIGNATURE_TYPE_COSIGNATURE_V1, self.public_key)
        )

    @classmethod
    def from_key(cls, skey: str, now: Callable[[], int] = _posix_now) -> CosignatureSigner:
        """A cosigner from an ordinary Ed25519 signer key (``PRIVATE+KEY+…``, type 0x01).

        There is no private-key text format for type 0x04; like transparency-dev's
        ``NewSignerForCosignatureV1``, the key ID is recomputed with type 0x04.
        """
        name, seed = _parse_signer_key(skey, SIGNATURE_TYPE_ED25519)
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed), now)

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes_raw()

    @property
    def verifier_key(self) -> str:
        return _format_verifier_key(self.name, SIGNATURE_TYPE_COSIGNATURE_V1, self.public_key)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        """timestamp (8 bytes, big-endian) || Ed25519 signature over the cosigned message."""
        timestamp = self.now()
        if not isinstance(timestamp, int) or not 0 <= timestamp <= MAX_TIMESTAMP:
            raise NoteError(f"cosignature timestamp {timestamp!r} is out of range")
        signed = cosignature_message(message, timestamp)
        return timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + self.private_key.sign(signed)


def cosignature_message(checkpoint_text: bytes | str, timestamp: int) -> bytes:
    """What a cosigner signs: ``cosignature/v1\\ntime <T>\\n`` and the checkpoint text.

    The header separates cosignatures from every other use of the same key.
    """
    body = checkpoint_text.encode() if isinstance(checkpoint_text, str) else bytes(checkpoint_text)
    return f"{COSIGNATURE_HEADER}\ntime {timestamp}\n".encode() + body


def cosignature_timestamp(signature: Signature) -> int:
    """The POSIX time a cosignature (type 0x04 signature line) says it was made."""
    if len(signature.signature) != _TIMESTAMP_SIZE + _ED25519_SIGNATURE_SIZE:
        raise NoteError(f"signature by {signature.name} is not a tlog cosignature")
    timestamp = int.from_bytes(signature.signature[:_TIMESTAMP_SIZE], "big")
    if timestamp > MAX_TIMESTAMP:
        raise NoteError(f"cosignature by {signature.name} has an out-of-range timestamp")
    return timestamp


def verifier_from_key(vkey: str) -> Ed25519Verifier | CosignatureVerifier:
    """Parse a verifier key of any type this module supports (0x01 or 0x04)."""
    name, signature_type, key = _split_verifier_key(vkey)
    if signature_type == SIGNATURE_TYPE_ED25519:
        return Ed25519Verifier(name, key)
    if signature_type == SIGNATURE_TYPE_COSIGNATURE_V1:
        return CosignatureVerifier(name, key)
    raise NoteError(f"verifier key for {name} has unsupported signature type {signature_type:#04x}")


def generate_key(name: str) -> tuple[str, str]:
    """A fresh Ed25519 key pair as (signer key, verifier key) texts."""
    signer = Ed25519Signer.generate(name)
    return signer.signer_key, signer.verifier_key


# --- key text formats -----------------------------------------------------------------------------


def _split_verifier_key(vkey: object) -> tuple[str, int, bytes]:
    """Split ``<name>+<hex key ID>+<base64(type || key)>`` and check the key ID it claims."""
    if not isinstance(vkey, str):
        raise NoteError("a verifier key is text")
    name, _, rest = vkey.partition("+")
    hex_id, _, key_b64 = rest.partition("+")
    key = _b64decode(key_b64)
    if not is_valid_key_name(name) or not _HEX_KEY_ID.fullmatch(hex_id) or not key:
        raise NoteError("malformed verifier key: expected <name>+<8 hex digits>+<base64 key>")
    if int(hex_id, 16) != key_id(name, key[0], key[1:]):
        raise NoteError(f"verifier key for {name}: key ID {hex_id} does not match the key")
    return name, key[0], key[1:]


def _parse_verifier_key(vkey: str, signature_type: int) -> tuple[str, bytes]:
    name, found_type, key = _split_verifier_key(vkey)
    if found_type != signature_type:
        raise NoteError(
            f"verifier key for {name} has signature type {found_type:#04x}, "
            f"expected {signature_type:#04x}"
        )
    if len(key) != _ED25519_KEY_SIZE:
        raise NoteError(f"verifier key for {name} has {len(key)} key bytes, expected 32")
    return name, key


def _parse_signer_key(skey: object, signature_type: int) -> tuple[str, bytes]:
    """Split ``PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>``; check the key ID."""
    if not isinstance(skey, str) or not skey.startswith("PRIVATE+KEY+"):
        raise NoteError("malformed signer key: expected PRIVATE+KEY+<name>+<id>+<key>")
    name, _, rest = skey[len("PRIVATE+KEY+") :].partition("+")
    hex_id, _, key_b64 = rest.partition("+")
    key = _b64decode(key_b64)
    if not is_valid_key_name(name) or not _HEX_KEY_ID.fullmatch(hex_id) or not key:
        raise NoteError("malformed signer key: expected PRIVATE+KEY+<name>+<id>+<key>")
    if key[0] != signature_type:
        raise NoteError(f"signer key for {name} has unsupported signature type {key[0]:#04x}")
    seed = key[1:]
    if len(seed) != _ED25519_KEY_SIZE:
        raise NoteError(f"signer key for {name} has {len(seed)} key bytes, expected 32")
    # The ID is the hash of the *public* key, so it can only be checked after deriving it.
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    if int(hex_id, 16) != key_id(name, signature_type, public):
        raise NoteError(f"signer key for {name}: key ID {hex_id} does not match the key")
    return name, seed


def _format_verifier_key(
    name: str, signature_type: int, key: bytes, key_id_: int | None = None
) -> str:
    if key_id_ is None:
        key_id_ = key_id(name, signature_type, key)
    encoded = base64.b64encode(bytes([signature_type]) + key).decode()
    return f"{name}+{key_id_:08x}+{encoded}"


def _check_public_key(name: str, public_key: object) -> None:
    if not is_valid_key_name(name):
        raise NoteError(f"invalid key name {name!r}")
    if not isinstance(public_key, bytes) or len(public_key) != _ED25519_KEY_SIZE:
        raise NoteError(f"an Ed25519 public key has {_ED25519_KEY_SIZE} bytes")


def _ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    if len(signature) != _ED25519_SIGNATURE_SIZE:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(bytes(signature), bytes(message))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- notes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: key name, key ID and the signature bytes after the ID."""

    name: str
    key_id: int
    signature: bytes

    def to_line(self) -> str:
        """``— <name> <base64(key ID || signature)>``, without the newline."""
        encoded = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{_SIGNATURE_PREFIX}{self.name} {encoded}"


@dataclass(frozen=True)
class Note:
    """An opened note: its text and which signatures were checked.

    ``signatures`` verified against a trusted key; ``unverified_signatures`` are from keys the
    caller did not trust and say nothing — they are kept so the note can be re-signed (a witness
    adding its cosignature) without dropping them.
    """

    text: str
    signatures: tuple[Signature, ...]
    unverified_signatures: tuple[Signature, ...] = ()

    def verified_by(self, verifier: Verifier) -> bool:
        """Whether a signature by ``verifier``'s key was among those checked."""
        return any(s.name == verifier.name and s.key_id == verifier.key_id for s in self.signatures)


def sign_note(text: str, signers: Sequence[Signer], existing: Sequence[Signature] = ()) -> str:
    """Sign ``text`` (which must end in a newline) and return the signed note.

    ``existing`` signatures (e.g. the log's, when a witness cosigns) come first, except those a
    new signer replaces; the new signatures follow, as in Go's ``note.Sign``.
    """
    _check_text(text, "note text")
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    if not signers:
        raise NoteError("a note needs at least one signer")
    message = text.encode()
    new_lines: list[str] = []
    new_keys: set[tuple[str, int]] = set()
    for signer in signers:
        if not is_valid_key_name(signer.name):
            raise NoteError(f"invalid signer name {signer.name!r}")
        key = (signer.name, signer.key_id)
        if key in new_keys:
            raise NoteError(f"signer {signer.name}+{signer.key_id:08x} given twice")
        new_keys.add(key)
        signature = Signature(signer.name, signer.key_id, signer.sign(message))
        new_lines.append(signature.to_line())
    old_lines: list[str] = []
    seen = set(new_keys)
    for signature in existing:
        key = (signature.name, signature.key_id)
        if key in new_keys:
            continue
        if key in seen or not is_valid_key_name(signature.name):
            raise NoteError(f"existing signature by {signature.name!r} is invalid or repeated")
        seen.add(key)
        old_lines.append(signature.to_line())
    return text + "\n" + "".join(line + "\n" for line in old_lines + new_lines)


def parse_note(
    message: bytes | str,
    *,
    max_size: int = MAX_NOTE_SIZE,
    max_signatures: int = MAX_SIGNATURES,
) -> tuple[str, tuple[Signature, ...]]:
    """Split a signed note into its text and signature lines, *without* verifying anything.

    For tools that need the structure (a witness reading which signatures are present); to
    trust the text, use ``open_note``.
    """
    data = _note_bytes(message)
    if len(data) > max_size:
        raise NoteError(f"note of {len(data)} bytes exceeds the limit of {max_size}")
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("note is not valid UTF-8") from exc
    if _CONTROL.search(decoded):
        raise NoteError("note contains a control character other than newline")
    # The text is separated from the signatures by the last blank line.
    split = decoded.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note signatures must be non-empty lines ending in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > max_signatures:
        raise NoteError(
            f"note has {len(lines)} signatures, more than the limit of {max_signatures}"
        )
    signatures = []
    seen: set[tuple[str, int]] = set()
    for number, line in enumerate(lines, start=1):
        signature = _parse_signature_line(line, number)
        key = (signature.name, signature.key_id)
        if key in seen:
            raise NoteError(f"note is signed twice by {signature.name}+{signature.key_id:08x}")
        seen.add(key)
        signatures.append(signature)
    return text, tuple(signatures)


def open_note(
    message: bytes | str,
    verifiers: Iterable[Verifier],
    *,
    max_size: int = MAX_NOTE_SIZE,
    max_signatures: int = MAX_SIGNATURES,
) -> Note:
    """Parse a signed note and verify it against trusted ``verifiers``.

    Signatures whose (name, key ID) match a verifier must verify, or the whole note is refused;
    others are ignored (kept as unverified), as the spec requires. At least one trusted
    signature must verify, since an unsigned text must never be acted on.
    """
    known: dict[tuple[str, int], Verifier] = {}
    for verifier in verifiers:
        key = (verifier.name, verifier.key_id)
        if key in known:
            raise NoteError(f"two verifiers share the key {verifier.name}+{verifier.key_id:08x}")
        known[key] = verifier
    text, signatures = parse_note(message, max_size=max_size, max_signatures=max_signatures)
    message_bytes = text.encode()
    verified: list[Signature] = []
    unverified: list[Signature] = []
    for signature in signatures:
        match = known.get((signature.name, signature.key_id))
        if match is None:
            unverified.append(signature)
            continue
        if not match.verify(message_bytes, signature.signature):
            raise NoteError(f"invalid signature by {signature.name}+{signature.key_id:08x}")
        verified.append(signature)
    if not verified:
        raise NoteError("note has no valid signature from a trusted key")
    return Note(text, tuple(verified), tuple(unverified))


def _parse_signature_line(line: str, number: int) -> Signature:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise NoteError(f"signature line {number} does not start with an em dash and a space")
    name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    raw = _b64decode(encoded)
    if not is_valid_key_name(name) or len(raw) < 5:
        raise NoteError(f"signature line {number} is malformed")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def _note_bytes(message: object) -> bytes:
    if isinstance(message, str):
        try:
            return message.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise NoteError("note is not valid UTF-8") from exc
    if isinstance(message, bytes | bytearray | memoryview):
        return bytes(message)
    raise NoteError(f"a note is text or bytes, not {type(message).__name__}")


def _check_text(text: object, what: str) -> None:
    if not isinstance(text, str):
        raise NoteError(f"{what} must be text")
    if not _is_utf8(text):
        raise NoteError(f"{what} is not valid UTF-8")
    if _CONTROL.search(text):
        raise NoteError(f"{what} contains a control character other than newline")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _b64decode(text: str) -> bytes:
    """Standard base64, canonical only (padding present, unused bits zero); b"" if invalid.

    Go accepts non-canonical encodings; we do not, so one signature has one spelling.
    """
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""
    return raw if base64.b64encode(raw).decode() == text else b""
