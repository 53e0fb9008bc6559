"""The sequencer: killed at any point it loses nothing; in-process it never downs the server."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from chengxin.ledger import merkle, sequencer, services
from chengxin.ledger.models import Checkpoint, LogEntry

from .conftest import add_stalls

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chengxin.settings.embedded",
        "CHENGXIN_SQLITE_PATH": str(tmp_path / "chengxin.sqlite3"),
        "CHENGXIN_VAR_DIR": str(tmp_path),
        "CHENGXIN_LOG_SIGNING_KEY": "",
        "CHENGXIN_LOG_SIGNING_KEY_FILE": "",
    }


def _pg_env(tmp_path: Path) -> dict[str, str]:
    """The subprocess works on this test's PostgreSQL database (its rows are committed)."""
    params = connection.settings_dict
    url = (
        f"postgres://{params['USER'] or 'postgres'}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chengxin.settings.test",
        "CHENGXIN_TEST_DATABASE_URL": url,
        "CHENGXIN_VAR_DIR": str(tmp_path),
        "CHENGXIN_LOG_SIGNING_KEY": "",
        "CHENGXIN_LOG_SIGNING_KEY_FILE": "",
    }


def _subprocess_env(tmp_path: Path) -> dict[str, str]:
    return _pg_env(tmp_path) if connection.vendor == "postgresql" else _env(tmp_path)


def _manage(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(MANAGE), *args],
        env=_subprocess_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_STATE_SQL = (
    "SELECT (SELECT count(*) FROM ledger_logentry),"
    ' (SELECT count(*) FROM ledger_logentry WHERE "index" IS NOT NULL),'
    ' (SELECT coalesce(max("index") + 1, 0) FROM ledger_logentry),'
    " (SELECT count(*) FROM ledger_treehash),"
    " (SELECT coalesce(max(size), 0) FROM ledger_checkpoint)"
)


def _state(db: Path) -> tuple[int, int, int, int, int]:
    """(leaves, integrated, max index + 1, tree hashes, largest checkpoint) as committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # autocommit: sees what the subprocess committed
            cursor.execute(_STATE_SQL)
            return tuple(int(v) for v in cursor.fetchone())  # type: ignore[return-value]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(_STATE_SQL).fetchone()


def _assert_whole(db: Path) -> int:
    """The log in the file is a complete tree: contiguous leaves, all hashes, a checkpoint."""
    _, integrated, top, hashes, checkpoint = _state(db)
    assert integrated == top == checkpoint
    assert hashes == merkle.stored_hash_count(integrated)
    return integrated


# serialized_rollback: the flush after a transactional test would drop migration-loaded data
# (divisions) that later transactional tests elsewhere read.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sequencer_killed_at_random_points_loses_and_duplicates_nothing(tmp_path):
    from chengxin.markets.models import Market
    from chengxin.organizations.choices import OrganisationKind
    from chengxin.testing import factories as f

    market = f.market(f.organisation(OrganisationKind.MARKET_OPERATOR))
    assert isinstance(market, Market)
    add_stalls(market, 1500)
    db = tmp_path / "chengxin.sqlite3"
    if connection.vendor == "sqlite":
        with sqlite3.connect(db) as target:  # the in-memory test database, as a file
            connection.ensure_connection()
            connection.connection.backup(target)
    total = _state(db)[0]
    rng = random.Random()
    progress = []
    for _ in range(3):
        before = _assert_whole(db)
        process = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, str(MANAGE), "log", "integrate", "--batch", "5"],
            env=_subprocess_env(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait until it is writing, then kill it a random moment later, mid-batch or between.
        deadline = time.monotonic() + 60
        while _state(db)[1] == before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.08))
        process.send_signal(signal.SIGKILL)
        process.wait()
        progress.append(_assert_whole(db))
    assert progress[0] > 0
    assert progress[-1] < total, "the kills came too late to interrupt anything"

    result = _manage(tmp_path, "log", "integrate")
    assert result.returncode == 0, result.stderr
    assert _assert_whole(db) == total
    audit = _manage(tmp_path, "log", "audit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    distinct_sql = "SELECT count(DISTINCT record_id) FROM ledger_logentry"
    if connection.vendor == "sqlite":
        with sqlite3.connect(db) as conn:
            (distinct_records,) = conn.execute(distinct_sql).fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(distinct_sql)
            (distinct_records,) = cursor.fetchone()
    assert distinct_records == total


def test_a_failing_round_is_logged_and_the_loop_goes_on(db, monkeypatch, caplog):
    calls = []

    def fail() -> int:
        calls.append(1)
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "log_integrate_all", fail)
    monkeypatch.setattr(sequencer, "_schedule_audit", lambda: None)
    stop = threading.Event()
    thread = threading.Thread(
        target=sequencer.run_forever, kwargs={"interval": 0.01, "stop": stop}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(5)
    assert len(calls) >= 3 and not thread.is_alive()
    assert "sequencer round failed" in caplog.text


def test_a_round_integrates_pending_leaves(world):
    assert sequencer.has_work()
    assert sequencer.run_round() == LogEntry.objects.count()
    assert not sequencer.has_work()
    assert sequencer.run_round() == 0
    assert Checkpoint.objects.latest().size == LogEntry.objects.count()


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, True),
        (["manage.py", "runserver"], {}, False),  # the autoreloader's watcher
        (["manage.py", "runserver", "--noreload"], {}, True),
        (["/usr/bin/gunicorn", "chengxin.wsgi"], {}, True),
        (["manage.py", "migrate"], {"RUN_MAIN": "true"}, False),
        (["pytest"], {}, False),
    ],
)
def test_the_in_process_sequencer_runs_only_in_a_server(settings, argv, environ, expected):
    settings.CHENGXIN_SEQUENCER_IN_PROCESS = True
    assert sequencer.should_run_in_process(argv, environ) is expected
    settings.CHENGXIN_SEQUENCER_IN_PROCESS = False
    assert sequencer.should_run_in_process(argv, environ) is False
