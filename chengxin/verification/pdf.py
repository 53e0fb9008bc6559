"""The verification certificate (检定证书) and result notice (检定结果通知书) as PDF, in Chinese.

The PDF is what the institution hands to the scale's holder: unlike the signed, public
certificate text it names the verifier, checker and approver. It must therefore only ever be
served to people who may see the verification, never from a public page.

Chinese text needs a CJK font embedded in the file; we use WenQuanYi Micro Hei from the Debian
package ``fonts-wqy-microhei`` (subset-embedded by reportlab, so the PDF stays small).
"""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from chengxin.core.templatetags.chengxin import format_mass

from .choices import TestKind
from .forms import standards_text

FONT_NAME = "WQYMicroHei"
DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


class FontMissing(ImproperlyConfigured):
    """The CJK font the PDFs need is not installed."""


def cjk_font() -> str:
    """Register the CJK font once and return its name (or say clearly how to install it)."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    path = Path(getattr(settings, "CHENGXIN_PDF_FONT", DEFAULT_FONT_PATH))
    if not path.is_file():
        raise FontMissing(
            f"The CJK font for certificates is missing: {path}. Install the Debian package "
            "fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set CHENGXIN_PDF_FONT "
            "to a TrueType collection with Chinese glyphs."
        )
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, alignment=1),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11.5, leading=16, spaceBefore=6),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "mono": ParagraphStyle("mono", parent=base, fontName="Courier", fontSize=6.5, leading=8),
    }


class _QrFlowable(Flowable):
    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        self.url, self.size = url, size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        from .stickers import draw_qr, qr_code

        draw_qr(self.canv, qr_code(self.url), 0, 0, self.size)


def _person(user: Any) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


def _yes(value: bool) -> str:
    return str(_("是") if value else _("否"))


def _mass(value: Any) -> str:
    return format_mass(value) if value is not None else "—"


def results_summary(points: list[Any]) -> list[dict[str, Any]]:
    """Per test: how many points, the largest error against its limit, and the verdict."""
    by_test: dict[str, list[Any]] = defaultdict(list)
    for point in points:
        by_test[point.test].append(point)
    summary = []
    for test in TestKind:
        rows = by_test.get(test.value)
        if not rows:
            continue
        worst = max(
            rows,
            key=lambda p: abs(
                (p.corrected_error_g if p.corrected_error_g is not None else p.error_g)
                / (p.mpe_g or Decimal(1))
            ),
        )
        error = worst.corrected_error_g if worst.corrected_error_g is not None else worst.error_g
        summary.append(
            {
                "test": test.label,
                "count": len(rows),
                "error": error,
                "mpe": worst.mpe_g,
                "price": test == TestKind.PRICE,
                "passed": all(p.passed for p in rows),
            }
        )
    return summary


def _facts_table(rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    cells = []
    for i in range(0, len(rows), 2):
        pair = rows[i : i + 2]
        line: list[Any] = []
        for label, value in pair:
            line += [Paragraph(label, styles["small"]), Paragraph(value or "—", styles["base"])]
        while len(line) < 4:
            line.append("")
        cells.append(line)
    table = Table(cells, colWidths=[26 * mm, 59 * mm, 26 * mm, 59 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def verification_pdf(
    verification: Any,
    *,
    points: list[Any],
    certificate: Any | None,
    sticker_url: str | None,
    leaf_index: int | None,
) -> bytes:
    """The certificate (passed, with a signed certificate) or the result notice (failed)."""
    font = cjk_font()
    styles = _styles(font)
    scale = verification.scale
    approval = scale.type_approval
    is_certificate = certificate is not None
    title = _("检定证书") if is_certificate else _("检定结果通知书")
    number_label = _("证书编号") if is_certificate else _("通知书编号")

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {verification.document_no}",
        author=verification.institution.name,
        creator="chengxin",
    )
    story: list[Any] = [
        Paragraph(verification.institution.name, styles["subtitle"]),
        Spacer(1, 3 * mm),
        Paragraph(str(title), styles["title"]),
        Paragraph(f"{number_label}：{verification.document_no}", styles["subtitle"]),
        Spacer(1, 5 * mm),
    ]
    holder = scale.operator.name if scale.operator_id else "—"
    standards = standards_text(verification.standards)
    facts = [
        (_("送检单位"), holder),
        (_("计量器具名称"), str(_("电子计价秤"))),
        (_("一秤一码"), scale.display_code),
        (_("出厂编号"), scale.serial),
        (_("生产企业"), scale.manufacturer.name),
        (_("型号"), approval.model_name),
        (_("型式批准证书编号"), approval.certificate_no),
        (_("准确度等级"), scale.get_accuracy_class_display()),
        (_("最大秤量 Max"), _mass(scale.max_capacity_g)),
        (_("最小秤量 Min"), _mass(scale.min_capacity_g)),
        (_("检定分度值 e"), _mass(scale.e_g)),
        (_("检定类别"), verification.get_kind_display()),
        (_("检定地点"), verification.place),
        (
            _("温度"),
            f"{verification.temperature_c} ℃" if verification.temperature_c is not None else "",
        ),
        (_("检定日期"), verification.performed_on.isoformat()),
        (
            _("有效期至"),
            verification.valid_until.isoformat() if verification.valid_until else "",
        ),
        (_("检定码"), verification.verification_code),
        (_("施加的封印"), "；".join(verification.seal_ids or [])),
    ]
    story.append(_facts_table([(str(k), str(v)) for k, v in facts], styles))
    story.append(Paragraph(_("计量标准器"), styles["h2"]))
    story.append(Paragraph("<br/>".join(standards) or "—", styles["base"]))

    story.append(Paragraph(_("通用技术要求检查"), styles["h2"]))
    approved = (
        _("与型式批准一致") if verification.software_approved else _("不在型式批准的允许列表中")
    )
    checks = [
        (_("唯一性信息与器具一致"), _yes(verification.identity_matches)),
        (
            _("软件标识"),
            f"{verification.software_version} / {verification.software_checksum}（{approved}）",
        ),
        (_("封印完好"), _yes(verification.seals_intact)),
        (_("生产码、维修码齐全"), _yes(verification.codes_present)),
    ]
    story.append(_facts_table([(str(k), str(v)) for k, v in checks], styles))

    story.append(Paragraph(_("检定结果"), styles["h2"]))
    header = [_("项目"), _("测量点数"), _("最大误差"), _("最大允许误差"), _("结论")]
    rows: list[list[Any]] = [[Paragraph(str(h), styles["small"]) for h in header]]
    for item in results_summary(points):
        error = f"{item['error']}" if item["price"] else _mass(item["error"])
        rows.append(
            [
                Paragraph(str(item["test"]), styles["base"]),
                str(item["count"]),
                Paragraph(error, styles["base"]),
                Paragraph("—" if item["price"] else _mass(item["mpe"]), styles["base"]),
                Paragraph(str(_("合格") if item["passed"] else _("不合格")), styles["base"]),
            ]
        )
    table = Table(rows, colWidths=[45 * mm, 25 * mm, 35 * mm, 35 * mm, 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("FONT", (0, 0), (-1, -1), font, 9),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 3 * mm))
    verdict = verification.get_result_display()
    story.append(Paragraph(f"<b>{_('检定结论')}：{verdict}</b>", styles["h2"]))
    if verification.reasons:
        story.append(
            Paragraph(f"{_('不合格原因')}：{'；'.join(verification.reasons)}", styles["base"])
        )
        story.append(
            Paragraph(
                _("该器具不得用于贸易结算；修理后须重新申请检定。"),
                styles["base"],
            )
        )
    story.append(Paragraph(f"{_('原始状态代码')}：{verification.as_found or '—'}", styles["small"]))

    story.append(Spacer(1, 6 * mm))
    signatures = Table(
        [
            [
                Paragraph(f"{_('检定员')}：{_person(verification.verifier)}", styles["base"]),
                Paragraph(f"{_('核验员')}：{_person(verification.checker)}", styles["base"]),
                Paragraph(f"{_('批准人')}：{_person(verification.approver)}", styles["base"]),
            ]
        ],
        colWidths=[56 * mm, 56 * mm, 58 * mm],
    )
    story.append(signatures)
    story.append(Paragraph(f"（{_('检定机构印章')}）", styles["small"]))

    if certificate is not None:
        key = key_id(certificate.signing_key.verifier_key)
        story.append(Spacer(1, 5 * mm))
        lines = [
            f"{_('签名密钥')}：{certificate.signing_key.name}",
            f"{_('签名密钥编号')}：{key}",
            (
                _("透明日志第 %(index)s 条记录了本证书。") % {"index": leaf_index}
                if leaf_index is not None
                else _("本证书尚未纳入透明日志的检查点，稍后可在公开页面核验。")
            ),
            _("扫描二维码，在手机上打开本秤的公开页面，核验证书已记录在透明日志中。"),
        ]
        qr_cell: Any = _QrFlowable(sticker_url, 30 * mm) if sticker_url else ""
        block = Table(
            [[qr_cell, [Paragraph(line, styles["small"]) for line in lines]]],
            colWidths=[34 * mm, 136 * mm],
        )
        block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(block)
        story.append(Paragraph(_("机构签名的证书文本"), styles["small"]))
        note = certificate.note.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br/>")
        story.append(Paragraph(note, styles["mono"]))

    doc.build(story)
    return out.getvalue()


def key_id(verifier_key: str) -> str:
    """The key id of a C2SP verifier key ``<name>+<key id>+<base64 key>`` (base64 may hold "+")."""
    parts = verifier_key.split("+", 2)
    return parts[1] if len(parts) == 3 else ""


__all__ = ["FontMissing", "cjk_font", "key_id", "results_summary", "verification_pdf"]
