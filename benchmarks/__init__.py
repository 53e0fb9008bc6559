"""Benchmarks: each prints figures next to a baseline measured in the same run; none asserts.

Run all with ``.venv/bin/python -m benchmarks`` (``make bench``) or one part with
``.venv/bin/python -m benchmarks seeding|lookup|queries|import|scan``. Figures go into
docs/performance.md by hand, with the machine, the date and the command.
"""

from __future__ import annotations

import math
import os


def against_target(ratio: float, target: float) -> str:
    """``ratio`` to a tenth of a percent, rounded down, and whether it meets ``target``.

    Rounded to whole percents as they once were, a run at 39.6 % printed as "40%" next to a
    40 % target; rounded down, a figure never reads as meeting a target it misses.
    """
    verdict = "met" if ratio >= target else "NOT met"
    tenths = math.floor(ratio * 1000 + 1e-9)  # 0.57 * 1000 is 569.99…
    return f"{tenths / 10:.1f}%   (target ≥ {target:.0%}: {verdict})"


def fresh_sqlite_database(name: str) -> None:
    """Set Django up on a new, migrated ``var/bench/<name>.sqlite3`` (any old one is removed)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["BENCH_SQLITE_NAME"] = name
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    path = settings.DATABASES["default"]["NAME"]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    call_command("migrate", verbosity=0, skip_checks=True)
