"""/api/v1/log/: proofs and bundles that a client verifies with the pure verifiers alone."""

from __future__ import annotations

import base64
import json

import pytest

from chengxin.ledger import keys, leaves, merkle
from chengxin.ledger.checkpoint import open_checkpoint, verify_tlog_proof
from chengxin.ledger.models import LogEntry
from chengxin.ledger.note import Ed25519Verifier
from chengxin.ledger.verify import format_policy, parse_policy, verify_record_bundle
from chengxin.testing import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/log"


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _log_verifier() -> Ed25519Verifier:
    return Ed25519Verifier.from_key(keys.verifier_key())


def _leaf_hash(index: int) -> bytes:
    return bytes(LogEntry.objects.get(index=index).leaf_hash)


def test_checkpoint_is_the_latest_signed_tree_head(client, log_world):
    body = client.get(f"{API}/checkpoint").json()
    assert body["origin"] == keys.origin()
    assert body["size"] == log_world.size
    opened = open_checkpoint(body["note"], origin=keys.origin(), log_verifiers=[_log_verifier()])
    assert opened.checkpoint.root_hash == _b64(body["root_hash"])


def test_inclusion_proofs_verify_against_the_checkpoint(client, log_world):
    root = _b64(client.get(f"{API}/checkpoint").json()["root_hash"])
    for index in (0, 1, 255, 256, 300, log_world.size - 1):
        body = client.get(f"{API}/inclusion", {"index": index}).json()
        assert body["size"] == log_world.size
        proof = [_b64(h) for h in body["proof"]]
        merkle.verify_inclusion(index, log_world.size, _leaf_hash(index), proof, root)


def test_inclusion_proof_in_an_older_tree(client, log_world):
    old = log_world.old_size
    body = client.get(f"{API}/inclusion", {"index": 7, "size": old}).json()
    hashes = [
        bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]
    merkle.verify_inclusion(
        7, old, hashes[7], [_b64(h) for h in body["proof"]], merkle.root_hash(hashes[:old])
    )


def test_consistency_proof_between_checkpoints_verifies(client, log_world):
    hashes = [
        bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]
    old, new = log_world.old_size, log_world.size
    body = client.get(f"{API}/consistency", {"from": old, "to": new}).json()
    merkle.verify_consistency(
        old,
        new,
        [_b64(h) for h in body["proof"]],
        merkle.root_hash(hashes[:old]),
        merkle.root_hash(hashes),
    )
    latest = client.get(f"{API}/consistency", {"from": 1}).json()
    assert latest["to"] == new


def test_a_proof_is_one_query_when_the_size_is_given(client, log_world, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"{API}/inclusion", {"index": 300, "size": log_world.size})
    assert response.status_code == 200


def test_leaf_shows_the_record_and_its_hash(client, log_world):
    body = client.get(f"{API}/leaves/3").json()
    data = _b64(body["data"])
    assert body["leaf"] == leaves.parse_leaf(data)
    assert _b64(body["leaf_hash"]) == merkle.leaf_hash(data)
    assert "salt" not in body


def test_tlog_proof_bundle_downloads_and_verifies(client, log_world):
    response = client.get(f"{API}/leaves/42/bundle")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    verified = verify_tlog_proof(
        response.content,
        leaf_hash=_leaf_hash(42),
        origin=keys.origin(),
        log_verifiers=[_log_verifier()],
    )
    assert verified.index == 42
    assert verified.checkpoint.checkpoint.size == log_world.size


def test_record_bundle_downloads_and_verifies_offline(client, log_world):
    response = client.get(f"{API}/leaves/42/record-bundle")
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["format"] == "chengxin.record-bundle"
    result = verify_record_bundle(
        response.content, parse_policy(format_policy(keys.verifier_key()))
    )
    assert result.valid, result.reason


def test_records_finds_a_scales_leaves_by_code(client, world):
    from chengxin.ledger import services

    scale = f.scale(world.approval)
    services.log_integrate_all()
    body = client.get(f"{API}/records", {"key": f"scale:{scale.code}"}).json()
    assert body["leaf_indexes"] and body["next"] is None
    for index in body["leaf_indexes"]:
        leaf = client.get(f"{API}/leaves/{index}").json()["leaf"]
        assert leaf["model"] == "instruments.scale" and leaf["object"] == str(scale.pk)


BAD = [
    ("inclusion", {}, "required"),
    ("inclusion", {"index": "abc"}, "non-negative integer"),
    ("inclusion", {"index": "-1"}, "non-negative integer"),
    ("inclusion", {"index": "1" * 40}, "non-negative integer"),
    ("inclusion", {"index": "99999"}, "not in a tree"),
    ("inclusion", {"index": "1", "size": "99999"}, "beyond the log"),
    ("inclusion", {"index": "1", "size": str(2**64)}, "2**64"),
    ("consistency", {"from": "0"}, "no consistency proof"),
    ("consistency", {"from": "5", "to": "3"}, "no consistency proof"),
    ("consistency", {"from": "1", "to": "99999"}, "beyond the log"),
    ("records", {}, "required"),
]


def test_bad_parameters_are_400_with_a_clear_message(client, log_world):
    for endpoint, params, words in BAD:
        response = client.get(f"{API}/{endpoint}", params)
        assert response.status_code == 400, (endpoint, params)
        assert words in response.json()["detail"], (endpoint, params, response.json())


def test_unknown_or_pending_leaves_are_404(client, log_world):
    f.stall(log_world.market)  # a pending leaf
    pending = LogEntry.objects.filter(index__isnull=True).count()
    assert pending
    for path in (f"leaves/{log_world.size}", "leaves/x1", f"leaves/{log_world.size}/bundle"):
        assert client.get(f"{API}/{path}").status_code in (400, 404), path


def test_the_log_api_is_public(client, log_world):
    assert client.get(f"{API}/checkpoint").status_code == 200
    assert client.get(f"{API}/inclusion", {"index": 0}).status_code == 200
