# ruff: noqa: S603, S607, S608 — a benchmark harness starting its own tools; SQL names are ours
"""Transparency log: append rate, proofs from the database, tiles over HTTP.

Three measurements, each beside a baseline taken in the same run:

1. **Append** — pending leaves integrated per second by ``services.log_integrate`` (in batches
   of ``--log-batch``, each one transaction with its commit: indexes, tree hashes, content
   index, signed checkpoint), against hashing the very same leaf bytes with ``hashlib`` alone.
   The pending ``LogEntry`` rows are written directly with ``executemany`` (``COPY`` on
   PostgreSQL) beforehand — their ``record_id`` points at no ``ChangeRecord`` (the foreign key
   has ``db_constraint=False``) — so the figure is integration only, not leaf creation. A fresh
   database each run: ``var/bench/log-append.sqlite3`` (embedded PRAGMAs: WAL,
   synchronous=NORMAL) and PostgreSQL ``chengxin_bench_log`` when 127.0.0.1:5432 answers.
   The integrated tree's root is checked against an in-memory computation.
2. **Proofs** — inclusion and consistency proofs per second from the database
   (``merkle.prove_record`` / ``merkle.prove_tree`` over ``services.DatabaseHashReader()``, a
   new reader per proof as the API views do) at each ``--log-sizes`` tree size, against the same
   proofs over ``merkle.MemoryHashStore``; every database proof is compared with the in-memory
   one. The trees are built once and reused: hashes computed in memory (a stack over the right
   border, written in storage order) into ``var/bench/log-tree-<size>.hashes``, then loaded as
   ``ledger_treehash`` rows with ``executemany`` into ``var/bench/log-tree-<size>.sqlite3`` (and
   with ``COPY`` into PostgreSQL ``chengxin_bench_log_<size>`` for ``--log-pg-sizes``).
3. **Tiles** — full hash tiles (``/log/tile/0/<N>`` and ``/log/tile/1/<N>``, random N) per
   second from the 10^6-leaf SQLite tree, against ``/bench/trivial`` on the same gunicorn (two
   sync workers) in the same run, driven by wrk as in ``benchmarks.lookup``.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
BENCH_DIR = ROOT / "var" / "bench"
PG_BASE = os.environ.get("BENCH_PG_URL_BASE", "postgres://postgres@127.0.0.1:5432/")
_ORIGIN = "chengxin.localhost/log"


# --- orchestration (parent process) ----------------------------------------------------------


def _signing_key() -> str:
    """One bench-only log key, kept in var/bench so that re-runs sign with the same key."""
    path = BENCH_DIR / "log-bench.key"
    if not path.exists():
        from chengxin.ledger.note import Ed25519Signer

        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(Ed25519Signer.generate(_ORIGIN).signer_key + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def _env(backend: str, name: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    env.pop("BENCH_DATABASE_URL", None)
    env["CHENGXIN_LOG_SIGNING_KEY"] = _signing_key()
    env["CHENGXIN_LOG_ORIGIN"] = _ORIGIN
    if backend == "postgres":
        env["BENCH_DATABASE_URL"] = PG_BASE + name
    else:
        env["BENCH_SQLITE_NAME"] = name
    return env


def _pg_database(name: str) -> bool:
    """Whether PostgreSQL answers; creates database ``name`` if it is missing."""
    from benchmarks.lookup import postgres_reachable

    if not postgres_reachable():
        return False
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    if out.stdout.strip() != "1":
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"],
            check=True, capture_output=True,
        )  # fmt: skip
    return True


def _child(env: dict[str, str], *args: str) -> dict:
    """Run ``python -m benchmarks.log <args>`` with ``env``; its last stdout line is JSON."""
    out = subprocess.run(
        [PY, "-m", "benchmarks.log", *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmarks.log {' '.join(args)} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _size_label(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else str(size)


def run(
    leaves: int = 200_000,
    batch: int = 50_000,
    sizes: tuple[int, ...] = (1_000_000, 10_000_000),
    pg_sizes: tuple[int, ...] = (1_000_000,),
    proofs: int = 20_000,
    seconds: int = 15,
    connections: int = 8,
) -> dict[str, object]:
    results: dict[str, object] = {}
    pg_append = _pg_database("chengxin_bench_log")

    print(f"\n== 6. log append: {leaves:,} pending leaves, log_integrate batches of {batch:,} ==")
    backends = ["sqlite"] + (["postgres"] if pg_append else [])
    for backend in backends:
        r = _child(_env(backend, "log-append" if backend == "sqlite" else "chengxin_bench_log"),
                   "append", str(leaves), str(batch))  # fmt: skip
        results[f"append-{backend}"] = r
        print(f"   {backend:8} log_integrate (with commits)  {r['integrate_rate']:10,.0f} leaves/s"
              f"   ({r['integrate_s']:.2f} s, {r['batches']} batches, root checked)")  # fmt: skip
        ratio = r["integrate_rate"] / r["hash_rate"]
        print(f"   {'':8} raw hashlib SHA-256, same bytes {r['hash_rate']:10,.0f} leaves/s"
              f"   → integrate / raw hashing = {ratio:.1%}")  # fmt: skip
        print(f"   {'':8} (writing the pending rows, not measured above: "
              f"{r['insert_rate']:,.0f} rows/s)")  # fmt: skip
    print("   target: ≥ 20,000 leaves/s on SQLite")
    if not pg_append:
        print("   (PostgreSQL not reachable on 127.0.0.1:5432: skipped)")

    print(f"\n== 7. log proofs: {proofs:,} random proofs of each kind per tree ==")
    jobs = [("sqlite", size) for size in sizes]
    jobs += [
        ("postgres", size)
        for size in pg_sizes
        if _pg_database(f"chengxin_bench_log_{_size_label(size)}")
    ]
    for backend, size in jobs:
        name = f"log-tree-{_size_label(size)}"
        if backend == "postgres":
            name = f"chengxin_bench_log_{_size_label(size)}"
        r = _child(_env(backend, name), "proofs", str(size), str(proofs))
        results[f"proofs-{backend}-{size}"] = r
        print(f"   {backend} {size:,} leaves ({r['rows']:,} tree hashes; "
              f"built in {r['build_s']:.0f} s)" if r["build_s"] else
              f"   {backend} {size:,} leaves ({r['rows']:,} tree hashes; reused)")  # fmt: skip
        for kind in ("inclusion", "consistency"):
            db, mem = r[f"{kind}_db"], r[f"{kind}_mem"]
            print(f"      {kind:11}  database {db:8,.0f}/s   in-memory {mem:8,.0f}/s   "
                  f"db / memory = {db / mem:.0%}")  # fmt: skip
        if "inclusion_db_mmap" in r:
            print(f"      inclusion with PRAGMA mmap_size (not in the embedded profile): "
                  f"{r['inclusion_db_mmap']:,.0f}/s")  # fmt: skip
    print("   target: ≥ 5,000 proofs/s from the database at 10^7 leaves")

    print("\n== 8. log tiles over HTTP (10^6-leaf SQLite tree) ==")
    if shutil.which("wrk") is None:
        print("   skipped: wrk is not installed (apt-get install wrk)")
        return results
    r = tiles(1_000_000, seconds, connections)
    results["tiles"] = r
    base = r["trivial"]["rps"]
    for name, label in (("trivial", "/bench/trivial"), ("tile0", "/log/tile/0/<N> (8 KiB)"),
                        ("tile1", "/log/tile/1/<N> (8 KiB)")):  # fmt: skip
        x = r[name]
        print(f"   {label:26} {x['rps']:8.0f} req/s   p50 {x['p50_ms']:6.2f} ms   "
              f"p99 {x['p99_ms']:6.2f} ms   ({x['requests']:,} requests, {x['non_2xx']} non-2xx)"
              + ("" if name == "trivial" else f"   {x['rps'] / base:.0%} of trivial"))  # fmt: skip
    return results


_TILE_LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
math.randomseed(1)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def tiles(size: int, seconds: int, connections: int) -> dict[str, dict]:
    from benchmarks.lookup import _wrk, gunicorn_server
    from chengxin.ledger import merkle

    env = _env("sqlite", f"log-tree-{_size_label(size)}")
    _child(env, "proofs", str(size), "0")  # builds the tree if it is not there yet
    tmp = Path(tempfile.mkdtemp(prefix="chengxin-bench-log-"))
    scripts = {}
    full0 = size >> merkle.TILE_HEIGHT
    full1 = size >> (2 * merkle.TILE_HEIGHT)
    sets = {
        "trivial": ["/bench/trivial"],
        "tile0": [f"/log/tile/0/{merkle.encode_tile_index(n)}" for n in range(full0)],
        "tile1": [f"/log/tile/1/{merkle.encode_tile_index(n)}" for n in range(full1)],
    }
    for name, paths in sets.items():
        (tmp / f"{name}.txt").write_text("\n".join(paths) + "\n")
        scripts[name] = str(tmp / f"{name}.lua")
        Path(scripts[name]).write_text(_TILE_LUA % {"paths": tmp / f"{name}.txt"})
    try:
        with gunicorn_server(env) as server:
            # One tile by hand: the server must answer 8 KiB, not a 404 page.
            tile = server.url + sets["tile0"][0]
            first = urllib.request.urlopen(tile, timeout=5).read()  # noqa: S310
            assert len(first) == merkle.TILE_WIDTH * merkle.HASH_SIZE, len(first)
            out = {}
            for name in sets:
                _wrk(server.url + "/", scripts[name], 3, connections)  # warm-up, discarded
                out[name] = _wrk(server.url + "/", scripts[name], seconds, connections)
            return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- measurements (child process, Django set up with one database) ---------------------------


def _setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def _sample_leaves(count: int) -> list[bytes]:
    """Realistic v1 leaves: a quarter scale records (with a code), the rest lifecycle events."""
    import datetime as dt

    from chengxin.ledger import leaves

    salt = b"\x07" * leaves.SALT_BYTES
    moment = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
    out = []
    for i in range(count):
        scale = i // 4 + 1
        if i % 4 == 0:
            model, after = "instruments.scale", {
                "code": f"330106{scale:010d}", "state": "in_service", "division_id": 330106,
                "type_approval_id": 17, "owner_id": 1000 + scale % 5000, "serial_no": f"SN{i}",
                "max_capacity": "30.000", "verification_interval": "0.010",
                "owner_contact": "张三 13800000000",
            }  # fmt: skip
        else:
            model, after = "instruments.lifecycleevent", {
                "scale_id": scale, "kind": "verification", "state_from": "in_service",
                "state_to": "in_service", "note": "", "at": "2026-11-26T08:00:00Z",
            }  # fmt: skip
        leaf = leaves.change_leaf(
            record_id=i + 1, time=moment + dt.timedelta(microseconds=i), model=model,
            object_id=str(i + 1), action="create", actor="inspector_330106",
            source="cli", request_id=f"req-{i // 100}", before=None, after=after,
            personal_fields=("owner_contact",), salt=salt,
        )  # fmt: skip
        out.append(leaf)
    return out


def _stored_hashes_in_memory(leaf_hashes: list[bytes]) -> bytearray:
    """Every stored hash of the tree over ``leaf_hashes``, in storage order, concatenated.

    Appending leaf n writes its hash and then the hash of each subtree it completes; the left
    siblings are exactly the roots of the perfect subtrees on the right border, kept on a stack.
    """
    sha = hashlib.sha256
    out = bytearray()
    stack: list[bytes] = []
    for n, h in enumerate(leaf_hashes):
        out += h
        m = n + 1
        while not m & 1:
            h = sha(b"\x01" + stack.pop() + h).digest()
            out += h
            m >>= 1
        stack.append(h)
    return out


def _root(data: bytes | bytearray, size: int) -> bytes:
    from chengxin.ledger import merkle

    store = merkle.MemoryHashStore()
    store.hashes = [bytes(data[i : i + 32]) for i in range(0, len(data), 32)]
    return merkle.tree_hash(size, store)


def append(count: int, batch: int) -> dict[str, object]:
    _setup()
    from django.db import connection

    from chengxin.ledger import leaves, merkle, services
    from chengxin.ledger.models import Checkpoint

    vendor = connection.vendor
    tables = ["ledger_logentry", "ledger_treehash", "ledger_subject", "ledger_checkpoint"]
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')
    data = _sample_leaves(count)

    # Baseline: SHA-256 leaf hashes of exactly these bytes, nothing else.
    sha = hashlib.sha256
    started = time.perf_counter()
    hashes = [sha(b"\x00" + d).digest() for d in data]
    hash_s = time.perf_counter() - started

    now = "2026-11-26 08:00:00+00:00"
    rows = [
        (i + 1, d, h, b"\x07" * 16, now) for i, (d, h) in enumerate(zip(data, hashes, strict=True))
    ]
    started = time.perf_counter()
    if vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY ledger_logentry (record_id, data, leaf_hash, salt, created_at) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        raw = connection.connection
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany(
            "INSERT INTO ledger_logentry (record_id, data, leaf_hash, salt, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        raw.execute("COMMIT")
    insert_s = time.perf_counter() - started
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE ledger_logentry")

    batches = 0
    started = time.perf_counter()
    while True:
        done = services.log_integrate(limit=batch)
        batches += 1
        if done < batch:
            break
    integrate_s = time.perf_counter() - started

    # Correctness: the signed root is the root of these leaves, computed in memory.
    expected = _root(_stored_hashes_in_memory(hashes), count)
    checkpoint = Checkpoint.objects.get(size=count)
    assert bytes(checkpoint.root_hash) == expected, "integrated root differs from in-memory root"
    assert services.tree_size() == count
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_treehash")
        assert cursor.fetchone()[0] == merkle.stored_hash_count(count)
        cursor.execute('SELECT count(*) FROM ledger_logentry WHERE "index" = record_id - 1')
        assert cursor.fetchone()[0] == count, "leaves were not numbered in arrival order"
        cursor.execute("SELECT count(*) FROM ledger_subject")
        expected_subjects = sum(len(leaves.subjects(leaves.parse_leaf(d))) for d in data)
        assert cursor.fetchone()[0] == expected_subjects, "content index rows are missing"
    return {
        "backend": vendor, "leaves": count, "batch": batch, "batches": batches,
        "integrate_s": integrate_s, "integrate_rate": count / integrate_s,
        "hash_s": hash_s, "hash_rate": count / hash_s, "insert_rate": count / insert_s,
    }  # fmt: skip


def _tree_file(size: int) -> Path:
    """The tree's stored hashes (32 bytes each, storage order), built once."""
    path = BENCH_DIR / f"log-tree-{_size_label(size)}.hashes"
    from chengxin.ledger import merkle

    if path.exists() and path.stat().st_size == 32 * merkle.stored_hash_count(size):
        return path
    sha = hashlib.sha256
    leaf_hashes = (sha(b"\x00" + b"bench leaf %d" % i).digest() for i in range(size))
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(_stored_hashes_in_memory(leaf_hashes))  # type: ignore[arg-type]
    tmp.rename(path)
    return path


