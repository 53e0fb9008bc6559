"""The public scan page ``/s/<code>`` (what a shopper's phone opens) against a trivial view.

Reuses the look-up harness (``benchmarks.lookup``): the same 10^6-scale demo database (seeded
once, then reused), the same gunicorn (2 sync workers) and wrk settings, and ``/bench/trivial``
served by the same server process in the same run. Requests are anonymous, as a shopper's are,
for random existing codes; each answer is the full HTML page (scale, approval, place, last
verification and the list of log leaves the in-browser check verifies).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks import against_target
from benchmarks.lookup import measure_scripts, print_figures, run_backends

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


def measure(backend: str, scales: int, seconds: int, connections: int) -> dict[str, Any]:
    def scripts(tmp: Path, codes_file: str, token: str) -> dict[str, str]:
        # "Repeat" scans: 200 scales scanned over and over (a busy market); the page cache
        # serves them after the first render. "First" scans: random codes out of 20,000.
        hot_file = str(tmp / "hot.txt")
        Path(hot_file).write_text("".join(Path(codes_file).read_text().splitlines(True)[:200]))
        return {
            name: _LUA % {"codes": codes, "path": path}
            for name, path, codes in (
                ("trivial", "/bench/trivial", codes_file),
                ("scan", "", codes_file),
                ("repeat", "", hot_file),
            )
        }

    return measure_scripts(backend, scales, seconds, connections, scripts)


def report(r: dict[str, Any]) -> None:
    t, s, h = r["trivial"], r["scan"], r["repeat"]
    print_figures(
        f"5. public scan page, {r['backend']}, {r['scales']:,} scales",
        [("/bench/trivial", t), ("/s/<code> first scans", s), ("/s/<code> repeat scans", h)],
        r,
    )
    print(
        f"   scan page / trivial: repeat scans {h['rps'] / t['rps']:.1%}, "
        f"first scans {against_target(s['rps'] / t['rps'], 0.40)}"
    )


def run(scales: int, seconds: int = 15, connections: int = 8) -> list[dict[str, Any]]:
    return run_backends("5. public scan page", measure, report, scales, seconds, connections)


if __name__ == "__main__":
    import sys

    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
