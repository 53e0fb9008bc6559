"""Bulk import of verifications from a CSV or XLSX file: one row, one verification of one scale.

An institution fills the template (``import_template``: fixed Chinese headers), uploads it, and
``verification_import`` checks EVERY row in full — each cell, ``services.parse_input``, the scale
(exists, visible, in a state that allows the kind of verification, not twice in the batch), the
user's scope and the error-limit engine — before writing anything. One bad row rejects the
batch with every bad row's ``{row, column, message}`` (``row`` is the spreadsheet's row number:
the header is row 1). A clean batch is written by ``services.verification_record`` per row
inside ONE transaction, so the certificate, the scale's transition, the change records and the
log leaves are exactly what the console writes, and one failure rolls everything back.

Large files run as a background task (``verification_import_task``) on an ``ImportJob`` that
the console and the API poll. This module must never write a verification any other way than
through ``services.verification_record``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from chengxin.core.errors import BatchRejected, ServiceError
from chengxin.core.fields import split_list
from chengxin.core.permissions import visible
from chengxin.instruments import codes
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import Scale

from . import services
from .choices import VerificationKind
from .models import ImportJob, ImportStatus, Verification

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000
MAX_FILE_BYTES = 20 * 1024 * 1024
WEIGHING_POINTS = 4
ECCENTRICITY_POSITIONS = 5
REPEATABILITY_READINGS = 3
_PROGRESS_EVERY = 250
_LOOKUP_CHUNK = 900  # below SQLite's historic limit of 999 bound parameters

Progress = Callable[..., None]  # called with the ImportJob fields that changed


# --- the columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the template. Headers are fixed text, not translated: files must parse
    the same whatever the language of the person who filled them in."""

    key: str
    header: str
    kind: str  # text | decimal | boolean | date | kind | seals
    required: bool = False
    note: str = ""


def _columns() -> tuple[Column, ...]:
    cols = [
        Column("scale", "器具码", "text", True, "秤上二维码下方的平台器具码"),
        Column("kind", "检定类别", "kind", True, "首次检定 / 后续检定 / 修理后检定 / 使用中检查"),
        Column("performed_on", "检定日期", "date", True, "YYYY-MM-DD"),
        Column("place", "检定地点", "text"),
        Column("temperature_c", "温度（℃）", "decimal"),
        Column("identity_matches", "唯一性信息核对一致（是/否）", "boolean", True),
        Column("seals_intact", "封印完好（是/否）", "boolean", True),
        Column("codes_present", "生产码、维修码齐全（是/否）", "boolean", True),
        Column("software_version", "显示的软件版本", "text", True),
        Column("software_checksum", "显示的软件校验和", "text", True),
        Column("zero.indication", "置零 示值 I（g）", "decimal", True),
        Column("zero.added", "置零 附加砝码 ΔL（g）", "decimal", True),
    ]
    for n in range(1, WEIGHING_POINTS + 1):
        cols += [
            Column(f"increasing.{n}.load", f"加载{n} 载荷 L（g）", "decimal", True),
            Column(f"increasing.{n}.indication", f"加载{n} 示值 I（g）", "decimal", True),
            Column(f"increasing.{n}.added", f"加载{n} 附加砝码 ΔL（g）", "decimal", True),
        ]
    for n in range(1, WEIGHING_POINTS + 1):
        note = "可选；与同序号加载点同一载荷，填则四点都填"
        cols += [
            Column(f"decreasing.{n}.indication", f"卸载{n} 示值 I（g）", "decimal", note=note),
            Column(f"decreasing.{n}.added", f"卸载{n} 附加砝码 ΔL（g）", "decimal", note=note),
        ]
    cols.append(Column("eccentricity.load", "偏载 载荷 L（g）", "decimal", note="可选"))
    for n in range(1, ECCENTRICITY_POSITIONS + 1):
        cols += [
            Column(f"eccentricity.{n}.indication", f"偏载{n} 示值 I（g）", "decimal"),
            Column(f"eccentricity.{n}.added", f"偏载{n} 附加砝码 ΔL（g）", "decimal"),
        ]
    cols.append(Column("repeatability.load", "重复性 载荷 L（g）", "decimal", note="可选"))
    for n in range(1, REPEATABILITY_READINGS + 1):
        cols += [
            Column(f"repeatability.{n}.indication", f"重复性{n} 示值 I（g）", "decimal"),
            Column(f"repeatability.{n}.added", f"重复性{n} 附加砝码 ΔL（g）", "decimal"),
        ]
    cols += [
        Column("price.net_weight", "计价 净重（g）", "decimal", note="可选"),
        Column("price.unit_price", "计价 单价（元/kg）", "decimal"),
        Column("price.displayed_amount", "计价 显示金额（元）", "decimal"),
        Column("seal_ids", "施加的封印编号（以;分隔）", "seals"),
    ]
    return tuple(cols)


