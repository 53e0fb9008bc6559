"""Tests for ``chengxin.ledger.checkpoint``: checkpoint bodies, signed checkpoints, tlog-proofs."""

from __future__ import annotations

import base64
import contextlib
from functools import cache
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.ledger import checkpoint as cp
from chengxin.ledger import merkle, note
from chengxin.ledger.checkpoint import Checkpoint, CheckpointError

ORIGIN = "chengxin.example.org/log"

# The example body of c2sp.org/tlog-checkpoint.
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def _key(seed: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


LOG = note.Ed25519Signer(ORIGIN, _key(1))
WITNESSES = [
    note.CosignatureSigner(f"witness{i}.example", _key(10 + i), now=lambda: 1_700_000_000)
    for i in range(3)
]


@cache
def _tree(size: int = 21) -> tuple[list[bytes], merkle.MemoryHashStore]:
    leaves = [merkle.leaf_hash(f"certificate {i}".encode()) for i in range(size)]
    store = merkle.MemoryHashStore()
    for leaf in leaves:
        store.append(leaf)
    return leaves, store


def _signed_checkpoint(size: int = 21, witnesses: int = 0) -> str:
    _, store = _tree()
    body = Checkpoint(ORIGIN, size, merkle.tree_hash(size, store))
    return cp.sign_checkpoint(body, [LOG, *WITNESSES[:witnesses]])


def _tlog_proof(
    index: int = 7, size: int = 21, extra: bytes | None = None, witnesses: int = 0
) -> str:
    _, store = _tree()
    return cp.tlog_proof_create(
        index=index,
        inclusion_proof=merkle.prove_record(size, index, store),
        signed_checkpoint=_signed_checkpoint(size, witnesses),
        extra=extra,
    )


def _verify(text: str | bytes, leaf_index: int = 7, **policy: Any) -> cp.VerifiedTlogProof:
    leaves, _ = _tree()
    policy.setdefault("origin", ORIGIN)
    policy.setdefault("log_verifiers", [LOG.verifier()])
    return cp.verify_tlog_proof(text, leaf_hash=leaves[leaf_index], **policy)


# --- checkpoint bodies ----------------------------------------------------------------------------


def test_spec_checkpoint_body_round_trips() -> None:
    parsed = cp.parse_checkpoint(SPEC_BODY)
    assert parsed.origin == "example.com/behind-the-sofa"
    assert parsed.size == 20852163
    assert parsed.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert parsed.extensions == ()
    assert cp.format_checkpoint(parsed) == SPEC_BODY
    assert cp.parse_checkpoint(SPEC_BODY.encode()) == parsed


def test_extension_lines_round_trip() -> None:
    body = SPEC_BODY + "ext one\nsecond extension\n"
    parsed = cp.parse_checkpoint(body)
    assert parsed.extensions == ("ext one", "second extension")
    assert parsed.to_text() == body


def test_empty_tree_checkpoint() -> None:
    empty = Checkpoint(ORIGIN, 0, merkle.EMPTY_ROOT_HASH)
    assert cp.parse_checkpoint(empty.to_text()) == empty


ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="


@pytest.mark.parametrize(
    "body",
    [
        "",
        "origin\n",
        "origin\n5\n",
        f"origin\n5\n{ROOT}",  # No final newline.
        f"\n5\n{ROOT}\n",  # Empty origin.
        f"origin\n05\n{ROOT}\n",
        f"origin\n+5\n{ROOT}\n",
        f"origin\n-5\n{ROOT}\n",
        f"origin\n5 \n{ROOT}\n",
        f"origin\n١\n{ROOT}\n",  # A digit to Python, not ASCII.
        f"origin\n{2**64}\n{ROOT}\n",
        f"origin\n{'9' * 5000}\n{ROOT}\n",
        "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",  # No padding.
        "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  # Non-canonical.
        "origin\n5\nAAAA\n",  # Not 32 bytes.
        f"origin\n5\n{ROOT}\n\n",  # Empty extension line.
        f"origin\n5\n{ROOT}\next\n\nmore\n",
        f"ori\tgin\n5\n{ROOT}\n",
        f"origin\r\n5\n{ROOT}\n",
        b"origin\xff\n5\n" + ROOT.encode() + b"\n",
    ],
)
def test_malformed_checkpoint_bodies_are_refused(body: str | bytes) -> None:
    with pytest.raises(CheckpointError):
        cp.parse_checkpoint(body)


@pytest.mark.parametrize(
    "fields",
    [
        ("", 1, bytes(32), ()),
        ("a\nb", 1, bytes(32), ()),
        ("origin", -1, bytes(32), ()),
        ("origin", 2**64, bytes(32), ()),
        ("origin", True, bytes(32), ()),
        ("origin", 1, bytes(31), ()),
        ("origin", 1, bytes(32), ("",)),
        ("origin", 1, bytes(32), ["list"]),
        ("\ud800", 1, bytes(32), ()),
    ],
)
def test_invalid_checkpoints_cannot_be_built(fields: tuple[Any, ...]) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(*fields)


# --- signed checkpoints ---------------------------------------------------------------------------


def test_signed_checkpoint_opens_with_the_log_key() -> None:
    verified = cp.open_checkpoint(
        _signed_checkpoint(), origin=ORIGIN, log_verifiers=[LOG.verifier()]
    )
    _, store = _tree()
    assert verified.checkpoint == Checkpoint(ORIGIN, 21, merkle.tree_hash(21, store))
    assert verified.witnesses == ()


def test_a_checkpoint_for_another_origin_is_refused() -> None:
    with pytest.raises(CheckpointError, match=r"not 'other\.example/log'"):
        cp.open_checkpoint(
            _signed_checkpoint(), origin="other.example/log", log_verifiers=[LOG.verifier()]
        )


def test_a_checkpoint_signed_only_by_witnesses_is_refused() -> None:
    cosigned_only = note.sign_note(Checkpoint(ORIGIN, 1, bytes(32)).to_text(), WITNESSES[:2])
    with pytest.raises(CheckpointError, match="not signed by the log"):
        cp.open_checkpoint(
            cosigned_only,
            origin=ORIGIN,
            log_verifiers=[LOG.verifier()],
            witnesses=[w.verifier() for w in WITNESSES],
        )


def test_witness_quorum() -> None:
    signed = _signed_checkpoint(witnesses=2)
    trusted = [w.verifier() for w in WITNESSES]
    verified = cp.open_checkpoint(
        signed, origin=ORIGIN, log_verifiers=[LOG.verifier()], witnesses=trusted, witness_quorum=2
    )
    assert [s.name for s in verified.witnesses] == ["witness0.example", "witness1.example"]
    with pytest.raises(CheckpointError, match="needs 3"):
        cp.open_checkpoint(
            signed,
            origin=ORIGIN,
            log_verifiers=[LOG.verifier()],
            witnesses=trusted,
            witness_quorum=3,
        )
    with pytest.raises(CheckpointError, match="cannot be met"):
        cp.open_checkpoint(
            signed,
            origin=ORIGIN,
            log_verifiers=[LOG.verifier()],
            witnesses=trusted[:1],
            witness_quorum=2,
        )


def test_a_witness_cosigns_an_opened_checkpoint() -> None:
    """The witness flow: open the log's checkpoint, add a cosignature, keep the log's signature."""
    opened = cp.open_checkpoint(_signed_checkpoint(), origin=ORIGIN, log_verifiers=[LOG.verifier()])
    cosigned = note.sign_note(opened.note.text, [WITNESSES[0]], existing=opened.note.signatures)
    again = cp.open_checkpoint(
        cosigned,
        origin=ORIGIN,
        log_verifiers=[LOG.verifier()],
        witnesses=[WITNESSES[0].verifier()],
        witness_quorum=1,
    )
    assert again.checkpoint == opened.checkpoint


def test_a_tampered_signed_checkpoint_is_refused() -> None:
    signed = _signed_checkpoint()
    tampered = signed.replace("\n21\n", "\n22\n")
    with pytest.raises(CheckpointError, match="signature"):
        cp.open_checkpoint(tampered, origin=ORIGIN, log_verifiers=[LOG.verifier()])


# --- tlog-proof -----------------------------------------------------------------------------------


def test_tlog_proof_text_layout() -> None:
    _, store = _tree()
    proof = merkle.prove_record(21, 7, store)
    text = _tlog_proof(extra=b"certificate v1")
    expected_head = [
        "c2sp.org/tlog-proof@v1",
        "extra " + base64.b64encode(b"certificate v1").decode(),
        "index 7",
        *(base64.b64encode(h).decode() for h in proof),
    ]
    assert text == "\n".join(expected_head) + "\n\n" + _signed_checkpoint()
    assert "extra" not in _tlog_proof()


@pytest.mark.parametrize("extra", [None, b"", b"\x00\xff opaque"])
def test_tlog_proof_round_trips(extra: bytes | None) -> None:
    text = _tlog_proof(extra=extra)
    parsed = cp.parse_tlog_proof(text)
    assert parsed.index == 7
    assert parsed.extra == extra
    assert parsed.signed_checkpoint == _signed_checkpoint()
    assert cp.format_tlog_proof(parsed) == text
    assert cp.parse_tlog_proof(text.encode()) == parsed


def test_tlog_proof_verifies_for_every_entry() -> None:
    for size in (1, 2, 5, 21):
        for index in range(size):
            verified = _verify(_tlog_proof(index, size), index)
            assert verified.index == index
            assert verified.checkpoint.checkpoint.size == size


def test_tlog_proof_with_witnesses() -> None:
    text = _tlog_proof(witnesses=3)
    trusted = [w.verifier() for w in WITNESSES]
    verified = _verify(text, witnesses=trusted, witness_quorum=3)
    assert len(verified.checkpoint.witnesses) == 3
    with pytest.raises(CheckpointError, match="needs 3"):
        _verify(_tlog_proof(witnesses=2), witnesses=trusted, witness_quorum=3)


def test_tlog_proof_for_another_entry_is_refused() -> None:
    with pytest.raises(CheckpointError, match="inclusion"):
        _verify(_tlog_proof(index=7), leaf_index=8)


def test_tlog_proof_with_a_changed_index_is_refused() -> None:
    text = _tlog_proof(index=7).replace("index 7\n", "index 6\n")
    with pytest.raises(CheckpointError, match="inclusion"):
        _verify(text, leaf_index=7)


def test_tlog_proof_with_a_changed_hash_is_refused() -> None:
    _, store = _tree()
    first = base64.b64encode(merkle.prove_record(21, 7, store)[0]).decode()
    changed = base64.b64encode(bytes(32)).decode()
    with pytest.raises(CheckpointError, match="inclusion"):
        _verify(_tlog_proof().replace(first, changed))


def test_tlog_proof_under_an_unknown_log_key_is_refused() -> None:
    stranger = note.Ed25519Signer(ORIGIN, _key(99))
    with pytest.raises(CheckpointError, match="no valid signature"):
        _verify(_tlog_proof(), log_verifiers=[stranger.verifier()])


def test_tlog_proof_for_another_origin_is_refused() -> None:
    with pytest.raises(CheckpointError, match="not 'elsewhere/log'"):
        _verify(_tlog_proof(), origin="elsewhere/log")


def test_extra_data_is_not_authenticated() -> None:
    """Documented behaviour: the extra line can change without breaking the proof."""
    original = _tlog_proof(extra=b"one")
    changed = original.replace(base64.b64encode(b"one").decode(), base64.b64encode(b"two").decode())
    assert _verify(changed).extra == b"two"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
        lambda t: t.replace("index 7", "index 07"),
        lambda t: t.replace("index 7", "index +7"),
        lambda t: t.replace("index 7", "index"),
        lambda t: t.replace("index 7", "idx 7"),
        lambda t: t.replace("index 7", f"index {2**64}"),
        lambda t: t.replace("extra ", "extra  "),
        lambda t: t.replace("extra b25l\n", "extra b25l=\n"),
        lambda t: t.replace("\n\n", "\n", 1),  # No blank line before the checkpoint.
        lambda t: t.replace("=\n", "\n", 1),  # A hash without padding.
        lambda t: t.replace("index 7\n", "index 7\nAAAA\n"),  # A hash of 3 bytes.
        lambda t: t.replace(
            "index 7\n", "index 7\n" + (base64.b64encode(bytes(32)).decode() + "\n") * 65
        ),
        lambda t: t.split("\n\n", 1)[0] + "\n\n",  # No checkpoint.
        lambda t: t.split("\n\n", 1)[0] + "\n\n" + SPEC_BODY,  # Unsigned checkpoint.
        lambda t: t[: t.rindex("\n\n")] + "\n",  # Checkpoint without signatures.
    ],
)
def test_malformed_tlog_proofs_are_refused(mutate: Any) -> None:
    text = mutate(_tlog_proof(extra=b"one"))
    with pytest.raises(CheckpointError):
        cp.parse_tlog_proof(text)
    with pytest.raises(CheckpointError):
        _verify(text)


