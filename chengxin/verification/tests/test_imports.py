"""Bulk import of verifications: template round trip, all-or-nothing, every bad row reported."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from chengxin.core.errors import BatchRejected
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import Scale
from chengxin.testing import factories as f
from chengxin.testing.api import client_for
from chengxin.verification import imports, services
from chengxin.verification.choices import VerificationResult
from chengxin.verification.models import Certificate, ImportJob, TestPoint, Verification

IMPORT = "/api/v1/verifications/import/"
CONSOLE = "/verification/import/"
LOADS = ("100", "2500", "10000", "15000")


def row_for(code: str, **by_header: str) -> dict[str, str]:
    """One filled template row (passes on the world's class III, e = 5 g, Max 15 kg scale)."""
    row = {
        "器具码": code,
        "检定类别": "首次检定",
        "检定日期": dt.date.today().isoformat(),
        "检定地点": "西湖农贸市场",
        "唯一性信息核对一致（是/否）": "是",
        "封印完好（是/否）": "是",
        "生产码、维修码齐全（是/否）": "是",
        "显示的软件版本": "1.0.0",
        "显示的软件校验和": "A1B2",
        "置零 示值 I（g）": "0",
        "置零 附加砝码 ΔL（g）": "2.5",
        "偏载 载荷 L（g）": "5000",
        "重复性 载荷 L（g）": "7500",
        "计价 净重（g）": "1234",
        "计价 单价（元/kg）": "12.50",
        "计价 显示金额（元）": "15.43",
        "施加的封印编号（以;分隔）": "QF-0001; QF-0002",
    }
    for n, load in enumerate(LOADS, 1):
        row[f"加载{n} 载荷 L（g）"] = load
        row[f"加载{n} 示值 I（g）"] = load
        row[f"加载{n} 附加砝码 ΔL（g）"] = "2.5"
        row[f"卸载{n} 示值 I（g）"] = load
        row[f"卸载{n} 附加砝码 ΔL（g）"] = "2.5"
    for n in range(1, 6):
        row[f"偏载{n} 示值 I（g）"] = "5000"
        row[f"偏载{n} 附加砝码 ΔL（g）"] = "2.5"
    for n in range(1, 4):
        row[f"重复性{n} 示值 I（g）"] = "7500"
        row[f"重复性{n} 附加砝码 ΔL（g）"] = "2.5"
    row.update(by_header)
    assert set(row) <= set(imports.HEADERS)
    return row


def as_csv(rows, *, bom: bool = True, headers=imports.HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def as_xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(imports.HEADERS))
    for row in rows:
        sheet.append([row.get(h) or None for h in imports.HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ENCODE = {"csv": as_csv, "xlsx": as_xlsx}


def registered_scales(world, n: int) -> list[Scale]:
    return [
        f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)
        for _ in range(n)
    ]


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """POST a file to the import endpoint; the job is queued on commit, as in production."""

    def post(user, content: bytes, filename: str):
        file = SimpleUploadedFile(filename, content)
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(user).post(IMPORT, {"file": file}, format="multipart")

    return post


# --- the template -----------------------------------------------------------------------------


def test_xlsx_template_round_trip_imports_three_verifications(world, upload):
    scales = registered_scales(world, 3)
    response = client_for(world.u_verifier).get(f"{IMPORT}template/", {"file_format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["检定记录"]
    assert [c.value for c in sheet[1]] == list(imports.HEADERS)
    for scale in scales:
        row = row_for(scale.code)
        sheet.append([row.get(h) for h in imports.HEADERS])
    filled = io.BytesIO()
    book.save(filled)

    response = upload(world.u_verifier, filled.getvalue(), "检定记录.xlsx")
    assert response.status_code == 202, response.content
    job = client_for(world.u_verifier).get(f"{IMPORT}{response.json()['id']}/").json()
    assert job["status"] == "done", job
    assert (job["total_rows"], job["written_rows"], job["errors"]) == (3, 3, [])
    assert Verification.objects.count() == 3 == Certificate.objects.count()
    assert sorted(job["verification_ids"]) == sorted(
        Verification.objects.values_list("pk", flat=True)
    )
    for scale in scales:
        scale.refresh_from_db()
        assert scale.state == ScaleState.IN_SERVICE
        assert scale.seal_ids == ["QF-0001", "QF-0002"]
    v = Verification.objects.first()
    assert TestPoint.objects.filter(verification=v).count() == 1 + 4 + 4 + 5 + 3 + 1


def test_csv_template_round_trip_through_the_console(world, django_capture_on_commit_callbacks):
    scales = registered_scales(world, 3)
    client = client_for(world.u_verifier)
    page = client.get(CONSOLE)
    assert page.status_code == 200 and "template.xlsx" in page.content.decode()
    template = client.get(f"{CONSOLE}template.csv").content
    assert template.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese CSV correctly
    text = template.decode("utf-8-sig")
    headers = next(csv.reader(io.StringIO(text)))
    assert tuple(headers) == imports.HEADERS
    out = io.StringIO()
    writer = csv.writer(out)
    for scale in scales:
        row = row_for(scale.code)
        writer.writerow([row.get(h, "") for h in headers])
    filled = (text + out.getvalue()).encode("utf-8-sig")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONSOLE, {"file": SimpleUploadedFile("batch.csv", filled)})
    assert response.status_code == 302, response.content.decode()[:2000]
    job_page = client.get(response["Location"])
    assert "已导入 3 条检定记录" in job_page.content.decode()
    assert Verification.objects.filter(result=VerificationResult.PASSED).count() == 3


def test_a_csv_without_bom_and_with_optional_columns_left_out_imports(world):
    (scale,) = registered_scales(world, 1)
    required = tuple(c.header for c in imports.COLUMNS if c.required)
    content = as_csv([row_for(scale.code)], bom=False, headers=required)
    (verification,) = imports.verification_import(user=world.u_verifier, content=content)
    assert verification.result == VerificationResult.PASSED
    assert TestPoint.objects.filter(verification=verification).count() == 1 + 4


def test_a_failing_row_is_recorded_as_a_failed_verification_not_rejected(world):
    (scale,) = registered_scales(world, 1)
    content = as_csv([row_for(scale.code, **{"加载3 示值 I（g）": "10010"})])
    (verification,) = imports.verification_import(user=world.u_verifier, content=content)
    assert verification.result == VerificationResult.FAILED
    scale.refresh_from_db()
    assert scale.state == ScaleState.REJECTED


# --- all or nothing, every bad row reported ---------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_bad_rows_among_many_reject_the_batch_and_each_is_reported(world, file_format):
    scales = registered_scales(world, 20)
    locked = f.scale(world.approval, state=ScaleState.LOCKED, m=world.market)
    ningbo = f.scale(world.approval, state=ScaleState.REGISTERED, division="330203")
    rows = [row_for(s.code) for s in scales]
    rows[2]["加载2 示值 I（g）"] = "2,5OO"  # spreadsheet row 4
    rows[7]["器具码"] = "ZZZZZZZZZZ"  # row 9: no such scale
    rows[11]["器具码"] = locked.code  # row 13: wrong state
    rows[15]["检定日期"] = ""  # row 17: required
    rows[16]["封印完好（是/否）"] = "也许"  # row 18
    rows[18]["器具码"] = ningbo.code  # row 20: outside the lab's authorised divisions
    rows[19]["器具码"] = scales[0].code  # row 21: the same scale twice
    content = ENCODE[file_format](rows)

    with pytest.raises(BatchRejected) as exc:
        imports.verification_import(user=world.u_verifier, content=content)

    reported = {(e["row"], e["column"]) for e in exc.value.details}
    assert reported == {
        (4, "加载2 示值 I（g）"),
        (9, "器具码"),
        (13, "检定类别"),
        (17, "检定日期"),
        (18, "封印完好（是/否）"),
        (20, "器具码"),
        (21, "器具码"),
    }
    assert all(e["message"] for e in exc.value.details)
    assert not Verification.objects.exists()
    assert not Certificate.objects.exists()
    assert set(
        Scale.objects.filter(pk__in=[s.pk for s in scales]).values_list("state", flat=True)
    ) == {ScaleState.REGISTERED}


def test_a_rejected_job_keeps_the_report_for_the_api_and_the_console(world, upload):
    scales = registered_scales(world, 3)
    rows = [row_for(s.code) for s in scales]
    rows[1]["检定类别"] = "年检"
    response = upload(world.u_verifier, as_csv(rows), "batch.csv")
    job_id = response.json()["id"]
    job = client_for(world.u_verifier).get(f"{IMPORT}{job_id}/").json()
    assert job["status"] == "rejected"
    assert job["errors"] == [
        {"row": 3, "column": "检定类别", "message": job["errors"][0]["message"]}
    ]
    assert not Verification.objects.exists()
    page = client_for(world.u_verifier).get(f"{CONSOLE}{job_id}/").content.decode()
    assert "检定类别" in page and "整批未导入" in page
    report = client_for(world.u_verifier).get(f"{CONSOLE}{job_id}/?format=csv")
    assert "检定类别" in report.content.decode("utf-8-sig")


def test_wrong_headers_are_reported_on_row_one(world):
    headers = [h for h in imports.HEADERS if h != "检定日期"] + ["备注"]
    with pytest.raises(BatchRejected) as exc:
        imports.verification_import(user=world.u_verifier, content=as_csv([], headers=headers))
    assert {(e["row"], e["column"]) for e in exc.value.details} == {(1, "备注"), (1, "检定日期")}


def test_a_failure_while_writing_rolls_back_every_row(world, monkeypatch):
    scales = registered_scales(world, 5)
    record = services.verification_record
    calls = []

    def flaky(**kw):
        calls.append(1)
        if len(calls) == 4:
            from chengxin.core.errors import ServiceError

            raise ServiceError("simulated", code="boom")
        return record(**kw)

    monkeypatch.setattr(services, "verification_record", flaky)
    with pytest.raises(BatchRejected) as exc:
        imports.verification_import(
            user=world.u_verifier, content=as_csv([row_for(s.code) for s in scales])
        )
    assert exc.value.details == [{"row": 5, "column": "—", "message": "simulated"}]
    assert not Verification.objects.exists()
    assert {s.state for s in Scale.objects.filter(pk__in=[s.pk for s in scales])} == {
        ScaleState.REGISTERED
    }


def test_someone_who_is_not_a_verifier_has_every_row_refused(world):
    scales = registered_scales(world, 2)
    clerk = f.user(world.lab, "staff")
    with pytest.raises(BatchRejected) as exc:
        imports.verification_import(user=clerk, content=as_csv([row_for(s.code) for s in scales]))
    assert [(e["row"], e["column"]) for e in exc.value.details] == [
        (2, "检定类别"),
        (3, "检定类别"),
    ]


def test_an_import_job_of_another_organisation_is_404(world, upload):
    (scale,) = registered_scales(world, 1)
    job_id = upload(world.u_verifier, as_csv([row_for(scale.code)]), "a.csv").json()["id"]
    assert client_for(world.u_other_verifier).get(f"{IMPORT}{job_id}/").status_code == 404
    assert client_for(world.u_other_verifier).get(f"{CONSOLE}{job_id}/").status_code == 404
    assert client_for(world.u_verifier).get(f"{IMPORT}{job_id}/").status_code == 200


def test_an_unsupported_file_is_refused_at_upload(world, upload):
    response = upload(world.u_verifier, b"%PDF-1.7", "batch.pdf")
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_the_progress_fragment_polls_until_the_job_has_finished(world):
    job = ImportJob.objects.create(
        organisation=world.lab, created_by=world.u_verifier, filename="x.csv", total_rows=10
    )
    client = client_for(world.u_verifier)
    fragment = client.get(f"{CONSOLE}{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    ImportJob.objects.filter(pk=job.pk).update(status="done", detail="ok")
    fragment = client.get(f"{CONSOLE}{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment


def test_a_thousand_rows_import_through_the_background_task(world, upload):
    scales = registered_scales(world, 1000)
    content = as_xlsx([row_for(s.code) for s in scales])
    response = upload(world.u_verifier, content, "thousand.xlsx")
    assert response.status_code == 202
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "done", (job.detail, job.errors[:5])
    assert (job.total_rows, job.checked_rows, job.written_rows) == (1000, 1000, 1000)
    assert job.content == b""  # the file is not kept once processed
    assert Verification.objects.count() == 1000
    assert not Scale.objects.filter(pk__in=[s.pk for s in scales]).exclude(
        state=ScaleState.IN_SERVICE
    )
