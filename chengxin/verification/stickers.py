"""The conformity label (检定合格证) of a verified scale: its QR code and sheets to print.

The QR holds the public URL of the scale and the index of the certificate's leaf in the log,
``<base>/s/<CODE>?c=<leaf index>``: what a phone needs to open the scale's page and check the
certificate against the log. It never holds personal data (no verifier, no vendor).

Size: a sticker's QR is about 2 cm wide and a cheap thermal printer needs modules of at least
0.3 mm, so a symbol may have at most ``MAX_MODULES`` modules across including its quiet zone.
The URL is split into numeric, alphanumeric and byte segments (the code is upper case, so it
packs at 5.5 bits a character instead of 8), which keeps it at version 3 for a short base URL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from segno import consts as segno_consts

from .pdf import cjk_font

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
QR_ERROR = "m"  # 15 % of the symbol may be scratched off; boosted when it costs no size
QR_BORDER = 4  # the quiet zone the standard asks for, in modules
QR_WIDTH_MM = Decimal(19)  # on a 40 × 30 mm label, including the quiet zone
MIN_MODULE_MM = Decimal("0.3")
MAX_MODULES = int(QR_WIDTH_MM / MIN_MODULE_MM)  # 63 modules across, quiet zone included

LABEL_WIDTH_MM, LABEL_HEIGHT_MM = 40, 30
SHEET_COLUMNS, SHEET_ROWS = 5, 9  # 45 labels of 40 × 30 mm on A4
MAX_STICKERS = 450  # ten A4 sheets per request


# --- the URL ----------------------------------------------------------------------------------


def public_base_url() -> str:
    return str(getattr(settings, "CHENGXIN_PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL)).rstrip("/")


def sticker_url(*, code: str, leaf_index: int | None) -> str:
    """The public page of the scale, with the certificate's leaf when it is in the log."""
    url = f"{public_base_url()}/s/{code.upper()}"
    return url if leaf_index is None else f"{url}?c={leaf_index}"


# --- the QR code ------------------------------------------------------------------------------

_NUMERIC = frozenset("0123456789")
_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
_MODES = ("numeric", "alphanumeric", "byte")
# Bits per character and per segment header (mode indicator + count, versions 1–9), in sixths
# of a bit so that 10 bits per 3 digits and 11 bits per 2 characters stay integers.
_SEGNO_MODE = {
    "numeric": segno_consts.MODE_NUMERIC,
    "alphanumeric": segno_consts.MODE_ALPHANUMERIC,
    "byte": segno_consts.MODE_BYTE,
}
_CHAR_COST = {"numeric": 20, "alphanumeric": 33, "byte": 48}
_HEADER_COST = {"numeric": 6 * 14, "alphanumeric": 6 * 13, "byte": 6 * 12}


def _fits(mode: str, ch: str) -> bool:
    if mode == "numeric":
        return ch in _NUMERIC
    if mode == "alphanumeric":
        return ch in _ALPHANUMERIC
    return ch.isascii()


def segments(text: str) -> list[tuple[str, str]]:
    """The cheapest split of ASCII ``text`` into (data, mode) segments (dynamic programming)."""
    if not text:
        return []
    infinity = 1 << 60
    # cost[m]: cheapest encoding of the prefix that ends in an open segment of mode m.
    cost = dict.fromkeys(_MODES, infinity)
    back: list[dict[str, str | None]] = []
    for i, ch in enumerate(text):
        best_prev = min(cost.values()) if i else 0
        best_prev_mode = min(cost, key=cost.__getitem__) if i else None
        new: dict[str, int] = {}
        step: dict[str, str | None] = {}
        for m in _MODES:
            if not _fits(m, ch):
                new[m] = infinity
                step[m] = None
                continue
            stay = cost[m] + _CHAR_COST[m] if i else infinity
            switch = best_prev + _HEADER_COST[m] + _CHAR_COST[m]
            if stay <= switch:
                new[m], step[m] = stay, m
            else:
                new[m], step[m] = switch, best_prev_mode if i else None
        cost = new
        back.append(step)
    mode: str | None = min(cost, key=cost.__getitem__)
    modes: list[str] = []
    for i in range(len(text) - 1, -1, -1):
        assert mode is not None
        modes.append(mode)
        mode = back[i][mode]
    modes.reverse()
    result: list[tuple[str, str]] = []
    for ch, m in zip(text, modes, strict=True):
        if result and result[-1][1] == m:
            result[-1] = (result[-1][0] + ch, m)
        else:
            result.append((ch, m))
    return result


def qr_code(url: str) -> segno.QRCode:
    """The smallest QR code for ``url`` at error level M (or better if it costs no size)."""
    content = [(data, _SEGNO_MODE[mode]) for data, mode in segments(url)]
    return segno.make_qr(content, error=QR_ERROR, boost_error=True)  # type: ignore[arg-type]


