"""`chengxin verify FILE --policy POLICY`: offline verification of a downloaded record bundle."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chengxin.ledger import keys, note
from chengxin.ledger.checkpoint import TlogProof, parse_tlog_proof
from chengxin.ledger.verify import (
    BundleError,
    PolicyError,
    format_policy,
    parse_policy,
    parse_record_bundle,
    verify_record_bundle,
)


@pytest.fixture
def bundle(client, log_world) -> str:
    response = client.get("/api/v1/log/leaves/300/record-bundle")
    assert response.status_code == 200
    return response.content.decode()


def _verify(tmp_path: Path, bundle: str, policy: str, capsys) -> tuple[int, str, str]:
    (tmp_path / "bundle.json").write_text(bundle)
    (tmp_path / "policy.txt").write_text(policy)
    code = 0
    try:
        call_command(
            "verify", str(tmp_path / "bundle.json"), "--policy", str(tmp_path / "policy.txt")
        )
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _witness(name: str = "witness.example.org") -> note.CosignatureSigner:
    signer_key, _ = note.generate_key(name)
    return note.CosignatureSigner.from_key(signer_key, now=lambda: 1_700_000_000)


def _cosigned(bundle: str, witness: note.CosignatureSigner) -> str:
    value = json.loads(bundle)
    proof = parse_tlog_proof(value["proof"])
    text, signatures = note.parse_note(proof.signed_checkpoint)
    signed = note.sign_note(text, [witness], existing=signatures)
    value["proof"] = TlogProof(proof.index, proof.inclusion_proof, signed).to_text()
    return json.dumps(value)


def test_a_downloaded_bundle_is_valid(tmp_path, bundle, capsys):
    code, out, _ = _verify(tmp_path, bundle, format_policy(keys.verifier_key()), capsys)
    assert code == 0
    assert "record:     markets.stall #" in out and " create at " in out
    assert f"checkpoint: {keys.origin()} size " in out
    assert out.strip().endswith("VALID")


def test_a_tampered_leaf_is_invalid(tmp_path, bundle, capsys):
    value = json.loads(bundle)
    leaf = base64.b64decode(value["leaf"]).replace(b'"action":"create"', b'"action":"delete"')
    value["leaf"] = base64.b64encode(leaf).decode()
    code, out, _ = _verify(tmp_path, json.dumps(value), format_policy(keys.verifier_key()), capsys)
    assert code == 1
    assert "INVALID: the leaf is not in the checkpoint's tree" in out
    assert " delete at " in out  # it still says which record the bundle claims


def test_a_wrong_log_key_is_invalid(tmp_path, bundle, capsys):
    _, other_key = note.generate_key(keys.origin())
    code, out, _ = _verify(tmp_path, bundle, format_policy(other_key), capsys)
    assert code == 1
    assert "INVALID: the checkpoint is not signed by the log key in the policy" in out


def test_another_logs_key_is_invalid(tmp_path, bundle, capsys):
    _, other_key = note.generate_key("other.example.org/log")
    code, out, _ = _verify(tmp_path, bundle, format_policy(other_key), capsys)
    assert code == 1
    assert "is from log" in out


def test_an_unmet_witness_quorum_is_invalid(tmp_path, bundle, capsys):
    witness = _witness()
    policy = format_policy(keys.verifier_key(), {"zjmi": witness.verifier_key}, quorum=1)
    code, out, _ = _verify(tmp_path, bundle, policy, capsys)
    assert code == 1
    assert "INVALID: witness quorum not met" in out


def test_a_met_witness_quorum_is_valid_and_named(tmp_path, bundle, capsys):
    witness, absent = _witness(), _witness("absent.example.org")
    policy = format_policy(
        keys.verifier_key(), {"zjmi": witness.verifier_key, "nim": absent.verifier_key}, quorum=1
    )
    code, out, _ = _verify(tmp_path, _cosigned(bundle, witness), policy, capsys)
    assert code == 0, out
    assert "witnesses:  zjmi" in out


@pytest.mark.parametrize(
    ("bundle_text", "policy", "words"),
    [
        ("not json", None, "not JSON"),
        ('{"format": "chengxin.record-bundle", "v": 2}', None, "version"),
        ('{"format": "chengxin.record-bundle", "v": 1, "leaf": "@@", "proof": ""}', None, "base64"),
        ('{"format": "chengxin.record-bundle", "v": 1, "leaf": "", "proof": "x"}', None, "tlog"),
        (None, "log not-a-key\n", "policy line 1: not a verifier key"),
        (None, "quorum 1\n", "no `log <vkey>` line"),
        (None, "trust everyone\n", "unknown keyword"),
    ],
)
def test_malformed_input_is_one_clear_line_and_exit_2(
    tmp_path, bundle, capsys, bundle_text, policy, words
):
    code, out, err = _verify(
        tmp_path, bundle_text or bundle, policy or format_policy(keys.verifier_key()), capsys
    )
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and words in err and err.count("\n") == 1


def test_a_missing_file_is_exit_2(tmp_path, capsys, db):
    (tmp_path / "policy.txt").write_text(format_policy(keys.verifier_key()))
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "verify", str(tmp_path / "nope.json"), "--policy", str(tmp_path / "policy.txt")
        )
    assert exit_.value.code == 2
    assert "cannot read record bundle" in capsys.readouterr().err


def test_the_verifier_needs_no_django():
    code = (
        "import sys, chengxin.ledger.verify as v; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0  # noqa: S603


def test_policy_parsing():
    log_key = note.generate_key("log.example.org/log")[1]
    witness = _witness()
    policy = parse_policy(
        f"# trust\n\nlog {log_key}\nwitness zjmi {witness.verifier_key}\nquorum 1\n"
    )
    assert policy.origin == "log.example.org/log"
    assert policy.quorum == 1 and [n for n, _ in policy.witnesses] == ["zjmi"]
    for bad, words in [
        (f"log {log_key}\nquorum 2\n", "more than the 0 witnesses"),
        (f"log {log_key}\nlog {note.generate_key('b.example/log')[1]}\n", "different logs"),
        (f"log {log_key}\nwitness a {witness.verifier_key}\nwitness a {log_key}\n", "twice"),
        (f"log {log_key}\nquorum -1\n", "small whole number"),
        (f"log {log_key} extra\n", "expected `log <vkey>`"),
    ]:
        with pytest.raises(PolicyError, match=words):
            parse_policy(bad)


# --- fuzz: the parsers raise only their own, clear errors -----------------------------------------

_KEYWORDS = st.sampled_from(["log", "witness", "quorum", "#", "", "log\t", "quorum 01"])
_POLICY_LINES = st.lists(
    st.tuples(_KEYWORDS, st.text(max_size=60)).map(lambda kv: f"{kv[0]} {kv[1]}"), max_size=6
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_POLICY_LINES, st.text(max_size=200), st.binary(max_size=200)))
def test_fuzz_policy_parser_raises_only_policy_errors(text):
    message = "parsed"
    try:
        parse_policy(text)
    except PolicyError as exc:
        message = str(exc)
    assert message and "\n" not in message


_BUNDLE_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_BUNDLES = st.fixed_dictionaries(
    {
        "format": st.sampled_from(["chengxin.record-bundle", "x"]),
        "v": st.sampled_from([1, True, "1"]),
    },
    optional={"leaf": _BUNDLE_VALUES, "proof": _BUNDLE_VALUES},
).map(json.dumps)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_BUNDLES, st.text(max_size=300), st.binary(max_size=300)))
def test_fuzz_bundle_parser_raises_only_bundle_errors(text):
    message = "parsed"
    try:
        parse_record_bundle(text)
    except BundleError as exc:
        message = str(exc)
    assert message


@pytest.fixture(scope="module")
def genuine() -> tuple[str, str]:
    """A real bundle and policy, made without the database (fuzz needs no fixtures per example)."""
    import datetime as dt

    from chengxin.ledger import leaves, merkle
    from chengxin.ledger.checkpoint import Checkpoint, sign_checkpoint, tlog_proof_create
    from chengxin.ledger.verify import record_bundle_create

    signer = note.Ed25519Signer.generate("fuzz.example.org/log")
    data = [
        leaves.change_leaf(
            record_id=i,
            time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            model="markets.stall",
            object_id=str(i),
            action="create",
            actor=None,
            source="cli",
            request_id="r",
            before=None,
            after={"number": f"A{i}"},
            personal_fields=(),
            salt=b"\x00" * 16,
        )
        for i in range(5)
    ]
    hashes = [merkle.leaf_hash(d) for d in data]
    signed = sign_checkpoint(Checkpoint(signer.name, 5, merkle.root_hash(hashes)), [signer])
    proof = tlog_proof_create(
        index=2, inclusion_proof=merkle.inclusion_proof(hashes, 2), signed_checkpoint=signed
    )
    return record_bundle_create(leaf=data[2], proof=proof), format_policy(signer.verifier_key)


def test_the_genuine_fuzz_seed_is_valid(genuine):
    bundle_text, policy = genuine
    assert verify_record_bundle(bundle_text, parse_policy(policy)).valid


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_fuzz_mutated_bundles_are_invalid_or_malformed_never_a_crash(genuine, data):
    bundle_text, policy = genuine
    raw = bytearray(bundle_text.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    try:
        result = verify_record_bundle(bytes(raw), parse_policy(policy))
    except BundleError:
        return
    if bytes(raw) != bundle_text.encode():
        assert result.reason or result.valid  # a flip in JSON whitespace may leave it valid
    assert result.lines()[-1].startswith(("VALID", "INVALID: "))
