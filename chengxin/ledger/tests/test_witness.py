"""The witness (C2SP tlog-witness) and the log asking witnesses to cosign."""

from __future__ import annotations

import base64
import threading

import pytest

from chengxin.ledger import cosign, keys, merkle, services, witness
from chengxin.ledger.checkpoint import Checkpoint as Body
from chengxin.ledger.checkpoint import open_checkpoint, sign_checkpoint
from chengxin.ledger.models import Checkpoint
from chengxin.ledger.note import CosignatureSigner, Ed25519Signer, Ed25519Verifier

ORIGIN = "log.example/test"


@pytest.fixture
def log_signer():
    return Ed25519Signer.generate(ORIGIN)


@pytest.fixture
def cosigner():
    return CosignatureSigner.from_key(Ed25519Signer.generate("witness.example/w1").signer_key)


def _tree(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]


def _request(signer, leaves, old, size, *, proof=None, origin=ORIGIN) -> bytes:
    root = merkle.root_hash(leaves[:size])
    note = sign_checkpoint(Body(origin=origin, size=size, root_hash=root), [signer])
    if proof is None:
        proof = merkle.consistency_proof(leaves[:size], old) if 0 < old < size else []
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode()


def _handle(body, signer, cosigner, state):
    return witness.add_checkpoint(
        body, logs={ORIGIN: [signer.verifier()]}, signer=cosigner, state=state
    )


def test_first_checkpoint_then_a_consistent_one_are_cosigned(log_signer, cosigner):
    state, leaves = witness.MemoryState(), _tree(40)
    first = _handle(_request(log_signer, leaves, 0, 10), log_signer, cosigner, state)
    assert first.status == 200 and first.body.startswith("— witness.example/w1 ".encode())
    second = _handle(_request(log_signer, leaves, 10, 40), log_signer, cosigner, state)
    assert second.status == 200
    assert state.states[ORIGIN].size == 40


def test_a_cosignature_verifies_with_the_witness_key(log_signer, cosigner):
    state, leaves = witness.MemoryState(), _tree(5)
    body = _request(log_signer, leaves, 0, 5)
    line = _handle(body, log_signer, cosigner, state).body.decode()
    note = body.decode().split("\n\n", 1)[1] + line
    opened = open_checkpoint(
        note,
        origin=ORIGIN,
        log_verifiers=[log_signer.verifier()],
        witnesses=[cosigner.verifier()],
        witness_quorum=1,
    )
    assert opened.checkpoint.size == 5


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("unknown origin", 404),
        ("bad signature", 403),
        ("old above size", 400),
        ("stale old size", 409),
        ("bad proof", 422),
        ("fork at same size", 409),
        ("garbage", 400),
    ],
)
def test_refusals_use_the_specs_status_codes(log_signer, cosigner, case, status):
    state, leaves = witness.MemoryState(), _tree(30)
    assert _handle(_request(log_signer, leaves, 0, 10), log_signer, cosigner, state).status == 200
    other = Ed25519Signer.generate(ORIGIN)
    if case == "unknown origin":
        stranger = Ed25519Signer.generate("other.example/log")
        body = _request(stranger, leaves, 10, 20, origin="other.example/log")
    elif case == "bad signature":
        body = _request(other, leaves, 10, 20)
    elif case == "old above size":
        body = _request(log_signer, leaves, 25, 20, proof=[])
    elif case == "stale old size":
        body = _request(log_signer, leaves, 5, 20)
    elif case == "bad proof":
        proof = merkle.consistency_proof(leaves[:20], 10)
        proof[0] = bytes(32)
        body = _request(log_signer, leaves, 10, 20, proof=proof)
    elif case == "fork at same size":
        body = _request(log_signer, [*_tree(9), merkle.leaf_hash(b"forged")], 10, 10)
    else:
        body = b"old x\n\nnot a checkpoint"
    response = _handle(body, log_signer, cosigner, state)
    assert response.status == status
    assert state.states[ORIGIN].size == 10  # nothing rolled forward or back
    if case == "stale old size":
        assert response.body == b"10\n" and response.content_type == "text/x.tlog.size"


def test_the_state_file_survives_a_restart(tmp_path, log_signer, cosigner):
    leaves = _tree(12)
    path = tmp_path / "witness.json"
    _handle(_request(log_signer, leaves, 0, 7), log_signer, cosigner, witness.StateFile(path))
    again = _handle(
        _request(log_signer, leaves, 0, 12), log_signer, cosigner, witness.StateFile(path)
    )
    assert again.status == 409 and again.body == b"7\n"


@pytest.fixture
def running_witness(settings, cosigner, tmp_path):
    verifier = Ed25519Verifier.from_key(keys.verifier_key())
    server = witness.make_server(
        ("127.0.0.1", 0),
        logs={keys.origin(): [verifier]},
        signer=cosigner,
        state=witness.StateFile(tmp_path / "state.json"),
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CHENGXIN_LOG_WITNESSES = [
        {"url": f"http://127.0.0.1:{server.server_address[1]}", "vkey": cosigner.verifier_key}
    ]
    yield server
    server.shutdown()


def test_the_log_publishes_only_checkpoints_with_the_quorum(world, settings, running_witness):
    settings.CHENGXIN_LOG_WITNESS_QUORUM = 1
    services.log_integrate(limit=10)
    assert not Checkpoint.objects.published().exists()  # signed but not yet cosigned
    assert cosign.cosign_latest() == 1
    first = Checkpoint.objects.published().get()
    world.maker.address = "杭州市西湖区文三路 1 号"
    world.maker.save()
    services.log_integrate_all()
    assert Checkpoint.objects.published().first() == first  # new one still waits
    assert cosign.cosign_latest() == 1  # the witness checks consistency from size 10
    latest = Checkpoint.objects.published().first()
    assert latest.size > first.size and latest.cosignatures == 1


def test_an_unreachable_witness_does_not_stop_the_log(world, settings):
    settings.CHENGXIN_LOG_WITNESSES = [
        {
            "url": "http://127.0.0.1:9",
            "vkey": CosignatureSigner.from_key(
                Ed25519Signer.generate("down.example/w").signer_key
            ).verifier_key,
        }
    ]
    services.log_integrate_all()
    assert cosign.cosign_latest() == 0
    assert Checkpoint.objects.latest().cosignatures == 0
