"""The sequencer loop: integrate pending leaves into the log, again and again.

``chengxin log sequence`` runs ``run_forever`` in production (one process, supervised); in the
embedded profile (``CHENGXIN_SEQUENCER_IN_PROCESS``) ``start_in_process`` runs the same loop in
a daemon thread of the web server, so a new record reaches the log within about a second.

What it must never do: crash its host. Every round's exception is logged and the loop goes on;
every round closes its database connections, so a restarted database or a long idle never
leaves it holding a dead or locking connection. Safety against a kill at any point comes from
``services.log_integrate`` (one transaction per batch), not from here.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import connections

from . import cosign, services
from .models import Checkpoint, LogEntry

logger = logging.getLogger("chengxin.ledger.sequencer")

DEFAULT_INTERVAL = 1.0
"""Seconds between rounds: how long a new record may wait to be in the log."""

_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def has_work() -> bool:
    """Whether a round would do anything: pending leaves, or no checkpoint signed yet.

    Two cheap reads, so an idle loop never takes the write lock (SQLite has only one).
    """
    return LogEntry.objects.filter(index__isnull=True).exists() or not Checkpoint.objects.exists()


def run_round() -> int:
    """One round: integrate everything pending; return how many leaves. Never raises."""
    try:
        if not has_work():
            return 0
        count = services.log_integrate_all()
        if count:
            logger.info("integrated %d leaves into the log", count)
            cosign.cosign_latest()
        return count
    except Exception:
        logger.exception("sequencer round failed; retrying next round")
        return 0


def run_forever(
    *,
    interval: float = DEFAULT_INTERVAL,
    stop: threading.Event | None = None,
    wait_first: bool = False,
) -> None:
    """Run rounds every ``interval`` seconds until ``stop`` is set (or forever).

    ``wait_first`` lets a host process finish starting before the first round.
    """
    stop = stop or threading.Event()
    if wait_first and stop.wait(interval):
        return
    _schedule_audit()
    while not stop.is_set():
        run_round()
        # This thread's connection must not outlive a database restart or hold SQLite's
        # snapshot between rounds.
        connections.close_all()
        stop.wait(interval)


def _schedule_audit() -> None:
    try:
        from .tasks import audit_schedule

        audit_schedule()
    except Exception:
        logger.exception("could not schedule the daily log audit")
    finally:
        connections.close_all()


def should_run_in_process(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether this process is a web server that should host the sequencer thread.

    ``runserver`` forks: the autoreloader's child (``RUN_MAIN=true``) serves, the parent only
    watches files; with ``--noreload`` the one process serves. Under gunicorn every worker
    that loads the app runs one (the database serialises them). Management commands, tests and
    shells never do.
    """
    if not getattr(settings, "CHENGXIN_SEQUENCER_IN_PROCESS", False):
        return False
    if "runserver" in argv:
        return "--noreload" in argv or environ.get("RUN_MAIN") == "true"
    program = os.path.basename(argv[0]) if argv else ""
    return "gunicorn" in program or environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")


def start_in_process(*, interval: float = DEFAULT_INTERVAL) -> threading.Thread | None:
    """Start the sequencer thread once, if this process should host it (see above)."""
    global _thread
    if not should_run_in_process(sys.argv, os.environ):
        return None
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(
                target=run_forever,
                kwargs={"interval": interval, "wait_first": True},
                name="chengxin-sequencer",
                daemon=True,
            )
            _thread.start()
            logger.info("sequencer running in-process every %.1f s", interval)
    return _thread
