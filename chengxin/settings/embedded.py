"""The embedded default: one process, SQLite in WAL mode under var/, demo-friendly.

Not for production: the secret key is generated and kept in var/, DEBUG is on.
"""

from __future__ import annotations

import os
import secrets

from .base import *  # noqa: F403
from .base import SQLITE_OPTIONS, VAR_DIR

DEBUG = os.environ.get("CHENGXIN_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

VAR_DIR.mkdir(parents=True, exist_ok=True)
_key_file = VAR_DIR / "secret_key"
if not _key_file.exists():
    _key_file.write_text(secrets.token_urlsafe(50))
    _key_file.chmod(0o600)
SECRET_KEY = _key_file.read_text().strip()

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("CHENGXIN_SQLITE_PATH", str(VAR_DIR / "chengxin.sqlite3")),
        "OPTIONS": SQLITE_OPTIONS,
        # Keep the connection (and its PRAGMAs) instead of reopening the file per request.
        "CONN_MAX_AGE": 600,
    }
}

CHENGXIN_LOG_KEY_AUTOCREATE = True
CHENGXIN_SEQUENCER_IN_PROCESS = True  # the log follows new records within about a second
