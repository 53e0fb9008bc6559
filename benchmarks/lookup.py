# ruff: noqa: S603, S607, S608 — a benchmark harness starting its own tools (wrk, psql, gunicorn);
# its SQL names fixed tables, never input
"""Scale look-up by code through the API, against a trivial view on the same server.

For each database (SQLite file; PostgreSQL when it answers on 127.0.0.1:5432) the harness makes
sure the database holds the demo data set with ``--scales`` scales (seeding it once, which takes
minutes for 10^6; later runs reuse it), starts gunicorn (2 sync workers, one per core) on a
loopback port, and drives it with wrk (C, one thread, fixed connections, bounded duration):
first ``/bench/trivial``, then ``/api/v1/scales/<code>/`` with random existing codes and a
national inspector's API token. Both figures come from the same server process in the same run.

wrk is Debian's ``wrk`` package (``apt-get install wrk``); gunicorn is a project dependency.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import against_target

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
# Sync workers, one per core (BENCH_WORKERS overrides it). gunicorn's (2 × cores) + 1 was tried
# on PostgreSQL: it speeds the trivial view up more than the look-up (ratio 37 % against 45-51 %).
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SQLITE_NAME = "lookup-1m"  # var/bench/<name>.sqlite3, shared by the look-up and scan-page parts
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/chengxin_bench")

_LUA = """
local codes = {}
for line in io.lines("%(codes)s") do codes[#codes + 1] = line end
math.randomseed(1)
wrk.headers["Authorization"] = "Token %(token)s"
wrk.headers["Accept"] = "application/json"
request = function()
  local path = "%(path)s"
  if path == "" then
    path = "/api/v1/scales/" .. codes[math.random(#codes)] .. "/%(query)s"
  end
  return wrk.format("GET", path)
end
"""


def _env(backend: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    env.pop("BENCH_DATABASE_URL", None)
    if backend == "postgres":
        env["BENCH_DATABASE_URL"] = PG_URL
    else:
        env["BENCH_SQLITE_NAME"] = SQLITE_NAME
    return env


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return False
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
         "SELECT 1 FROM pg_database WHERE datname='chengxin_bench'"],
        capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode != 0:
        return False
    if out.stdout.strip() != "1":
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", "CREATE DATABASE chengxin_bench"],
            check=True, capture_output=True,
        )  # fmt: skip
    return True


def prepare(scales: int, codes_file: str) -> None:
    """(In a child process, with the backend's settings.) Seed if needed; print the token."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from chengxin.core.context import acting_as
    from chengxin.demo import generator
    from chengxin.instruments.models import Scale
    from chengxin.ledger.models import LogEntry
    from chengxin.ledger.services import log_integrate_all
    from chengxin.organizations.models import User

    call_command("migrate", verbosity=0, skip_checks=True)
    loaded = False
    if Scale.objects.count() != scales or not User.objects.filter(username="nation_inspector"):
        print(f"seeding {scales:,} scales (once; reused by later runs) …", file=sys.stderr)
        with acting_as(None, source="cli"):
            generator.seed(scales=scales, seed=1, progress=True)
        loaded = True
    if LogEntry.objects.filter(index__isnull=True).exists():
        # As `chengxin demo` leaves it: every record in the log under a signed checkpoint.
        print("integrating the pending log leaves (once) …", file=sys.stderr)
        log_integrate_all()
        loaded = True
    if loaded and connection.vendor == "postgresql":
        # What an operator does after a bulk load; otherwise autovacuum does it during the
        # measurement, on the same two cores.
        print("VACUUM ANALYZE after the load (once) …", file=sys.stderr)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    user = User.objects.get(username="nation_inspector")
    token, _ = Token.objects.get_or_create(user=user)
    step = max(1, scales // 20_000)
    codes = list(
        Scale.objects.filter(id__in=range(1, scales + 1, step)).values_list("code", flat=True)
    )
    Path(codes_file).write_text("\n".join(codes) + "\n")
    print(json.dumps({"token": token.key, "codes": len(codes)}))


# What the look-up and a first scan of the public page read (one query each, and the token's
# user when its remembered copy expires), most needed first, warmed on PostgreSQL with their
# indexes and TOAST. Not the leaves (``ledger_logentry``, ~7 GB at 10^6 scales) nor the lifecycle
# events (~2 GB): the page reads its history kept ready (``portal_scalehistory``, decision 0004),
# and reading them in would only push the rest out of memory.
_PG_WORKING_SET = (
    "instruments_scale", "organizations_organisation", "instruments_typeapproval",
    "markets_market", "markets_stall", "portal_scalehistory", "authtoken_token",
    "organizations_user", "ledger_checkpoint",
)  # fmt: skip
_TABLES = "ARRAY[" + ", ".join(f"'{t}'" for t in _PG_WORKING_SET) + "]::text[]"
# The working set's relations: each table, its TOAST table and their indexes, with the table's
# rank in _PG_WORKING_SET. What the warm-up loads and what the report sizes.
_WORKING_SET_RELATIONS = (
    "SELECT c.oid, pg_relation_size(c.oid) AS bytes, "
    f"array_position({_TABLES}, t.relname::text) AS rank "
    "FROM pg_class t JOIN pg_class c ON c.oid IN (t.oid, t.reltoastrelid) OR c.oid IN "
    "(SELECT indexrelid FROM pg_index WHERE indrelid IN (t.oid, t.reltoastrelid)) "
    f"WHERE t.relname::text = ANY({_TABLES}) AND t.relkind = 'r'"
)


def _psql(*commands: str) -> str:
    """Run SQL on the PostgreSQL benchmark database; what the last command printed."""
    args = ["psql", "-qAt", "-h", "127.0.0.1", "-U", "postgres", "-d", PG_URL.rsplit("/", 1)[1]]
    for command in commands:
        args += ["-c", command]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def warm_cache(backend: str) -> None:
    """Read the benchmark database into memory before measuring.

    The two 10^6-scale databases with their logs (SQLite ~20 GB, PostgreSQL ~28 GB) do not both
    fit in this VM's 24 GB, so whichever was used last would be half on disk: the figures are
    for a warm server (its working set in memory), as one sized for its data runs. On
    PostgreSQL that means in the server's own shared buffers as far as they hold it, not only
    in the OS page cache: every block a query finds outside them costs a system call and a
    buffer replacement (``buffer_counts`` says how many did during a run).
    """
    if backend == "postgres":
        read = f"SELECT sum(pg_prewarm(oid, 'read')) FROM ({_WORKING_SET_RELATIONS}) r"
        # Into shared buffers, most needed first, as many relations as fit in 90 % of them.
        buffer = (
            "SELECT coalesce(sum(pg_prewarm(oid, 'buffer')), 0) FROM (SELECT oid, "
            f"sum(bytes) OVER (ORDER BY rank, oid) AS upto FROM ({_WORKING_SET_RELATIONS}) r"
            ") f WHERE upto <= 0.9 * pg_size_bytes(current_setting('shared_buffers'))"
        )
        # Twice into the OS cache, for the same reason as the SQLite file's chunks below.
        _psql("CREATE EXTENSION IF NOT EXISTS pg_prewarm", read, read, buffer)
        return
    # Each chunk twice: a page read once sits on the kernel's inactive list and is the first
    # to go; read again, it is marked active (random reads afterwards: 17–27 µs against 50–80
    # µs after a single pass, with the other database in memory too).
    with open(_sqlite_path(), "rb", buffering=0) as f:
        offset = 0
        while chunk := os.pread(f.fileno(), 16 << 20, offset):
            os.pread(f.fileno(), len(chunk), offset)
            offset += len(chunk)


def buffer_counts(backend: str) -> tuple[int, int] | None:
    """PostgreSQL's (blocks found in shared buffers, blocks read from outside) for the
    benchmark database so far; None on SQLite. The difference over a run says how much of it
    ran from the server's own memory."""
    if backend != "postgres":
        return None
    out = _psql(
        "SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()"
    )
    hit, read = out.split("|")
    return int(hit), int(read)


def shared_buffers() -> str:
    """The server's shared buffers against the size of the working set ``warm_cache`` loads."""
    return _psql(
        "SELECT current_setting('shared_buffers') || ' for a working set of ' || "
        f"pg_size_pretty(sum(bytes)) FROM ({_WORKING_SET_RELATIONS}) r"
    )


def _sqlite_path() -> Path:
    return ROOT / "var" / "bench" / f"{SQLITE_NAME}.sqlite3"


def page_read_us(backend: str, samples: int = 2000) -> float | None:
    """Mean time of a random 4 KB read of the SQLite file, in µs (None on PostgreSQL).

    Whether the database was in memory, as a figure printed with the run's: a page in the OS
    cache reads in a few µs, one on disk in tens. A VM may page out file pages it sees unused
    (the project VM runs DAMON's proactive reclaim), so reading the file once before measuring
    does not promise that a 10^6-scale database stays in memory; this says how much did.
    """
    if backend != "sqlite":
        return None
    path = _sqlite_path()
    pages = path.stat().st_size // 4096
    rng = random.Random()  # other pages each time: one read before would have cached them
    fd = os.open(path, os.O_RDONLY)
    try:
        started = time.perf_counter()
        for _ in range(samples):
            os.pread(fd, 4096, rng.randrange(pages) * 4096)
        return (time.perf_counter() - started) / samples * 1e6
    finally:
        os.close(fd)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str  # the base URL, without a trailing slash
    pid: int  # gunicorn's master; its workers are its children


@contextlib.contextmanager
def gunicorn_server(env: dict[str, str]) -> Iterator[Server]:
    """A gunicorn (2 sync workers, one per core) serving the platform and ``/bench/trivial``
    on a free loopback port, once it answers; stopped afterwards."""
    port = _free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(PY).parent)) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "chengxin.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--worker-class", "sync", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/trivial", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        yield Server(base, server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _wrk(url: str, script: str, seconds: int, connections: int) -> dict[str, float | str]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
         "-s", script, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "rps": float(rps.group(1)) if rps else float("nan"),
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def prepare_database(backend: str, scales: int, codes_file: str) -> str:
    """Seed the benchmark database (once), write sample codes, warm it; the inspector's token."""
    prep = subprocess.run(
        [PY, "-m", "benchmarks.lookup", "prepare", str(scales), codes_file],
        env=_env(backend), cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if prep.returncode != 0:
        raise RuntimeError(prep.stderr[-3000:])
    token = str(json.loads(prep.stdout.strip().splitlines()[-1])["token"])
    warm_cache(backend)
    return token


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(path: Path) -> list[str] | None:
    """The fields of a ``/proc/<pid>/stat`` after the command name (which may hold spaces and
    parentheses), from the state on; None once the process has gone."""
    try:
        return path.read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time the processes have used so far (Linux ``/proc``)."""
    stats = [_stat(Path(f"/proc/{pid}/stat")) for pid in pids]
    return sum(int(f[11]) + int(f[12]) for f in stats if f) / _TICKS  # utime, stime


def _children(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (gunicorn's workers)."""
    return [
        int(path.parent.name)
        for path in Path("/proc").glob("[0-9]*/stat")
        if (f := _stat(path)) and int(f[1]) == parent
    ]


def _busy_seconds() -> float:
    """CPU time all cores have spent on anything but idling (and steal) so far."""
    user, nice, system, _idle, _iowait, irq, softirq = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    )
    return (user + nice + system + irq + softirq) / _TICKS


class CPUMeter:
    """Where a run's CPU time went, per request: gunicorn (master and workers), the database
    server's backends serving them (PostgreSQL), wrk, and the rest of the system (the kernel's
    network processing, anything else running).

    A look-up and a trivial request share the same server, so this says which side a ratio's
    difference comes from. Linux only (``/proc``); elsewhere ``per_request`` is None.
    """

    def __init__(self, backend: str, server: Server) -> None:
        self.available = Path("/proc/stat").exists()
        if not self.available:
            return
        self.groups = {"gunicorn": [server.pid, *_children(server.pid)], "database": []}
        if backend == "postgres":
            # The workers' persistent connections (CONN_MAX_AGE), open since the warm-up.
            self.groups["database"] = [
                int(pid) for pid in _psql(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                ).split()
            ]  # fmt: skip
        # wrk is the only child this process waits for between here and ``per_request``.
        self.before = self._counts()

    def _counts(self) -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        counts = {name: _cpu_seconds(pids) for name, pids in self.groups.items()}
        return {**counts, "wrk": usage.ru_utime + usage.ru_stime, "all": _busy_seconds()}

    def per_request(self, requests: int) -> dict[str, float] | None:
        """µs of CPU per request since the meter was made, by where it went."""
        if not self.available or requests == 0:
            return None
        after = self._counts()
        us = {k: (after[k] - self.before[k]) / requests * 1e6 for k in after}
        us["rest"] = us.pop("all") - us["gunicorn"] - us["database"] - us["wrk"]
        return us


def drive(backend: str, scripts: dict[str, str], seconds: int, connections: int) -> dict[str, Any]:
    """Serve the backend with gunicorn and run wrk with each script in turn (3 s warm-up each),
    metering where each run's CPU time went."""
    with gunicorn_server(_env(backend)) as server:
        results: dict[str, Any] = {}
        for name, script in scripts.items():
            _wrk(server.url + "/", script, 3, connections)  # warm-up, discarded
            meter = CPUMeter(backend, server)
            results[name] = _wrk(server.url + "/", script, seconds, connections)
            results[name]["cpu_us"] = meter.per_request(int(results[name]["requests"]))
        return results


def print_figures(
    title: str,
    rows: list[tuple[str, dict[str, Any]]],
    r: dict[str, Any],
) -> None:
    """The rows' figures, and how much of the database the run found in memory: the SQLite
    file's random read time before and after, PostgreSQL's shared-buffer hits."""
    print(f"\n== {title} ==")
    for name, x in rows:
        print(
            f"   {name:26} {x['rps']:8.0f} req/s   p50 {x['p50_ms']:6.2f} ms   "
            f"p99 {x['p99_ms']:6.2f} ms   ({x['requests']:,} requests, {x['non_2xx']} non-2xx)"
        )
        if cpu := x.get("cpu_us"):
            server = f"PostgreSQL {cpu['database']:.0f} µs, " if r["backend"] == "postgres" else ""
            print(
                f"   {'':26} CPU per request: gunicorn {cpu['gunicorn']:.0f} µs, {server}"
                f"wrk {cpu['wrk']:.0f} µs, rest of the system {cpu['rest']:.0f} µs"
            )
    before, after = r["page_read_us"]
    if r.get("buffers"):
        hit, read, size = r["buffers"]
        print(
            f"   PostgreSQL shared buffers ({size}): {hit / max(1, hit + read):.1%} of the run's "
            f"{hit + read:,} block accesses found there, {read:,} read from the OS"
        )
    if before is not None and after is not None:
        print(
            f"   random 4 KB read of the database file: {before:.1f} µs before, "
            f"{after:.1f} µs after (a few µs: in memory; tens: partly on disk)"
        )


def run_backends(
    title: str,
    measure: Callable[[str, int, int, int], dict[str, Any]],
    report: Callable[[dict[str, Any]], None],
    scales: int,
    seconds: int,
    connections: int,
) -> list[dict[str, Any]]:
    """``measure`` and ``report`` on SQLite, then on PostgreSQL when it answers."""
    if shutil.which("wrk") is None:
        print(f"\n== {title}: skipped, wrk is not installed (apt-get install wrk) ==")
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


def measure_scripts(
    backend: str,
    scales: int,
    seconds: int,
    connections: int,
    scripts_for: Callable[[Path, str, str], dict[str, str]],
) -> dict[str, Any]:
    """Prepare the database, write the wrk scripts ``scripts_for(tmp, codes_file, token)``
    returns (name → Lua text, in the order to run them) and ``drive`` them."""
    tmp = Path(tempfile.mkdtemp(prefix="chengxin-bench-"))
    try:
        codes_file = str(tmp / "codes.txt")
        token = prepare_database(backend, scales, codes_file)
        scripts = {}
        for name, text in scripts_for(tmp, codes_file, token).items():
            scripts[name] = str(tmp / f"{name}.lua")
            Path(scripts[name]).write_text(text)
        before, counts = page_read_us(backend), buffer_counts(backend)
        figures = drive(backend, scripts, seconds, connections)
        buffers = None
        if counts is not None:
            time.sleep(1)  # the workers' backends report their counts as they exit
            now = buffer_counts(backend)
            assert now is not None
            buffers = (now[0] - counts[0], now[1] - counts[1], shared_buffers())
        return {
            "backend": backend,
            "scales": scales,
            "page_read_us": (before, page_read_us(backend)),
            "buffers": buffers,
            **figures,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(backend: str, scales: int, seconds: int, connections: int) -> dict[str, Any]:
    def scripts(tmp: Path, codes_file: str, token: str) -> dict[str, str]:
        return {
            name: _LUA % {"codes": codes_file, "token": token, "path": path, "query": query}
            for name, path, query in (
                ("trivial", "/bench/trivial", ""),
                ("lookup", "", ""),
                # The same look-up answered by DRF's view: a query string is one of the shapes
                # the fast path leaves to DRF (decision 0006). What the fast path gains, same run.
                ("lookup_drf", "", "?drf"),
            )
        }

    return measure_scripts(backend, scales, seconds, connections, scripts)


def report(r: dict[str, Any]) -> None:
    t, lk, drf = r["trivial"], r["lookup"], r["lookup_drf"]
    print_figures(
        f"2. scale look-up by code, {r['backend']}, {r['scales']:,} scales",
        [
            ("/bench/trivial", t),
            ("/api/v1/scales/<code>/", lk),
            ("the same through DRF", drf),
        ],
        r,
    )
    print(
        f"   look-up / trivial: through DRF's view {drf['rps'] / t['rps']:.1%}, "
        f"the look-up {against_target(lk['rps'] / t['rps'], 0.50)}"
    )


def run(scales: int, seconds: int = 15, connections: int = 8) -> list[dict[str, Any]]:
    return run_backends("2. scale look-up", measure, report, scales, seconds, connections)


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(int(sys.argv[2]), sys.argv[3])
    else:
        run(int(sys.argv[1]))