def test_tlog_proofs_cannot_be_built_from_bad_parts() -> None:
    signed = _signed_checkpoint()
    bad_parts: list[dict[str, Any]] = [
        {"index": -1, "inclusion_proof": [], "signed_checkpoint": signed},
        {"index": 0, "inclusion_proof": [b"short"], "signed_checkpoint": signed},
        {"index": 0, "inclusion_proof": [], "signed_checkpoint": SPEC_BODY},
        {"index": 0, "inclusion_proof": [], "signed_checkpoint": signed, "extra": "text"},
    ]
    for bad in bad_parts:
        with pytest.raises(CheckpointError):
            cp.tlog_proof_create(**bad)


# --- fuzzing: parsers raise CheckpointError and nothing else --------------------------------------

_PIECES = st.lists(
    st.sampled_from(["a", "0", "1", "7", " ", "\n", "=", "+", "/", "—", "extra ", "index "]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300), _PIECES))
def test_random_input_to_checkpoint_parsers_raises_only_checkpoint_error(
    data: bytes | str,
) -> None:
    with contextlib.suppress(CheckpointError):
        cp.parse_checkpoint(data)
    with contextlib.suppress(CheckpointError):
        cp.parse_tlog_proof(data)
    with contextlib.suppress(CheckpointError):
        _verify(data)
    with contextlib.suppress(CheckpointError):
        cp.open_checkpoint(data, origin=ORIGIN, log_verifiers=[LOG.verifier()])


@st.composite
def _mutated_proof(draw: st.DrawFn) -> bytes:
    data = bytearray(_tlog_proof(extra=b"one", witnesses=1).encode())
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "delete", "insert"]))
        if kind == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "delete":
            del data[position]
        else:
            data.insert(position, draw(st.sampled_from(b"\n 0=+a")))
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(_mutated_proof())
def test_a_mutated_tlog_proof_is_refused_or_proves_the_same_thing(mutated: bytes) -> None:
    try:
        verified = _verify(mutated, witnesses=[WITNESSES[0].verifier()], witness_quorum=1)
    except CheckpointError:
        return
    # Only the unauthenticated extra data may have changed.
    assert verified.index == 7
    assert verified.checkpoint.checkpoint == cp.parse_checkpoint(
        note.parse_note(_signed_checkpoint())[0]
    )