COLUMNS = _columns()
HEADERS = tuple(c.header for c in COLUMNS)
_BY_HEADER = {c.header: c for c in COLUMNS}
_BY_KEY = {c.key: c for c in COLUMNS}
_KIND_BY_TEXT = {
    **{str(label): value for value, label in VerificationKind.choices},
    **{value: value for value in VerificationKind.values},
}
_TRUE = {"是", "y", "yes", "true", "1", "合格", "√"}
_FALSE = {"否", "n", "no", "false", "0", "不合格", "×"}


# --- the template -----------------------------------------------------------------------------


def import_template(*, file_format: str) -> tuple[bytes, str, str]:
    """The empty template as ``(content, filename, content type)``; ``csv`` or ``xlsx``."""
    if file_format == "csv":
        text = io.StringIO()
        csv.writer(text).writerow(HEADERS)
        # UTF-8 with BOM: what Excel needs to open Chinese CSV correctly.
        return text.getvalue().encode("utf-8-sig"), "检定记录导入模板.csv", "text/csv"
    if file_format != "xlsx":
        raise ServiceError(_("模板格式应为 csv 或 xlsx"), code="bad_format")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "检定记录"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(["列", "必填", "说明"])
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "", column.note])
    notes.append([])
    notes.append(["每行一台秤的一次检定；是/否列填“是”或“否”；质量单位均为克（g）。"])
    out = io.BytesIO()
    book.save(out)
    return (
        out.getvalue(),
        "检定记录导入模板.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- reading a file ---------------------------------------------------------------------------


def _error(row: int, column: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "message": message}


def _in_file_order(error: Mapping[str, Any]) -> tuple[int, int]:
    column = error["column"]
    return error["row"], HEADERS.index(column) if column in HEADERS else len(HEADERS)


def _sheet_rows(content: bytes) -> Iterable[Sequence[Any]]:
    if content[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ServiceError(_("无法读取 XLSX 文件：%s") % exc, code="bad_file") from exc
        sheet = book["检定记录"] if "检定记录" in book.sheetnames else book.worksheets[0]
        return sheet.iter_rows(values_only=True)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GB18030
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ServiceError(_("CSV 文件应为 UTF-8 编码"), code="bad_file")
    return csv.reader(io.StringIO(text, newline=""))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_rows(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The data rows of a CSV (UTF-8, BOM or not) or XLSX file as ``(row number, {key: cell})``.

    The header row must use the template's headers (any order; optional columns may be left
    out). Entirely empty rows are skipped; row numbers are the spreadsheet's (header = 1).
    """
    if not content:
        raise ServiceError(_("文件为空"), code="bad_file")
    rows = iter(_sheet_rows(content))
    try:
        header = next(rows)
    except StopIteration as exc:
        raise ServiceError(_("文件为空"), code="bad_file") from exc
    except csv.Error as exc:
        raise ServiceError(_("无法读取 CSV 文件：%s") % exc, code="bad_file") from exc
    names = ["" if _blank(h) else str(h).strip() for h in header]
    while names and not names[-1]:
        names.pop()
    errors = [
        _error(1, name or f"#{i}", _("不是模板中的列"))
        for i, name in enumerate(names, 1)
        if name not in _BY_HEADER
    ]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(_error(1, name, _("列重复")))
        seen.add(name)
    errors += [
        _error(1, c.header, _("缺少必填列")) for c in COLUMNS if c.required and c.header not in seen
    ]
    if errors:
        raise BatchRejected(errors)
    keys = [_BY_HEADER[name].key for name in names]
    out: list[tuple[int, dict[str, Any]]] = []
    try:
        for number, cells in enumerate(rows, start=2):
            if all(_blank(v) for v in cells):
                continue
            if len(out) >= MAX_ROWS:
                raise ServiceError(_("一次最多导入 %d 行") % MAX_ROWS, code="too_many", details=[])
            extra = [v for v in cells[len(keys) :] if not _blank(v)]
            row = dict(zip(keys, cells, strict=False))
            if extra:
                row["__extra__"] = extra
            out.append((number, row))
    except csv.Error as exc:
        raise ServiceError(_("无法读取 CSV 文件：%s") % exc, code="bad_file") from exc
    if not out:
        raise ServiceError(_("文件中没有数据行"), code="empty")
    return out


# --- checking one row's cells -----------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _cell(column: Column, value: Any) -> Any:
    """The cell's value for ``parse_input``; raises ``ValueError`` with the reason."""
    if column.kind == "decimal":
        if isinstance(value, bool):
            raise ValueError(_("应为数值"))
        text = repr(value) if isinstance(value, float) else _text(value)
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError(_("不是有效的数值：%s") % text[:40]) from exc
        if not number.is_finite():
            raise ValueError(_("不是有效的数值：%s") % text[:40])
        return number
    if column.kind == "boolean":
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(_("应填“是”或“否”"))
    if column.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value).replace("/", "-").replace(".", "-")
        try:
            y, m, d = (int(part) for part in text.split("-"))
            return dt.date(y, m, d)
        except ValueError as exc:
            raise ValueError(_("日期格式应为 YYYY-MM-DD")) from exc
    if column.kind == "kind":
        kind = _KIND_BY_TEXT.get(_text(value))
        if kind is None:
            raise ValueError(_("应为：首次检定、后续检定、修理后检定或使用中检查"))
        return kind
    if column.kind == "seals":
        return split_list(_text(value))
    return _text(value)


def _any_filled(cells: Mapping[str, Any], prefix: str, count: int) -> bool:
    """Whether any reading of a repeated group (``decreasing.1.indication`` …) is filled."""
    return any(
        f"{prefix}.{n}.{f}" in cells for n in range(1, count + 1) for f in ("indication", "added")
    )


def row_input(
    number: int, row: Mapping[str, Any]
) -> tuple[dict[str, Any], services.VerificationInput | None, list[dict[str, Any]]]:
    """One row as plain data (``parse_input``'s, plus ``scale``), parsed, and its errors."""
    errors: list[dict[str, Any]] = []
    if row.get("__extra__"):
        errors.append(_error(number, "—", _("表头以外的列有内容")))
    cells: dict[str, Any] = {}
    for column in COLUMNS:
        value = row.get(column.key)
        if _blank(value):
            if column.required:
                errors.append(_error(number, column.header, _("必填")))
            continue
        try:
            cells[column.key] = _cell(column, value)
        except ValueError as exc:
            errors.append(_error(number, column.header, str(exc)))

    def need(keys: Iterable[str], why: str) -> None:
        for key in keys:
            if key not in cells and _BY_KEY[key].header not in {e["column"] for e in errors}:
                errors.append(_error(number, _BY_KEY[key].header, why))

    raw: dict[str, Any] = {
        k: cells[k]
        for k in (
            "scale",
            "kind",
            "performed_on",
            "place",
            "temperature_c",
            "identity_matches",
            "seals_intact",
            "codes_present",
            "software_version",
            "software_checksum",
        )
        if k in cells
    }
    raw["zero"] = {
        "load": "0",
        "indication": cells.get("zero.indication"),
        "added": cells.get("zero.added", "0"),
    }
    raw["increasing"] = [
        {
            "load": cells.get(f"increasing.{n}.load"),
            "indication": cells.get(f"increasing.{n}.indication"),
            "added": cells.get(f"increasing.{n}.added"),
        }
        for n in range(1, WEIGHING_POINTS + 1)
    ]
    if _any_filled(cells, "decreasing", WEIGHING_POINTS):
        need(
            (
                f"decreasing.{n}.{f}"
                for n in range(1, WEIGHING_POINTS + 1)
                for f in ("indication", "added")
            ),
            _("卸载数据须四点都填"),
        )
        raw["decreasing"] = [
            {
                "load": cells.get(f"increasing.{n}.load"),
                "indication": cells.get(f"decreasing.{n}.indication"),
                "added": cells.get(f"decreasing.{n}.added"),
            }
            for n in range(WEIGHING_POINTS, 0, -1)  # unloading: from the top down
        ]
    for prefix, count in (
        ("eccentricity", ECCENTRICITY_POSITIONS),
        ("repeatability", REPEATABILITY_READINGS),
    ):
        if _any_filled(cells, prefix, count) or f"{prefix}.load" in cells:
            need([f"{prefix}.load"], _("填了读数须填载荷"))
            need(
                (f"{prefix}.{n}.{f}" for n in range(1, count + 1) for f in ("indication", "added")),
                _("须填全部 %d 组读数") % count,
            )
            raw[prefix] = [
                {
                    "load": cells.get(f"{prefix}.load"),
                    "indication": cells.get(f"{prefix}.{n}.indication"),
                    "added": cells.get(f"{prefix}.{n}.added"),
                }
                for n in range(1, count + 1)
            ]
    price_keys = ("price.net_weight", "price.unit_price", "price.displayed_amount")
    if any(k in cells for k in price_keys):
        need(price_keys, _("计价检查须填净重、单价和显示金额"))
        raw["price"] = [
            {
                "net_weight": cells.get("price.net_weight"),
                "unit_price": cells.get("price.unit_price"),
                "displayed_amount": cells.get("price.displayed_amount"),
            }
        ]
    raw["seal_ids"] = cells.get("seal_ids", [])
    data = None
    if not errors:
        try:
            data = services.parse_input(raw)
        except ServiceError as exc:  # the cells were checked; this is the service's last word
            errors.append(_error(number, "—", exc.message))
    return raw, data, errors


# --- checking the batch -----------------------------------------------------------------------


@dataclass
class CheckedRow:
    number: int
    scale: Scale
    raw: dict[str, Any]


def _scales_by_code(user: Any, wanted: Iterable[str]) -> dict[str, Scale]:
    found: dict[str, Scale] = {}
    wanted = sorted(set(wanted))
    base = visible(Scale.objects.select_related("type_approval"), user)
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        scales = list(base.filter(code__in=chunk))
        prefetch_related_objects(scales, "type_approval__software")
        found.update((s.code, s) for s in scales)
    return found


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ServiceError):
        return exc.message
    return str(exc) or _("无权记录")


