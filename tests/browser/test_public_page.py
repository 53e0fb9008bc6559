"""The public page of a scale, in a real browser: the log check runs in the page and trusts
nothing the server says beyond the embedded key — a tampered tile, entry or checkpoint fails."""

from __future__ import annotations

import base64
import re
from types import SimpleNamespace
from typing import Any

import pytest

from chengxin.core.changes import change_records_for_bulk_create
from chengxin.instruments import services as instruments
from chengxin.ledger import merkle
from chengxin.ledger import services as ledger
from chengxin.ledger.models import Checkpoint, Subject
from chengxin.ledger.note import Ed25519Signer
from chengxin.markets.models import Stall
from chengxin.testing import factories as f
from chengxin.verification.services import verification_record

pytestmark = pytest.mark.browser

DONE = "#px-log-summary[data-status]"


def _filler(market: Any, count: int, prefix: str) -> None:
    """``count`` more leaves (stalls), so the scale's records sit in several tiles."""
    stalls = Stall.objects.bulk_create(
        [Stall(market=market, number=f"{prefix}{i:04d}") for i in range(count)]
    )
    change_records_for_bulk_create(stalls)


@pytest.fixture
def scale_in_log(divisions: None, live_server: Any, world: Any) -> SimpleNamespace:
    """A verified scale whose records span two level-0 tiles of a log of 600-odd leaves."""
    scale = instruments.scale_register(
        user=world.u_maker,
        serial="BROWSER-1",
        type_approval=world.approval.certificate_no,
        production_code="P-B1",
        software_version="1.0.0",
        software_checksum="A1B2",
        manufactured_on="2026-03-01",
    )
    _filler(world.market, 300, "F")
    steps = [
        (world.u_maker, "release", "", {}),
        (world.u_maker, "sell", "", {"operator": world.operator.pk}),
        (world.u_operator, "register", "", {"market": world.market.pk, "stall": world.stall.pk}),
    ]
    for user, transition, document, values in steps:
        instruments.scale_transition(
            user=user, scale=scale, transition=transition, document=document, values=values
        )
    verification_record(user=world.u_verifier, scale=scale, raw=f.verification_readings())
    _filler(world.market, 250, "G")
    ledger.log_integrate_all()
    indexes = sorted(
        Subject.objects.filter(key=f"object:instruments.scale:{scale.pk}").values_list(
            "leaf_index", flat=True
        )
    )
    size = Checkpoint.objects.latest().size
    assert indexes[0] < 256 <= indexes[-1] < 512 < size, (indexes, size)
    return SimpleNamespace(
        scale=scale, url=f"{live_server.url}/s/{scale.code}", indexes=indexes, size=size
    )


def _rows(page: Any) -> dict[int, tuple[str, str]]:
    return {
        int(row.get_attribute("data-leaf-index")): (
            row.get_attribute("data-status"),
            row.locator("[data-check]").inner_text(),
        )
        for row in page.locator("[data-leaf-index]").all()
    }


def test_the_page_verifies_every_record_in_the_browser(scale_in_log, browser_page):
    page = browser_page
    page.goto(scale_in_log.url)
    page.wait_for_selector(DONE)
    rows = _rows(page)
    assert sorted(rows) == scale_in_log.indexes
    assert {status for status, _ in rows.values()} == {"ok"}, rows
    assert all("已在日志中 ✓" in text for _, text in rows.values())
    assert page.locator("#px-log-summary").get_attribute("data-status") == "ok"
    key_id = page.locator("#px-key-id").inner_text()
    signer = page.locator("#px-log-signer").inner_text()
    assert key_id in signer and str(scale_in_log.size) in signer
    assert "已检定合格，有效期至" in page.locator("h1").inner_text()


def _tamper_first_byte(route: Any) -> None:
    response = route.fetch()
    body = bytearray(response.body())
    body[0] ^= 0x01
    route.fulfill(response=response, body=bytes(body))


def _assert_all_fail(page: Any, reason: str) -> None:
    page.wait_for_selector(DONE)
    rows = _rows(page)
    assert rows and {status for status, _ in rows.values()} == {"fail"}, rows
    assert all(reason in text for _, text in rows.values()), rows
    assert page.locator("#px-log-summary").get_attribute("data-status") == "fail"


def test_a_tampered_hash_tile_makes_the_check_fail(scale_in_log, browser_page):
    page = browser_page
    page.route(re.compile(r".*/log/tile/[0-9]+/.*"), _tamper_first_byte)
    page.goto(scale_in_log.url)
    _assert_all_fail(page, "哈希瓦片与签名的树根不一致")


def test_a_tampered_checkpoint_root_makes_the_check_fail(scale_in_log, browser_page):
    def forge_root(route: Any) -> None:
        response = route.fetch()
        lines = response.text().split("\n")
        root = bytearray(base64.b64decode(lines[2]))
        root[0] ^= 0x01
        lines[2] = base64.b64encode(bytes(root)).decode()
        route.fulfill(response=response, body="\n".join(lines))

    page = browser_page
    page.route("**/log/checkpoint", forge_root)
    page.goto(scale_in_log.url)
    _assert_all_fail(page, "检查点的签名无效")


