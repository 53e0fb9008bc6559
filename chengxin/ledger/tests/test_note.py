"""Tests for ``chengxin.ledger.note``: the reference key and note, the note rules, cosignatures."""

from __future__ import annotations

import base64
import contextlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.ledger import note
from chengxin.ledger.note import NoteError

# The example key pair and signed note of golang.org/x/mod/sumdb/note, which the C2SP signed-note
# ecosystem uses as its reference: Ed25519 is deterministic, so we must reproduce it exactly.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIGNATURE = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6"
    "KE6RyyBwJnAM=\n"
)
PETER_NOTE = PETER_TEXT + "\n" + PETER_SIGNATURE

# The example checkpoint with a witness cosignature from c2sp.org/tlog-cosignature.
SPEC_COSIGNED_CHECKPOINT = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q"
    "1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2o"
    "yin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)


def _signer(name: str, seed: int) -> note.Ed25519Signer:
    return note.Ed25519Signer(name, Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32))


# --- the reference example ------------------------------------------------------------------------


def test_reference_signer_key_reproduces_the_reference_note() -> None:
    signer = note.Ed25519Signer.from_key(PETER_SKEY)
    assert signer.name == "PeterNeumann"
    assert f"{signer.key_id:08x}" == "c74f20a3"
    assert signer.verifier_key == PETER_VKEY
    assert signer.signer_key == PETER_SKEY
    assert note.sign_note(PETER_TEXT, [signer]) == PETER_NOTE


def test_reference_note_opens_with_the_reference_verifier_key() -> None:
    verifier = note.Ed25519Verifier.from_key(PETER_VKEY)
    assert verifier.verifier_key == PETER_VKEY
    opened = note.open_note(PETER_NOTE, [verifier])
    assert opened.text == PETER_TEXT
    assert [(s.name, s.key_id) for s in opened.signatures] == [("PeterNeumann", 0xC74F20A3)]
    assert opened.unverified_signatures == ()
    assert note.open_note(PETER_NOTE.encode(), [note.verifier_from_key(PETER_VKEY)]) == opened


def test_a_changed_reference_text_does_not_open() -> None:
    verifier = note.Ed25519Verifier.from_key(PETER_VKEY)
    with pytest.raises(NoteError, match="invalid signature"):
        note.open_note(PETER_NOTE.replace("cryptography", "cryptographY"), [verifier])


def _mangled(key: str) -> list[str]:
    """Every proper substring and every one-character increment, as Go's note tests do."""
    out = [key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)]
    out.remove(key)
    out += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return out


def test_every_mangled_verifier_key_is_refused() -> None:
    for bad in [
        *_mangled(PETER_VKEY),
        # Wrong key length and unknown algorithm, each with a key ID that matches (from Go).
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]:
        with pytest.raises(NoteError):
            note.Ed25519Verifier.from_key(bad)
        with pytest.raises(NoteError):
            note.verifier_from_key(bad)


def test_every_mangled_signer_key_is_refused() -> None:
    for bad in _mangled(PETER_SKEY):
        with pytest.raises(NoteError):
            note.Ed25519Signer.from_key(bad)


def test_a_verifier_key_is_not_a_signer_key_and_vice_versa() -> None:
    with pytest.raises(NoteError):
        note.Ed25519Signer.from_key(PETER_VKEY)
    with pytest.raises(NoteError):
        note.Ed25519Verifier.from_key(PETER_SKEY)


# --- keys and names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["PeterNeumann", "chengxin.example.org/log", "oid/1.2.3", "杭州市计量院/witness"]
)
def test_valid_key_names(name: str) -> None:
    assert note.is_valid_key_name(name)


@pytest.mark.parametrize(
    "name", ["", "a b", "a+b", "a\tb", "a\u00a0b", "a\u3000b", "a\u2028b", "a\x01b", "\ud800", 7]
)
def test_invalid_key_names(name: Any) -> None:
    assert not note.is_valid_key_name(name)
    with pytest.raises(NoteError):
        note.generate_key(name)


def test_generated_keys_round_trip() -> None:
    skey, vkey = note.generate_key("chengxin.example.org/log")
    signer = note.Ed25519Signer.from_key(skey)
    verifier = note.Ed25519Verifier.from_key(vkey)
    assert (signer.name, signer.key_id) == (verifier.name, verifier.key_id)
    assert note.open_note(note.sign_note("hello\n", [signer]), [verifier]).text == "hello\n"