def _build_tree(size: int) -> float:
    """Load the tree into ``ledger_treehash`` unless it is there; seconds spent (0 if reused)."""
    from django.db import connection

    from chengxin.ledger import merkle, services

    count = merkle.stored_hash_count(size)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_checkpoint WHERE size = %s", [size])
        done = cursor.fetchone()[0] == 1
    if done:
        return 0.0
    started = time.perf_counter()
    data = _tree_file(size).read_bytes()
    chunk = 1_000_000
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_checkpoint")
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE ledger_treehash")
            with cursor.cursor.copy(
                'COPY ledger_treehash ("index", hash) FROM STDIN (FORMAT BINARY)'
            ) as copy:
                copy.set_types(["int8", "bytea"])
                for i in range(count):
                    copy.write_row((i, data[32 * i : 32 * i + 32]))
        else:
            cursor.execute("DELETE FROM ledger_treehash")
    if connection.vendor != "postgresql":
        raw = connection.connection
        raw.execute("PRAGMA synchronous=OFF")
        for lo in range(0, count, chunk):
            hi = min(count, lo + chunk)
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany(
                'INSERT INTO ledger_treehash ("index", hash) VALUES (?, ?)',
                ((i, data[32 * i : 32 * i + 32]) for i in range(lo, hi)),
            )
            raw.execute("COMMIT")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE ledger_treehash")
    root = merkle.tree_hash(size, services.DatabaseHashReader())
    assert root == _root(data, size)
    services.checkpoint_sign(size, root)
    return time.perf_counter() - started


