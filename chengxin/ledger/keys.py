"""The log's signing key and identity (origin).

Embedded profile: generated on first use and kept in var/ (mode 0600). Production: loaded from
``CHENGXIN_LOG_SIGNING_KEY`` (the C2SP ``PRIVATE+KEY+…`` text) or the file named by
``CHENGXIN_LOG_SIGNING_KEY_FILE``; production refuses to generate one.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .note import Ed25519Signer


def origin() -> str:
    return str(getattr(settings, "CHENGXIN_LOG_ORIGIN", "chengxin.localhost/log"))


@functools.cache
def log_signer() -> Ed25519Signer:
    text = os.environ.get("CHENGXIN_LOG_SIGNING_KEY", "").strip()
    path = os.environ.get("CHENGXIN_LOG_SIGNING_KEY_FILE", "").strip()
    if not text and path:
        text = Path(path).read_text().strip()
    if not text:
        if not getattr(settings, "CHENGXIN_LOG_KEY_AUTOCREATE", False):
            raise ImproperlyConfigured(
                "set CHENGXIN_LOG_SIGNING_KEY or CHENGXIN_LOG_SIGNING_KEY_FILE "
                "(generate one with `chengxin log keygen`)"
            )
        key_file = Path(settings.VAR_DIR) / "log-signing.key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(Ed25519Signer.generate(origin()).signer_key + "\n")
            key_file.chmod(0o600)
        text = key_file.read_text().strip()
    signer = Ed25519Signer.from_key(text)
    if signer.name != origin():
        raise ImproperlyConfigured(
            f"the log signing key is named {signer.name!r} but the log origin is {origin()!r}"
        )
    return signer


def verifier_key() -> str:
    return log_signer().verifier_key