def test_key_id_is_truncated_sha256_of_name_type_and_key() -> None:
    import hashlib

    public = bytes(range(32))
    digest = hashlib.sha256(b"name\n\x01" + public).digest()
    assert note.key_id("name", 0x01, public) == int.from_bytes(digest[:4], "big")


def test_signer_repr_does_not_show_the_private_key() -> None:
    signer = note.Ed25519Signer.from_key(PETER_SKEY)
    assert "AYEKFALV" not in repr(signer)
    assert "private_key" not in repr(signer)


# --- note rules -----------------------------------------------------------------------------------


def test_text_must_end_in_newline() -> None:
    with pytest.raises(NoteError, match="newline"):
        note.sign_note("no newline", [_signer("a", 1)])


def test_text_may_contain_blank_lines() -> None:
    signer = _signer("a", 1)
    text = "first\n\nthird\n\n"
    assert note.open_note(note.sign_note(text, [signer]), [signer.verifier()]).text == text


def test_several_signatures_each_verify() -> None:
    log, witness = _signer("log.example", 1), _signer("witness.example", 2)
    signed = note.sign_note("body\n", [log, witness])
    assert signed.count("\n— ") == 2
    both = note.open_note(signed, [log.verifier(), witness.verifier()])
    assert [s.name for s in both.signatures] == ["log.example", "witness.example"]
    only_log = note.open_note(signed, [log.verifier()])
    assert [s.name for s in only_log.signatures] == ["log.example"]
    assert [s.name for s in only_log.unverified_signatures] == ["witness.example"]


def test_a_note_signed_only_by_unknown_keys_is_refused() -> None:
    signed = note.sign_note("body\n", [_signer("a", 1)])
    with pytest.raises(NoteError, match="no valid signature"):
        note.open_note(signed, [_signer("b", 2).verifier()])
    with pytest.raises(NoteError, match="no valid signature"):
        note.open_note(signed, [])


def test_a_known_key_with_the_same_name_but_another_id_is_ignored() -> None:
    real, impostor = _signer("a", 1), _signer("a", 2)
    signed = note.sign_note("body\n", [impostor])
    with pytest.raises(NoteError, match="no valid signature"):
        note.open_note(signed, [real.verifier()])


def test_a_bad_signature_from_a_known_key_refuses_the_whole_note() -> None:
    good, other = _signer("good", 1), _signer("other", 2)
    signed = note.sign_note("body\n", [good])
    forged = note.Signature(other.name, other.key_id, good.sign(b"body\n"))
    tampered = signed + forged.to_line() + "\n"
    with pytest.raises(NoteError, match="invalid signature by other"):
        note.open_note(tampered, [good.verifier(), other.verifier()])


def test_duplicate_signature_lines_are_refused() -> None:
    signer = _signer("a", 1)
    signed = note.sign_note("body\n", [signer])
    doubled = signed + signed.split("\n\n")[1]
    with pytest.raises(NoteError, match="signed twice"):
        note.open_note(doubled, [signer.verifier()])
    with pytest.raises(NoteError, match="given twice"):
        note.sign_note("body\n", [signer, signer])


def test_two_verifiers_with_the_same_name_and_id_are_refused() -> None:
    signer = _signer("a", 1)
    with pytest.raises(NoteError, match="share the key"):
        note.open_note(note.sign_note("x\n", [signer]), [signer.verifier(), signer.verifier()])


def test_resigning_keeps_existing_signatures_and_replaces_the_signers_own() -> None:
    log, witness = _signer("log", 1), _signer("witness", 2)
    signed = note.sign_note("body\n", [log])
    opened = note.open_note(signed, [log.verifier()])
    cosigned = note.sign_note(opened.text, [witness], existing=opened.signatures)
    assert cosigned.startswith(signed)
    resigned = note.sign_note(opened.text, [log], existing=opened.signatures)
    assert resigned == signed


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (PETER_TEXT + PETER_SIGNATURE, "blank line"),
        (PETER_NOTE[:-1], "ending in a newline"),
        (PETER_NOTE + "\n", "ending in a newline"),
        (PETER_TEXT + "\n\n" + PETER_SIGNATURE, "invalid signature"),  # Text gains a line.
        (PETER_NOTE.replace("— ", "-- "), "em dash"),
        (PETER_NOTE.replace("— ", "—"), "em dash"),
        (PETER_NOTE.replace("x08go/", "x08go!"), "malformed"),
        (PETER_NOTE.replace("nAM=", "nAN="), "malformed"),  # Non-canonical base64.
        (PETER_NOTE.replace("PeterNeumann x08go", "PeterNeumann  x08go"), "malformed"),
        (PETER_NOTE.replace("PeterNeumann x08go", "Peter+Neumann x08go"), "malformed"),
        (PETER_TEXT + "\n— PeterNeumann x08gow==\n", "malformed"),  # Shorter than 5 bytes.
        (PETER_TEXT + "\n— PeterNeumann\n", "malformed"),
        (PETER_NOTE.replace("If you", "If\tyou"), "control character"),
        (PETER_NOTE.replace("If you", "If\ryou"), "control character"),
        (PETER_NOTE.encode().replace(b"If", b"I\xff"), "UTF-8"),
        ("\ud800" + PETER_NOTE, "UTF-8"),
        (42, "text or bytes"),
    ],
)
def test_malformed_notes_are_refused(message: Any, reason: str) -> None:
    verifier = note.Ed25519Verifier.from_key(PETER_VKEY)
    with pytest.raises(NoteError, match=reason):
        note.open_note(message, [verifier])


