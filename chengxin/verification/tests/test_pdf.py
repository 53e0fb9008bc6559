"""The certificate and result-notice PDFs: valid, Chinese, every field, names for the holder."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from chengxin.instruments.choices import ScaleState
from chengxin.ledger import services as ledger
from chengxin.testing import factories as f
from chengxin.verification import pdf, services
from chengxin.verification.tests.test_services import readings


def pdf_text(body: bytes) -> str:
    """The text of a PDF: pdftotext (poppler) when installed, else pypdf."""
    assert body.startswith(b"%PDF-")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        done = subprocess.run(  # noqa: S603 - a fixed program on our own test output
            [pdftotext, "-layout", "-", "-"], input=body, capture_output=True, check=True
        )
        return done.stdout.decode("utf-8")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def registered(world):
    return f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)


def _download(client, user, verification):
    client.force_login(user)
    response = client.get(reverse("verification:document", args=[verification.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert verification.document_no in response["Content-Disposition"]
    return response.content


def test_the_certificate_pdf_carries_every_field_and_the_three_names(client, world, registered):
    world.u_verifier.first_name = "李明"
    world.u_verifier.save()
    checker = f.user(world.lab, "checker", first_name="王芳")
    raw = readings(checker=checker.pk, place="西湖农贸市场")
    v = services.verification_record(user=world.u_verifier, scale=registered, raw=raw)
    ledger.log_integrate_all()
    body = _download(client, world.u_verifier, v)
    text = pdf_text(body)
    flat = text.replace(" ", "")
    assert len(PdfReader(io.BytesIO(body)).pages) >= 1
    for expected in (
        "检定证书",
        v.document_no,
        world.lab.name,
        registered.display_code,
        registered.serial,
        world.approval.certificate_no,
        world.approval.model_name,
        world.maker.name,
        v.valid_until.isoformat(),
        v.verification_code,
        "QF-0001",
        "西湖农贸市场",
        "检定结论",
        "合格",
        "偏载",
        "重复性",
        "李明",
        "王芳",
        v.certificate.signing_key.verifier_key.split("+", 2)[1],
    ):
        assert expected.replace(" ", "") in flat, expected


def test_a_failure_gets_a_result_notice_pdf_with_the_reasons(client, world, registered):
    v = services.verification_record(
        user=world.u_verifier, scale=registered, raw=readings(error_g="10")
    )
    flat = pdf_text(_download(client, world.u_verifier, v)).replace(" ", "")
    assert "检定结果通知书" in flat and v.document_no in flat
    assert "称量测试超出最大允许误差" in flat


def test_the_pdf_is_not_served_outside_the_jurisdiction(client, world, registered):
    v = services.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    client.force_login(world.u_other_verifier)
    assert client.get(reverse("verification:document", args=[v.pk])).status_code == 404


def test_a_missing_font_is_a_clear_error(settings, monkeypatch):
    monkeypatch.setattr(pdf.pdfmetrics, "getRegisteredFontNames", list)
    settings.CHENGXIN_PDF_FONT = "/nonexistent/font.ttc"
    with pytest.raises(pdf.FontMissing, match="fonts-wqy-microhei"):
        pdf.cjk_font()