def verification_import_check(
    *, user: Any, rows: Sequence[tuple[int, Mapping[str, Any]]], progress: Progress | None = None
) -> list[CheckedRow]:
    """Check every row in full without writing; raise ``BatchRejected`` listing every bad row."""
    header_scale = _BY_KEY["scale"].header
    header_kind = _BY_KEY["kind"].header
    header_date = _BY_KEY["performed_on"].header
    errors: list[dict[str, Any]] = []
    parsed: list[tuple[int, dict[str, Any], services.VerificationInput | None]] = []
    for number, row in rows:
        raw, data, row_errors = row_input(number, row)
        errors += row_errors
        if "scale" in raw:
            raw["scale"] = codes.normalise(raw["scale"])
        parsed.append((number, raw, data))

    org = getattr(user, "organisation", None)
    if org is not None:  # the scope check reads the authorisations once, not once per row
        prefetch_related_objects([org], "authorisations")
    scales = _scales_by_code(user, (raw["scale"] for _, raw, _ in parsed if raw.get("scale")))
    first_row: dict[str, int] = {}
    today = timezone.localdate()
    checked: list[CheckedRow] = []
    for i, (number, raw, data) in enumerate(parsed, start=1):
        code = raw.get("scale")
        scale = scales.get(code or "")
        if code and scale is None:
            errors.append(_error(number, header_scale, _("器具不存在或不在您的管辖范围内")))
        elif code and code in first_row:
            errors.append(
                _error(
                    number,
                    header_scale,
                    _("与第 %d 行是同一台器具（一批中每台秤只能有一条记录）") % first_row[code],
                )
            )
        if code:
            first_row.setdefault(code, number)
        if scale is None or data is None:
            continue
        if data.performed_on > today:
            errors.append(_error(number, header_date, _("检定日期不能晚于今天")))
            continue
        try:
            services._check_scope(user, scale, data)
        except (PermissionDenied, ServiceError) as exc:
            column = header_scale if isinstance(exc, ServiceError) else header_kind
            errors.append(_error(number, column, _refusal(exc)))
            continue
        kind = VerificationKind(data.kind)
        if scale.state not in services.ALLOWED_STATES[kind]:
            errors.append(
                _error(
                    number,
                    header_kind,
                    _("状态“%(s)s”的器具不能进行%(k)s")
                    % {"s": ScaleState(scale.state).label, "k": kind.label},
                )
            )
            continue
        approved = {(s.version, s.checksum) for s in scale.type_approval.software.all()}
        try:
            services.evaluate(scale, data, approved)
        except ServiceError as exc:
            errors.append(_error(number, "—", exc.message))
            continue
        checked.append(CheckedRow(number=number, scale=scale, raw=raw))
        if progress is not None and i % _PROGRESS_EVERY == 0:
            progress(status=ImportStatus.CHECKING, checked_rows=i)
    if errors:
        raise BatchRejected(sorted(errors, key=_in_file_order))
    if progress is not None:
        progress(status=ImportStatus.CHECKING, checked_rows=len(parsed))
    return checked