def test_size_and_signature_count_are_limited() -> None:
    signers = [_signer(f"s{i}", i) for i in range(1, 18)]
    signed = note.sign_note("body\n", signers)
    verifiers = [s.verifier() for s in signers]
    # The spec requires accepting at least 16 signatures.
    assert len(note.open_note(signed, verifiers).signatures) == 17
    with pytest.raises(NoteError, match="more than the limit"):
        note.open_note(signed, verifiers, max_signatures=16)
    with pytest.raises(NoteError, match="exceeds the limit"):
        note.open_note(signed, verifiers, max_size=len(signed.encode()) - 1)
    huge = "x" * note.MAX_NOTE_SIZE + "\n\n" + PETER_SIGNATURE
    with pytest.raises(NoteError, match="exceeds the limit"):
        note.open_note(huge, verifiers)


# --- cosignatures ---------------------------------------------------------------------------------


def test_spec_cosignature_line_carries_its_timestamp() -> None:
    text, signatures = note.parse_note(SPEC_COSIGNED_CHECKPOINT)
    assert text.startswith("example.com/behind-the-sofa\n20852163\n")
    log, witness = signatures
    assert log.name == "example.com/behind-the-sofa"
    assert witness.name == "witness.example.com/w1"
    assert note.cosignature_timestamp(witness) == 1679315147  # "time 1679315147" in the spec.
    with pytest.raises(NoteError, match="not a tlog cosignature"):
        note.cosignature_timestamp(log)


def _cosigner(
    name: str = "witness.example/w1", when: int = 1_700_000_000
) -> note.CosignatureSigner:
    key = Ed25519PrivateKey.from_private_bytes(bytes([9]) * 32)
    return note.CosignatureSigner(name, key, now=lambda: when)


CHECKPOINT = "log.example\n5\n" + base64.b64encode(bytes(32)).decode() + "\n"


def test_a_cosignature_signs_the_timestamped_message() -> None:
    cosigner = _cosigner(when=1679315147)
    cosigned = note.sign_note(CHECKPOINT, [cosigner])
    _, (signature,) = note.parse_note(cosigned)
    assert signature.key_id == cosigner.key_id
    assert note.cosignature_timestamp(signature) == 1679315147
    assert signature.signature[:8] == (1679315147).to_bytes(8, "big")
    expected_message = b"cosignature/v1\ntime 1679315147\n" + CHECKPOINT.encode()
    cosigner.private_key.public_key().verify(signature.signature[8:], expected_message)
    opened = note.open_note(cosigned, [note.verifier_from_key(cosigner.verifier_key)])
    assert opened.text == CHECKPOINT


def test_cosigner_keys_use_signature_type_4() -> None:
    cosigner = _cosigner()
    raw = base64.b64decode(cosigner.verifier_key.split("+", 2)[2])
    assert raw[0] == 0x04
    assert cosigner.key_id == note.key_id(cosigner.name, 0x04, cosigner.public_key)
    assert cosigner.key_id != note.key_id(cosigner.name, 0x01, cosigner.public_key)
    assert isinstance(note.verifier_from_key(cosigner.verifier_key), note.CosignatureVerifier)
    with pytest.raises(NoteError, match="signature type"):
        note.Ed25519Verifier.from_key(cosigner.verifier_key)


