"""Production: PostgreSQL from DATABASE_URL, secrets from the environment.

Refuses to start with DEBUG on or without a real secret key, so a mis-deployed instance fails
loudly instead of running insecurely.
"""

from __future__ import annotations

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import POSTGRES_OPTIONS

if os.environ.get("CHENGXIN_DEBUG", "0") != "0":
    raise ImproperlyConfigured("DEBUG must be off in production (unset CHENGXIN_DEBUG).")
DEBUG = False

SECRET_KEY = os.environ.get("CHENGXIN_SECRET_KEY", "")
if len(SECRET_KEY) < 40 or "insecure" in SECRET_KEY or "change-me" in SECRET_KEY:
    raise ImproperlyConfigured(
        "CHENGXIN_SECRET_KEY must be set to a random value of at least 40 characters."
    )

if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must point at the PostgreSQL database.")
DATABASES = {"default": dj_database_url.config(conn_max_age=600, conn_health_checks=True)}
DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **POSTGRES_OPTIONS}

ALLOWED_HOSTS = [h for h in os.environ.get("CHENGXIN_ALLOWED_HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CHENGXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