def verification_import(
    *, user: Any, content: bytes, progress: Progress | None = None
) -> list[Verification]:
    """Import a CSV or XLSX batch, all or nothing; raise ``BatchRejected`` with every bad row.

    Every row is checked before the first write; then each row is recorded by
    ``services.verification_record`` inside one transaction, so a failure while writing (say, a
    scale changed state since the check) rolls back every row written before it.
    """
    rows = read_rows(content)
    if progress is not None:
        progress(status=ImportStatus.CHECKING, total_rows=len(rows))
    checked = verification_import_check(user=user, rows=rows, progress=progress)
    if progress is not None:
        # One transaction: its progress cannot be committed row by row, so the job says
        # "writing" until the whole batch commits (or rolls back).
        progress(status=ImportStatus.WRITING)
    written: list[Verification] = []
    with transaction.atomic():
        for item in checked:
            try:
                written.append(
                    services.verification_record(user=user, scale=item.scale, raw=item.raw)
                )
            except (ServiceError, PermissionDenied, Http404) as exc:
                message = _refusal(exc) if not isinstance(exc, Http404) else _("器具不存在")
                raise BatchRejected([_error(item.number, "—", message)]) from exc
    return written


# --- jobs: the background import the console and the API poll ---------------------------------


def import_job_start(*, user: Any, filename: str, content: bytes) -> ImportJob:
    """Keep the uploaded file on a new job and queue its import."""
    org = getattr(user, "organisation", None)
    if org is None:
        raise PermissionDenied(_("只有机构人员可以导入检定记录"))
    if not content:
        raise ServiceError(_("文件为空"), code="bad_file")
    if len(content) > MAX_FILE_BYTES:
        raise ServiceError(
            _("文件过大（最大 %d MB）") % (MAX_FILE_BYTES // 1024 // 1024), code="bad_file"
        )
    if not filename.lower().endswith((".csv", ".xlsx")):
        raise ServiceError(_("只接受 .csv 或 .xlsx 文件"), code="bad_file")
    job = ImportJob.objects.create(
        organisation=org, created_by=user, filename=filename[-255:], content=content
    )
    transaction.on_commit(lambda: verification_import_task.enqueue(job_id=job.pk))
    return job


def import_job_run(job_id: int) -> str:
    """Run one job's import and record its outcome on the job; return the final status."""
    job = ImportJob.objects.select_related("created_by__organisation").get(pk=job_id)
    if job.finished:
        return job.status
    jobs = ImportJob.objects.filter(pk=job.pk)

    def progress(**fields: Any) -> None:
        # Outside the write transaction: each update commits, so pollers see it at once.
        jobs.update(**fields)

    progress(status=ImportStatus.CHECKING)
    outcome: dict[str, Any] = {"content": b""}
    try:
        written = verification_import(
            user=job.created_by,
            content=bytes(job.content),
            progress=progress,
        )
    except BatchRejected as exc:
        outcome.update(status=ImportStatus.REJECTED, detail=exc.message, errors=exc.details)
    except (ServiceError, PermissionDenied) as exc:
        outcome.update(status=ImportStatus.REJECTED, detail=_refusal(exc), errors=[])
    except Exception:
        logger.exception("verification import %s failed", job.pk)
        outcome.update(status=ImportStatus.FAILED, detail=_("导入出错，未写入任何记录"))
    else:
        outcome.update(
            status=ImportStatus.DONE,
            written_rows=len(written),
            checked_rows=len(written),
            verification_ids=[v.pk for v in written],
            detail=_("已导入 %d 条检定记录") % len(written),
        )
    outcome["finished_at"] = timezone.now()
    jobs.update(**outcome)
    return str(outcome["status"])


@task()
def verification_import_task(*, job_id: int) -> str:
    """Background import of one uploaded batch (``import_job_run``)."""
    return import_job_run(job_id)


__all__ = [
    "COLUMNS",
    "HEADERS",
    "MAX_ROWS",
    "import_job_run",
    "import_job_start",
    "import_template",
    "read_rows",
    "verification_import",
    "verification_import_check",
    "verification_import_task",
]
