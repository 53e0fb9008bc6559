# ruff: noqa: S608 — table names come from model _meta, never from input
"""Demo seeding throughput (rows/s) against a raw ``executemany`` of the same rows.

Seeds N scales into a fresh SQLite file with ``chengxin.demo.generator`` (generation, change
records and all), then reads every row it wrote back, empties those tables and re-inserts the
same rows with the sqlite3 module's own ``executemany`` in one transaction: the ceiling for
writing these rows through Python on this machine.
"""

from __future__ import annotations

import sys
import time

from benchmarks import against_target, fresh_sqlite_database


def run(scales: int) -> dict[str, float]:
    fresh_sqlite_database("seeding")
    from django.db import connection

    from chengxin.core.context import acting_as
    from chengxin.demo import generator

    with acting_as(None, source="cli"):
        started = time.perf_counter()
        generator.seed(scales=scales, seed=1, progress=False)
        seed_s = time.perf_counter() - started

    # The raw baseline: the very same rows, through sqlite3's executemany, one transaction.
    # Every row the seeding left, including those written by change-record listeners (the
    # transparency log's pending leaves), which the generator's own counts do not include.
    raw = connection.connection  # the sqlite3.Connection Django opened
    tables = []
    counts = {}
    for table in connection.introspection.django_table_names(only_existing=True):
        if table in generator._KEEP_TABLES:
            continue
        rows = raw.execute(f'SELECT * FROM "{table}"').fetchall()
        if rows:
            tables.append((table, rows))
            counts[table] = len(rows)
    seed_rows = sum(counts.values())
    raw.execute("PRAGMA foreign_keys=OFF")
    for table, _ in tables:
        raw.execute(f'DELETE FROM "{table}"')
    raw.commit()
    started = time.perf_counter()
    raw.execute("BEGIN IMMEDIATE")
    for table, rows in tables:
        marks = ", ".join("?" * len(rows[0]))
        raw.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
    raw.commit()
    raw_s = time.perf_counter() - started
    raw.execute("PRAGMA foreign_keys=ON")
    raw_rows = sum(len(rows) for _, rows in tables)

    figures = {
        "scales": scales,
        "rows": seed_rows,
        "seed_s": seed_s,
        "seed_rows_per_s": seed_rows / seed_s,
        "raw_s": raw_s,
        "raw_rows_per_s": raw_rows / raw_s,
    }
    figures["ratio"] = figures["seed_rows_per_s"] / figures["raw_rows_per_s"]
    print(f"\n== 1. demo seeding, SQLite, {scales:,} scales ({seed_rows:,} rows) ==")
    for table, count in sorted(counts.items()):
        print(f"   {table:38} {count:>10,}")
    print(
        f"   chengxin demo (generate + insert + change records): {seed_s:7.1f} s "
        f"{figures['seed_rows_per_s']:>10,.0f} rows/s"
    )
    print(
        f"   raw sqlite3 executemany, same rows, one txn:        {raw_s:7.1f} s "
        f"{figures['raw_rows_per_s']:>10,.0f} rows/s"
    )
    print(f"   demo / raw = {against_target(figures['ratio'], 0.30)}")
    return figures


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