def proofs(size: int, count: int) -> dict[str, object]:
    _setup()
    from django.db import connection

    from chengxin.ledger import merkle, services

    build_s = _build_tree(size)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_treehash")
        rows = cursor.fetchone()[0]
    result: dict[str, object] = {"size": size, "rows": rows, "build_s": build_s}
    if count == 0:
        return result

    data = _tree_file(size).read_bytes()
    memory = merkle.MemoryHashStore()
    memory.hashes = [data[i : i + 32] for i in range(0, len(data), 32)]
    memory.size = size
    del data
    # The 2·10^7-element list would otherwise be walked by every full garbage collection
    # (bytes are not tracked, so these come often), which the measured loops would pay for.
    gc.collect()
    gc.freeze()
    rng = random.Random(size)
    warm = [rng.randrange(size) for _ in range(min(count, 2000))]
    indexes = [rng.randrange(size) for _ in range(count)]
    old_sizes = [rng.randrange(1, size) for _ in range(count)]
    for i in warm:  # warm the connection and some pages; different leaves from those measured
        merkle.prove_record(size, i, services.DatabaseHashReader())

    root = merkle.tree_hash(size, memory)
    reader = services.DatabaseHashReader
    cases = {
        "inclusion": (lambda i, r: merkle.prove_record(size, i, r), indexes),
        "consistency": (lambda m, r: merkle.prove_tree(size, m, r), old_sizes),
    }
    for kind, (prove, args) in cases.items():
        started = time.perf_counter()
        db = [prove(a, reader()) for a in args]
        db_s = time.perf_counter() - started
        started = time.perf_counter()
        mem = [prove(a, memory) for a in args]
        mem_s = time.perf_counter() - started
        assert db == mem, f"{kind} proofs from the database differ from in-memory ones"
        result[f"{kind}_db"] = count / db_s
        result[f"{kind}_mem"] = count / mem_s
    if connection.vendor == "sqlite":
        # Not in the embedded profile: the same inclusion proofs with the file memory-mapped,
        # which saves SQLite a read() and a copy per page that is not in its own cache.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size=4294967296")
        started = time.perf_counter()
        db = [merkle.prove_record(size, i, reader()) for i in indexes]
        result["inclusion_db_mmap"] = count / (time.perf_counter() - started)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size=0")
    # And the proofs hold (a sample: verifying is not what is measured).
    for i in indexes[:200]:
        proof = merkle.prove_record(size, i, memory)
        merkle.verify_inclusion(i, size, memory.hashes[merkle.stored_hash_index(0, i)], proof, root)
    for m in old_sizes[:200]:
        merkle.verify_consistency(
            m, size, merkle.prove_tree(size, m, memory), merkle.tree_hash(m, memory), root
        )
    return result


if __name__ == "__main__":
    part, *rest = sys.argv[1:]
    if part == "append":
        print(json.dumps(append(int(rest[0]), int(rest[1]))))
    elif part == "proofs":
        print(json.dumps(proofs(int(rest[0]), int(rest[1]))))
    else:
        raise SystemExit(f"unknown part {part!r}")
