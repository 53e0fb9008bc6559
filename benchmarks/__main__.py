"""``python -m benchmarks [seeding|lookup|queries|import|scan|log] [--scales N] [--…]``.

Each part runs in its own process (each sets up Django with its own database) and prints its
figures beside the baseline measured in the same run. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parts = ["seeding", "queries", "lookup", "import", "scan", "log"]
    parser.add_argument("parts", nargs="*", default=parts, choices=parts)
    parser.add_argument("--scales", type=int, default=100_000, help="seeding benchmark size")
    parser.add_argument("--lookup-scales", type=int, default=1_000_000, help="look-up data size")
    parser.add_argument("--seconds", type=int, default=15, help="load duration per URL")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--import-rows", type=int, default=10_000, help="bulk import size")
    parser.add_argument("--log-leaves", type=int, default=200_000, help="log append size")
    parser.add_argument("--log-batch", type=int, default=50_000, help="log_integrate batch")
    parser.add_argument("--log-sizes", default="1000000,10000000", help="proof trees (SQLite)")
    parser.add_argument("--log-pg-sizes", default="1000000,10000000", help="proof trees (PG)")
    parser.add_argument("--log-proofs", type=int, default=20_000, help="proofs of each kind")
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())  # fmt: skip
    print(f"Chengxin benchmarks — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — "
          f"{platform.node()}, {cpu}, Python {platform.python_version()}")  # fmt: skip
    for part in args.parts:
        if part == "seeding":
            code = f"from benchmarks import seeding; seeding.run({args.scales})"
        elif part == "queries":
            code = "from benchmarks import queries; queries.run()"
        elif part == "import":
            code = ("from benchmarks import verification_import as v; "
                    f"v.run({args.import_rows})")  # fmt: skip
        elif part == "log":
            sizes = [tuple(int(x) for x in text.split(",") if x.strip())
                     for text in (args.log_sizes, args.log_pg_sizes)]  # fmt: skip
            code = (f"from benchmarks import log; log.run({args.log_leaves}, {args.log_batch}, "
                    f"{sizes[0]!r}, {sizes[1]!r}, {args.log_proofs}, "
                    f"{args.seconds}, {args.connections})")  # fmt: skip
        elif part == "scan":
            code = (f"from benchmarks import scan_page; scan_page.run({args.lookup_scales}, "
                    f"{args.seconds}, {args.connections})")  # fmt: skip
        else:
            code = (f"from benchmarks import lookup; lookup.run({args.lookup_scales}, "
                    f"{args.seconds}, {args.connections})")  # fmt: skip
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
