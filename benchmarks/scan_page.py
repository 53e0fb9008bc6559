# ruff: noqa: S603 — a benchmark harness starting its own tools (wrk, gunicorn)
"""The public scan page ``/s/<code>`` (what a shopper's phone opens) against a trivial view.

Reuses the look-up harness (``benchmarks.lookup``): the same 10^6-scale demo database (seeded
once, then reused), the same gunicorn (2 sync workers) and wrk settings, and ``/bench/trivial``
served by the same server process in the same run. Requests are anonymous, as a shopper's are,
for random existing codes; each answer is the full HTML page (scale, approval, place, last
verification and the list of log leaves the in-browser check verifies).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks.lookup import (
    PY,
    ROOT,
    _env,
    _wrk,
    gunicorn_server,
    postgres_reachable,
    warm_cache,
)

_LUA = """
local codes = {}
for line in io.lines("%(codes)s") do codes[#codes + 1] = line end
math.randomseed(1)
wrk.headers["Accept"] = "text/html"
wrk.headers["Accept-Language"] = "zh-hans"
request = function()
  local path = "%(path)s"
  if path == "" then
    path = "/s/" .. codes[math.random(#codes)]
  end
  return wrk.format("GET", path)
end
"""


def measure(backend: str, scales: int, seconds: int, connections: int) -> dict[str, object]:
    env = _env(backend)
    tmp = Path(tempfile.mkdtemp(prefix="chengxin-bench-scan-"))
    codes_file = str(tmp / "codes.txt")
    prep = subprocess.run(
        [PY, "-m", "benchmarks.lookup", "prepare", str(scales), codes_file],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if prep.returncode != 0:
        raise RuntimeError(prep.stderr[-3000:])
    json.loads(prep.stdout.strip().splitlines()[-1])  # the harness's "prepared" line
    warm_cache(backend)
    # "Repeat" scans: 200 scales scanned over and over (a busy market); the page cache serves
    # them after the first render. "First" scans: random codes out of 20,000, nearly all cold.
    hot_file = str(tmp / "hot.txt")
    Path(hot_file).write_text("".join(Path(codes_file).read_text().splitlines(True)[:200]))
    scripts = {}
    for name, path, codes in (
        ("trivial", "/bench/trivial", codes_file),
        ("scan", "", codes_file),
        ("repeat", "", hot_file),
    ):
        scripts[name] = str(tmp / f"{name}.lua")
        Path(scripts[name]).write_text(_LUA % {"codes": codes, "path": path})
    try:
        with gunicorn_server(env) as base:
            results: dict[str, object] = {"backend": backend, "scales": scales}
            for name in ("trivial", "scan", "repeat"):
                _wrk(base + "/", scripts[name], 3, connections)  # warm-up, discarded
                results[name] = _wrk(base + "/", scripts[name], seconds, connections)
            return results
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(r: dict[str, object]) -> None:
    t, s, h = r["trivial"], r["scan"], r["repeat"]
    assert isinstance(t, dict)
    assert isinstance(s, dict)
    assert isinstance(h, dict)
    print(f"\n== 5. public scan page, {r['backend']}, {r['scales']:,} scales ==")
    for name, x in (
        ("/bench/trivial", t),
        ("/s/<code> first scans", s),
        ("/s/<code> repeat scans", h),
    ):
        print(
            f"   {name:26} {x['rps']:8.0f} req/s   p50 {x['p50_ms']:6.2f} ms   "
            f"p99 {x['p99_ms']:6.2f} ms   ({x['requests']:,} requests, {x['non_2xx']} non-2xx)"
        )
    print(
        f"   scan page / trivial = {s['rps'] / t['rps']:.0%} first scans, "
        f"{h['rps'] / t['rps']:.0%} repeat scans   (target ≥ 40%)"
    )


def run(scales: int, seconds: int = 15, connections: int = 8) -> list[dict[str, object]]:
    if shutil.which("wrk") is None:
        print("\n== 5. skipped: wrk is not installed (apt-get install wrk) ==")
        return []
    backends = ["sqlite"] + (["postgres"] if postgres_reachable() else [])
    out = []
    for backend in backends:
        r = measure(backend, scales, seconds, connections)
        report(r)
        out.append(r)
    if "postgres" not in backends:
        print("   (PostgreSQL not reachable on 127.0.0.1:5432: skipped)")
    return out


if __name__ == "__main__":
    import sys

    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
