"""Benchmarks: each prints figures next to a baseline measured in the same run; none asserts.

Run all with ``.venv/bin/python -m benchmarks`` (``make bench``) or one part with
``.venv/bin/python -m benchmarks seeding|lookup|queries|import|scan``. Figures go into
docs/performance.md by hand, with the machine, the date and the command.
"""

from __future__ import annotations

import os


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
