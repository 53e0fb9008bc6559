"""Token authentication that loads the user's organisation with the token, and remembers it.

The permission scope of every request is computed from the user's organisation; reading both
with the token saves a query. Machines call the API in bursts with one token, so a verified token
is also kept in this process for ``CHENGXIN_API_TOKEN_CACHE_SECONDS`` (default 30): a revoked or
deactivated token stops working within that time, not instantly (0 turns the cache off).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

_cache: dict[str, tuple[float, Any, Any]] = {}
_lock = threading.Lock()
_MAX_ENTRIES = 10_000


def forget_tokens() -> None:
    """Drop every remembered token (tests; after revoking tokens in bulk)."""
    with _lock:
        _cache.clear()


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        ttl = float(getattr(settings, "CHENGXIN_API_TOKEN_CACHE_SECONDS", 30))
        now = time.monotonic()
        if ttl > 0:
            hit = _cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1], hit[2]
        try:
            token = Token.objects.select_related("user__organisation").get(key=key)
        except Token.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if ttl > 0:
            with _lock:
                if len(_cache) >= _MAX_ENTRIES:
                    _cache.clear()
                _cache[key] = (now + ttl, token.user, token)
        return (token.user, token)
