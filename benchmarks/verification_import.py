# ruff: noqa: S608 — table names come from model _meta, never from input
"""Bulk import of verifications (rows/s) against a raw ``executemany`` of the same rows.

Builds a fresh SQLite file with one verification institution, one type approval and N
registered scales, writes an N-row CSV from the import template, and times
``imports.verification_import`` (read, check every row, then ``verification_record`` per row in
one transaction: engine, test points, certificate signing, scale transition, change records and
log leaves). The baseline re-inserts the very same ``verification_verification`` rows with
sqlite3's own ``executemany`` in one transaction: the ceiling for writing those rows alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import time

from benchmarks import fresh_sqlite_database


def _world(scales: int) -> tuple[object, list[str]]:
    from chengxin.core.context import acting_as
    from chengxin.instruments import codes
    from chengxin.instruments.choices import ScaleState
    from chengxin.instruments.models import Scale
    from chengxin.organizations.choices import OrganisationKind as K
    from chengxin.organizations.choices import Role
    from chengxin.testing import factories as f

    with acting_as(None, source="cli"):
        province = f.organisation(K.REGULATOR, "330000", name="浙江省市场监督管理局")
        maker = f.organisation(K.MANUFACTURER, "330106", name="杭州衡器有限公司")
        lab = f.organisation(K.VERIFICATION, "330100", name="杭州市质量技术监督检测院")
        operator = f.organisation(K.MARKET_OPERATOR, "330106", name="西湖农贸市场有限公司")
        f.authorisation(lab, province, "330100")
        verifier = f.user(lab, Role.VERIFIER)
        approval = f.type_approval(maker, province)
        market = f.market(operator)
        now = dt.datetime.now(dt.UTC)
        rows = [
            Scale(
                code=codes.make(f"{n:09d}"),
                serial=f"SN{n:07d}",
                manufacturer=maker,
                type_approval=approval,
                accuracy_class=approval.accuracy_class,
                max_capacity_g=approval.max_capacity_g,
                min_capacity_g=approval.min_capacity_g,
                e_g=approval.e_g,
                d_g=approval.e_g,
                software_version="1.0.0",
                software_checksum="A1B2",
                production_code=f"P{n}",
                manufactured_on=dt.date(2026, 2, 1),
                division_id=market.division_id,
                operator=operator,
                market=market,
                state=ScaleState.REGISTERED,
                state_changed_at=now,
                created_at=now,
            )
            for n in range(1, scales + 1)
        ]
        Scale.objects.bulk_create(rows, batch_size=2000)
    return verifier, [s.code for s in rows]


def _csv(scale_codes: list[str]) -> bytes:
    from chengxin.verification.imports import HEADERS

    fixed = {
        "检定类别": "首次检定",
        "检定日期": dt.date.today().isoformat(),
        "唯一性信息核对一致（是/否）": "是",
        "封印完好（是/否）": "是",
        "生产码、维修码齐全（是/否）": "是",
        "显示的软件版本": "1.0.0",
        "显示的软件校验和": "A1B2",
        "置零 示值 I（g）": "0",
        "置零 附加砝码 ΔL（g）": "2.5",
        "施加的封印编号（以;分隔）": "QF-1;QF-2",
    }
    for n, load in enumerate(("100", "2500", "10000", "15000"), 1):
        fixed |= {f"加载{n} 载荷 L（g）": load, f"加载{n} 示值 I（g）": load}
        fixed |= {f"加载{n} 附加砝码 ΔL（g）": "2.5", f"卸载{n} 示值 I（g）": load}
        fixed |= {f"卸载{n} 附加砝码 ΔL（g）": "2.5"}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for code in scale_codes:
        writer.writerow([code if h == "器具码" else fixed.get(h, "") for h in HEADERS])
    return out.getvalue().encode("utf-8-sig")


def run(rows: int = 10_000) -> dict[str, float]:
    fresh_sqlite_database("verification-import")
    from django.apps import apps
    from django.db import connection

    from chengxin.verification import imports
    from chengxin.verification.models import Verification

    verifier, scale_codes = _world(rows)
    content = _csv(scale_codes)

    counted = ("core.ChangeRecord", "ledger.LogEntry", "verification.TestPoint",
               "verification.Certificate", "instruments.LifecycleEvent")  # fmt: skip
    before = {label: apps.get_model(label).objects.count() for label in counted}
    started = time.perf_counter()
    written = imports.verification_import(user=verifier, content=content)
    import_s = time.perf_counter() - started
    assert len(written) == rows
    side_rows = sum(apps.get_model(lb).objects.count() - before[lb] for lb in counted)

    # The raw baseline: the very same verification rows, sqlite3 executemany, one transaction.
    raw = connection.connection
    table = Verification._meta.db_table
    data = raw.execute(f'SELECT * FROM "{table}"').fetchall()
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute(f'DELETE FROM "{table}"')
    raw.commit()
    started = time.perf_counter()
    raw.execute("BEGIN IMMEDIATE")
    raw.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(data[0]))})', data)
    raw.commit()
    raw_s = time.perf_counter() - started
    raw.execute("PRAGMA foreign_keys=ON")

    figures = {
        "rows": rows,
        "import_s": import_s,
        "import_rows_per_s": rows / import_s,
        "raw_s": raw_s,
        "raw_rows_per_s": len(data) / raw_s,
        "side_rows_per_verification": side_rows / rows,
    }
    figures["ratio"] = figures["import_rows_per_s"] / figures["raw_rows_per_s"]
    print(f"\n== 4. verification bulk import, SQLite, {rows:,} rows (CSV) ==")
    print(
        f"   imports.verification_import (check all, then record each): {import_s:7.1f} s "
        f"{figures['import_rows_per_s']:>9,.0f} rows/s"
    )
    print(
        f"   raw sqlite3 executemany into {table}, same rows: {raw_s:7.2f} s "
        f"{figures['raw_rows_per_s']:>9,.0f} rows/s"
    )
    print(
        f"   import / raw = {figures['ratio']:.2%}; each imported row also wrote "
        f"{figures['side_rows_per_verification']:.0f} other rows (test points, certificate, "
        "lifecycle event, change records, log leaves)"
    )
    return figures


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