def test_a_checkpoint_signed_by_another_key_fails(scale_in_log, browser_page):
    """Whoever controls the server cannot re-sign a forged tree under a key of the same name."""
    impostor = Ed25519Signer.generate("chengxin.localhost/log")

    def resign(route: Any) -> None:
        response = route.fetch()
        body = response.text().split("\n\n")[0] + "\n"
        signature = base64.b64encode(
            impostor.key_id.to_bytes(4, "big") + impostor.sign(body.encode())
        ).decode()
        route.fulfill(response=response, body=f"{body}\n— {impostor.name} {signature}\n")

    page = browser_page
    page.route("**/log/checkpoint", resign)
    page.goto(scale_in_log.url)
    _assert_all_fail(page, "检查点没有日志密钥的签名")


def test_a_tampered_entry_bundle_fails_the_records_in_it(scale_in_log, browser_page):
    def tamper_last_byte_of_the_scales_leaf(route: Any) -> None:
        response = route.fetch()
        entries = merkle.decode_entry_bundle(response.body())
        # Change one byte inside every leaf that mentions the scale (its code or its id).
        marker = scale_in_log.scale.code.encode()
        forged = [e.replace(b'"request":"', b'"request":"X') if marker in e else e for e in entries]
        route.fulfill(response=response, body=merkle.encode_entry_bundle(forged))

    page = browser_page
    page.route("**/log/tile/entries/**", tamper_last_byte_of_the_scales_leaf)
    page.goto(scale_in_log.url)
    page.wait_for_selector(DONE)
    rows = _rows(page)
    assert "fail" in {status for status, _ in rows.values()}, rows
    failed = [text for status, text in rows.values() if status == "fail"]
    assert all("日志条目与哈希瓦片不符" in text for text in failed), failed
    assert page.locator("#px-log-summary").get_attribute("data-status") == "fail"


def test_other_signatures_on_the_checkpoint_are_shown_as_unverified_cosigners(
    scale_in_log, browser_page
):
    witness = Ed25519Signer.generate("witness.example.org")

    def add_witness(route: Any) -> None:
        response = route.fetch()
        text = response.text()
        body = text.split("\n\n")[0] + "\n"
        signature = base64.b64encode(
            witness.key_id.to_bytes(4, "big") + witness.sign(body.encode())
        ).decode()
        route.fulfill(response=response, body=f"{text}— {witness.name} {signature}\n")

    page = browser_page
    page.route("**/log/checkpoint", add_witness)
    page.goto(scale_in_log.url)
    page.wait_for_selector(DONE)
    assert page.locator("#px-log-summary").get_attribute("data-status") == "ok"
    cosigner = page.locator("#px-log-cosigners li")
    assert cosigner.count() == 1
    assert "witness.example.org" in cosigner.inner_text()
    assert f"{witness.key_id:08x}" in cosigner.inner_text()


def test_the_scripts_tile_arithmetic_matches_the_python_core(scale_in_log, browser_page):
    page = browser_page
    page.goto(scale_in_log.url)
    page.wait_for_selector(DONE)
    computed = page.evaluate(
        """async () => {
            const m = await import('/static/portal/verify.js');
            const out = [];
            for (let i = 0n; i < 3000n; i += 7n) {
                const [level, n] = m.splitStoredHashIndex(i);
                const t = m.tileForIndex(i);
                out.push([Number(level), Number(n), m.tilePath(t.tile), t.start, t.end,
                          Number(m.storedHashIndex(level, n))]);
            }
            return out;
        }"""
    )
    expected = []
    for i in range(0, 3000, 7):
        level, n = merkle.split_stored_hash_index(i)
        tile, start, end = merkle._tile_for_index(i)
        expected.append([level, n, tile.path, start, end, merkle.stored_hash_index(level, n)])
    assert computed == expected


def test_the_script_reads_verifier_keys_whose_base64_holds_a_plus(scale_in_log, browser_page):
    """A key's base64 part may contain "+", the separator of the key's fields."""
    keys_with_plus = []
    while len(keys_with_plus) < 3:
        vkey = Ed25519Signer.generate("chengxin.localhost/log").verifier_key
        if vkey.split("+", 2)[2].count("+"):
            keys_with_plus.append(vkey)
    page = browser_page
    page.goto(scale_in_log.url)
    page.wait_for_selector(DONE)
    parsed = page.evaluate(
        """async (vkeys) => {
            const m = await import('/static/portal/verify.js');
            const out = [];
            for (const vkey of vkeys) out.push((await m.parseVerifierKey(vkey)).keyId);
            return out;
        }""",
        keys_with_plus,
    )
    assert parsed == [vkey.split("+", 2)[1] for vkey in keys_with_plus]
