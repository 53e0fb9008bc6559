"""Settings for benchmark runs: production-like (DEBUG off), SQLite or PostgreSQL.

``BENCH_DATABASE_URL`` selects PostgreSQL (e.g. ``postgres://postgres@127.0.0.1:5432/chengxin_bench``);
without it the database is ``var/bench/<BENCH_SQLITE_NAME or chengxin-bench>.sqlite3`` with the
embedded profile's pragmas. Never used by the platform itself.
"""

from __future__ import annotations

import os

import dj_database_url

from chengxin.settings.base import *  # noqa: F403
from chengxin.settings.base import POSTGRES_OPTIONS, SQLITE_OPTIONS, VAR_DIR

SECRET_KEY = "bench-only-not-secret-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "benchmarks.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False}

BENCH_DIR = VAR_DIR / "bench"
BENCH_DIR.mkdir(parents=True, exist_ok=True)

_url = os.environ.get("BENCH_DATABASE_URL")
if _url:
    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=600)}
    DATABASES["default"]["OPTIONS"] = POSTGRES_OPTIONS  # as in production (CHENGXIN_DB_PREPARE)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(
                BENCH_DIR / f"{os.environ.get('BENCH_SQLITE_NAME', 'chengxin-bench')}.sqlite3"
            ),
            "OPTIONS": SQLITE_OPTIONS,  # the embedded profile's
            # Persistent connections, as the production profile has: SQLite's page cache lives
            # in the connection, and re-opening it (with the PRAGMAs) for every request costs
            # more than the look-up itself. BENCH_CONN_MAX_AGE=0 measures the embedded default.
            "CONN_MAX_AGE": int(os.environ.get("BENCH_CONN_MAX_AGE", "600")),
        }
    }

# The demo users' passwords are hashed once per seeding; a slow hasher would only add noise to
# the seeding figure. Requests authenticate by token, which involves no hashing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# As in the embedded profile: the log key is made on first use (under var/), so the benchmark
# database's log is integrated and signed like a `chengxin demo` database's, and the public page
# does all its work (the scale's log records, the key the browser checks against).
CHENGXIN_LOG_KEY_AUTOCREATE = True
