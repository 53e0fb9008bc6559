"""Tests: SQLite by default; PostgreSQL when CHENGXIN_TEST_DATABASE_URL is set (CI sets it)."""

from __future__ import annotations

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import POSTGRES_OPTIONS

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_pg = os.environ.get("CHENGXIN_TEST_DATABASE_URL")
if _pg:
    DATABASES = {"default": dj_database_url.parse(_pg)}
    DATABASES["default"]["OPTIONS"] = POSTGRES_OPTIONS  # as in production
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "TEST": {"NAME": ":memory:"},
        }
    }
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

CHENGXIN_LOG_KEY_AUTOCREATE = True
CHENGXIN_API_TOKEN_CACHE_SECONDS = 0  # tests change users and tokens and expect it at once
