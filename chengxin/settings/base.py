"""Settings shared by every profile.

Profiles import this module and override what differs; nothing here reads a secret.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("CHENGXIN_VAR_DIR", BASE_DIR / "var"))

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "chengxin.core",
    "chengxin.regions",
    "chengxin.organizations",
    "chengxin.markets",
    "chengxin.instruments",
    "chengxin.verification",
    "chengxin.ledger",
    "chengxin.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chengxin.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "chengxin.urls"
WSGI_APPLICATION = "chengxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chengxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
    {
        # The public pages (chengxin/portal/jinja2/): see docs/decisions/0003.
        "NAME": "jinja2",
        "BACKEND": "chengxin.portal.templating.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "chengxin.portal.templating.environment"},
    },
]

# How every SQLite database of the platform is opened (the embedded profile, benchmarks).
# WAL lets the console read while the sequencer or an import writes; the memory map serves
# reads of a large file (10^6 scales with their log) without a system call per page.
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        " PRAGMA mmap_size=1073741824;"
    ),
    "transaction_mode": "IMMEDIATE",
}

# How every PostgreSQL connection is opened (production, tests on PostgreSQL, benchmarks).
# Server-side binding with prepared statements: a query run five times on a connection is
# prepared, so PostgreSQL stops planning the hottest reads on every request (the API look-up by
# code gained ~30 % throughput on the project VM; docs/performance.md). Behind a pooler in
# transaction mode that cannot keep prepared statements, set CHENGXIN_DB_PREPARE=0.
POSTGRES_OPTIONS: dict[str, object] = (
    {"server_side_binding": True, "prepare_threshold": 5}
    if os.environ.get("CHENGXIN_DB_PREPARE", "1") == "1"
    else {}
)

AUTH_USER_MODEL = "organizations.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Chinese first: zh-Hans is the default, English the second language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "chengxin" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Third-party front-end assets are installed from the npm registry into node_modules/ (never
# committed); only the files the pages use are exposed.
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.is_dir()]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    # Token first: a machine's request is authenticated without loading an (absent) session,
    # and a request without credentials is answered 401 with ``WWW-Authenticate: Token``.
    # A browser's session still works, and with it CSRF is enforced on unsafe methods.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "chengxin.core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON, written by orjson (core/api/renderers.py); the browsable API as before.
    "DEFAULT_RENDERER_CLASSES": [
        "chengxin.core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "chengxin.core.api.pagination.CursorPagination",
    "EXCEPTION_HANDLER": "chengxin.core.api.exceptions.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Chengxin API",
    "DESCRIPTION": "Registry, lifecycle and supervision of electronic price-computing scales.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "chengxin.organizations.choices.OrganisationKind",
        "AuthorisationKindEnum": "chengxin.organizations.choices.AuthorisationKind",
        "ScaleStateEnum": "chengxin.instruments.choices.ScaleState",
        "TypeApprovalStatusEnum": "chengxin.instruments.choices.TypeApprovalStatus",
        "VerificationKindEnum": "chengxin.verification.choices.VerificationKind",
    },
}

# How long a verified API token is remembered by a process (see core/api/authentication.py).
CHENGXIN_API_TOKEN_CACHE_SECONDS = int(os.environ.get("CHENGXIN_API_TOKEN_CACHE_SECONDS", "30"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# Verification: how long a passed verification stays valid (months).
CHENGXIN_VERIFICATION_VALIDITY_MONTHS = int(
    os.environ.get("CHENGXIN_VERIFICATION_VALIDITY_MONTHS", "12")
)
# Date convention: valid until the day before the anniversary (2026-11-26 → 2027-11-25), as
# certificates are usually written; set to 0 to end on the anniversary itself.
CHENGXIN_VALID_UNTIL_DAY_BEFORE = os.environ.get("CHENGXIN_VALID_UNTIL_DAY_BEFORE", "1") == "1"

# Transparency log: its name (origin line of checkpoints) and whether a missing signing key may
# be generated (embedded and test profiles only).
CHENGXIN_LOG_ORIGIN = os.environ.get("CHENGXIN_LOG_ORIGIN", "chengxin.localhost/log")
CHENGXIN_LOG_KEY_AUTOCREATE = False
# Witnesses asked to cosign each checkpoint: a JSON list of {"url": …, "vkey": …} (the witness's
# cosignature verifier key), and how many cosignatures a checkpoint needs before it is served.
CHENGXIN_LOG_WITNESSES = json.loads(os.environ.get("CHENGXIN_LOG_WITNESSES", "[]"))
CHENGXIN_LOG_WITNESS_QUORUM = int(os.environ.get("CHENGXIN_LOG_WITNESS_QUORUM", "0"))
