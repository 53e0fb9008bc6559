"""The conformity label: its QR decodes (with a real decoder) to the scale's public URL and
certificate leaf, stays small enough to print on 2 cm, and sheets of labels are valid PDFs."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from chengxin.instruments import codes
from chengxin.instruments.choices import ScaleState
from chengxin.ledger import services as ledger
from chengxin.testing import factories as f
from chengxin.verification import services, stickers
from chengxin.verification.selectors import certificate_leaf_index
from chengxin.verification.tests.test_pdf import pdf_text
from chengxin.verification.tests.test_services import readings


def decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, results
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


@pytest.fixture
def verified(world):
    scale = f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)
    v = services.verification_record(user=world.u_verifier, scale=scale, raw=readings())
    ledger.log_integrate_all()
    return v


def test_the_qr_decodes_to_the_public_url_with_the_certificate_leaf(client, world, verified):
    client.force_login(world.u_verifier)
    response = client.get(reverse("verification:qr", args=[verified.pk]))
    assert response["Content-Type"] == "image/png"
    index = certificate_leaf_index(verified.certificate)
    assert index is not None
    assert decode(response.content) == (f"http://127.0.0.1:8000/s/{verified.scale.code}?c={index}")


def test_the_base_url_comes_from_the_settings(settings):
    settings.CHENGXIN_PUBLIC_BASE_URL = "https://chengxin.example.gov.cn/"
    url = stickers.sticker_url(code="abcdefghj1", leaf_index=42)
    assert url == "https://chengxin.example.gov.cn/s/ABCDEFGHJ1?c=42"
    assert decode(stickers.qr_png(url)) == url


def test_the_qr_fits_a_two_centimetre_sticker_with_modules_of_0_3_mm(settings):
    settings.CHENGXIN_PUBLIC_BASE_URL = "https://chengxin.example.gov.cn"
    url = stickers.sticker_url(code=codes.generate(), leaf_index=123_456_789)
    qr = stickers.qr_code(url)
    assert stickers.modules_across(qr) <= stickers.MAX_MODULES
    assert qr.version <= 4 and qr.error in ("M", "Q", "H")
    assert float(stickers.QR_WIDTH_MM) / stickers.modules_across(qr) >= 0.3


def test_the_code_travels_in_alphanumeric_mode():
    parts = stickers.segments("http://127.0.0.1:8000/s/ABCDEFGHJK?c=1234")
    assert ("/ABCDEFGHJK", "alphanumeric") in parts
    assert parts[-1] == ("1234", "numeric")


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_segments_always_spell_the_text(text):
    assert "".join(data for data, _mode in stickers.segments(text)) == text


def test_sticker_sheets_are_pdfs_with_the_label_text(client, world, verified):
    client.force_login(world.u_verifier)
    a4 = client.get(reverse("verification:sticker", args=[verified.pk]), {"copies": "3"})
    assert a4.status_code == 200 and a4["Content-Type"] == "application/pdf"
    flat = pdf_text(a4.content).replace(" ", "")
    assert flat.count("检定合格") == 3
    assert verified.valid_until.isoformat() in flat and verified.scale.display_code in flat
    label = client.get(
        reverse("verification:sticker", args=[verified.pk]), {"layout": "label", "copies": "2"}
    )
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(label.content)).pages
    assert len(pages) == 2
    width_mm = float(pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 40
    sheet = client.get(reverse("verification:sticker_sheet"))
    assert verified.scale.display_code in pdf_text(sheet.content).replace(" ", "")