def test_a_cosigner_from_an_ordinary_signer_key() -> None:
    cosigner = note.CosignatureSigner.from_key(PETER_SKEY, now=lambda: 1)
    plain = note.Ed25519Signer.from_key(PETER_SKEY)
    assert cosigner.public_key == plain.public_key
    assert cosigner.key_id != plain.key_id


def test_cosignatures_and_plain_signatures_do_not_stand_in_for_each_other() -> None:
    cosigner = _cosigner()
    plain = note.Ed25519Signer(cosigner.name, cosigner.private_key)
    cosigned = note.sign_note(CHECKPOINT, [cosigner])
    plainly_signed = note.sign_note(CHECKPOINT, [plain])
    with pytest.raises(NoteError):
        note.open_note(cosigned, [plain.verifier()])
    with pytest.raises(NoteError):
        note.open_note(plainly_signed, [cosigner.verifier()])
    # Even under the cosigner's key ID, a signature without the timestamp header fails.
    forged = note.Signature(
        cosigner.name,
        cosigner.key_id,
        (1_700_000_000).to_bytes(8, "big") + plain.sign(CHECKPOINT.encode()),
    )
    with pytest.raises(NoteError, match="invalid signature"):
        note.open_note(CHECKPOINT + "\n" + forged.to_line() + "\n", [cosigner.verifier()])


def test_a_changed_cosignature_timestamp_fails() -> None:
    cosigner = _cosigner()
    _, (signature,) = note.parse_note(note.sign_note(CHECKPOINT, [cosigner]))
    later = note.Signature(
        signature.name,
        signature.key_id,
        (1_700_000_001).to_bytes(8, "big") + signature.signature[8:],
    )
    with pytest.raises(NoteError, match="invalid signature"):
        note.open_note(CHECKPOINT + "\n" + later.to_line() + "\n", [cosigner.verifier()])


@pytest.mark.parametrize("when", [-1, 2**63, "now"])
def test_out_of_range_cosignature_timestamps_are_refused(when: Any) -> None:
    cosigner = _cosigner(when=when)
    with pytest.raises(NoteError, match="timestamp"):
        note.sign_note(CHECKPOINT, [cosigner])


def test_a_timestamp_above_2_63_does_not_verify() -> None:
    cosigner = _cosigner()
    too_late = 2**63
    message = note.cosignature_message(CHECKPOINT, too_late)
    signature = too_late.to_bytes(8, "big") + cosigner.private_key.sign(message)
    assert not cosigner.verifier().verify(CHECKPOINT.encode(), signature)


# --- fuzzing: parsers raise NoteError and nothing else --------------------------------------------

_NOTE_ALPHABET = st.sampled_from(["a", "b", " ", "\n", "—", "+", "=", "/", "\t", "é", "0", "1"])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.binary(max_size=200), st.text(max_size=200), st.text(_NOTE_ALPHABET, max_size=200))
)
def test_random_input_to_note_parsers_raises_only_note_error(data: bytes | str) -> None:
    verifier = note.Ed25519Verifier.from_key(PETER_VKEY)
    with contextlib.suppress(NoteError):
        note.open_note(data, [verifier])
    with contextlib.suppress(NoteError):
        note.parse_note(data)
    if isinstance(data, str):
        for parse in (
            note.verifier_from_key,
            note.Ed25519Verifier.from_key,
            note.CosignatureVerifier.from_key,
            note.Ed25519Signer.from_key,
            note.CosignatureSigner.from_key,
        ):
            with contextlib.suppress(NoteError):
                parse(data)


@st.composite
def _mutations(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "delete", "insert", "replace"]))
        if kind == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "delete":
            del data[position]
        elif kind == "insert":
            data.insert(position, draw(st.sampled_from(b"\n \x00+=a\xe2")))
        else:
            data[position] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(_mutations(PETER_NOTE.encode()))
def test_a_mutated_note_is_refused_or_unchanged(mutated: bytes) -> None:
    verifier = note.Ed25519Verifier.from_key(PETER_VKEY)
    try:
        opened = note.open_note(mutated, [verifier])
    except NoteError:
        return
    assert opened.text == PETER_TEXT  # Only a harmless change (e.g. none at all) may pass.


@settings(max_examples=200, deadline=None)
@given(_mutations(PETER_VKEY.encode()))
def test_a_mutated_verifier_key_is_refused_or_unchanged(mutated: bytes) -> None:
    try:
        text = mutated.decode()
        verifier = note.Ed25519Verifier.from_key(text)
    except (NoteError, UnicodeDecodeError):
        return
    assert verifier.verifier_key == PETER_VKEY