def qr_png(url: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=QR_BORDER)
    return out.getvalue()


def modules_across(qr: segno.QRCode) -> int:
    """Modules across the printed symbol, quiet zone included."""
    width, _height = qr.symbol_size(scale=1, border=QR_BORDER)
    return int(width)


def draw_qr(pdf: canvas.Canvas, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """Draw ``qr`` as vector squares into the square of side ``size`` at (x, y)."""
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=QR_BORDER)]
    module = size / len(rows)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, top, (c - start) * module, module, stroke=0, fill=1)
            else:
                c += 1


# --- the stickers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sticker:
    """What one conformity label says."""

    display_code: str
    code: str
    valid_until: str
    institution: str
    url: str


def institution_short_name(name: str, limit: int = 14) -> str:
    """The institution's name, shortened to fit the label's bottom line."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _draw_label(pdf: canvas.Canvas, sticker: Sticker, x: float, y: float, font: str) -> None:
    w, h = LABEL_WIDTH_MM * mm, LABEL_HEIGHT_MM * mm
    pdf.setLineWidth(0.3)
    pdf.setStrokeColorRGB(0.6, 0.6, 0.6)
    pdf.rect(x + 0.5 * mm, y + 0.5 * mm, w - 1 * mm, h - 1 * mm, stroke=1, fill=0)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(font, 10)
    pdf.drawCentredString(x + w / 2, y + h - 5.5 * mm, _("检定合格"))
    qr_size = float(QR_WIDTH_MM) * mm
    draw_qr(pdf, qr_code(sticker.url), x + 1 * mm, y + 4.2 * mm, qr_size)
    text_x = x + 21 * mm
    pdf.setFont(font, 5.5)
    pdf.drawString(text_x, y + 19.5 * mm, _("有效期至"))
    pdf.setFont(font, 7.5)
    pdf.drawString(text_x, y + 16.3 * mm, sticker.valid_until)
    pdf.setFont(font, 5.5)
    pdf.drawString(text_x, y + 12.5 * mm, _("一秤一码"))
    pdf.setFont(font, 6.5)
    pdf.drawString(text_x, y + 9.6 * mm, sticker.display_code)
    pdf.setFont(font, 5)
    pdf.drawString(text_x, y + 6 * mm, _("扫码核验"))
    pdf.setFont(font, 5.5)
    pdf.drawCentredString(x + w / 2, y + 1.8 * mm, institution_short_name(sticker.institution))


def sticker_sheet_pdf(stickers: list[Sticker], *, layout: str = "a4") -> bytes:
    """Labels of 40 × 30 mm: ``a4`` puts 45 on a sheet, ``label`` one per page (label printers)."""
    font = cjk_font()
    out = io.BytesIO()
    page_size = A4 if layout == "a4" else (LABEL_WIDTH_MM * mm, LABEL_HEIGHT_MM * mm)
    pdf = canvas.Canvas(out, pagesize=page_size, pageCompression=1)
    pdf.setTitle(_("检定合格证"))
    pdf.setCreator("chengxin")
    per_page = SHEET_COLUMNS * SHEET_ROWS if layout == "a4" else 1
    margin_x = (A4[0] - SHEET_COLUMNS * LABEL_WIDTH_MM * mm) / 2
    margin_top = (A4[1] - SHEET_ROWS * LABEL_HEIGHT_MM * mm) / 2
    for i, sticker in enumerate(stickers[:MAX_STICKERS]):
        slot = i % per_page
        if i and slot == 0:
            pdf.showPage()
        if layout == "a4":
            col, row = slot % SHEET_COLUMNS, slot // SHEET_COLUMNS
            x = margin_x + col * LABEL_WIDTH_MM * mm
            y = A4[1] - margin_top - (row + 1) * LABEL_HEIGHT_MM * mm
        else:
            x = y = 0
        _draw_label(pdf, sticker, x, y, font)
    if not stickers:
        pdf.setFont(font, 10)
        pdf.drawString(20 * mm, page_size[1] - 20 * mm, _("没有可打印的检定合格证"))
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def sticker_for(verification: Any, leaf_index: int | None) -> Sticker:
    scale = verification.scale
    return Sticker(
        display_code=scale.display_code,
        code=scale.code,
        valid_until=verification.valid_until.isoformat() if verification.valid_until else "",
        institution=verification.institution.name,
        url=sticker_url(code=scale.code, leaf_index=leaf_index),
    )


__all__ = [
    "MAX_MODULES",
    "Sticker",
    "modules_across",
    "public_base_url",
    "qr_code",
    "qr_png",
    "segments",
    "sticker_for",
    "sticker_sheet_pdf",
    "sticker_url",
]
