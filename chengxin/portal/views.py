"""The public page of a scale (what a shopper's phone opens from the sticker) and the code form.

No login, no personal data: the page shows what ``selectors`` loads and nothing else. The log
check runs in the browser (``static/portal/verify.js``) against the public log endpoints; the page
only tells it which leaves to check and which key must have signed the checkpoint — it never
asks the browser to trust a hash or a proof computed here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import json_script
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chengxin.instruments import codes
from chengxin.ledger import keys

from . import selectors, templating

# What a code may normalise to and still be redirected to its canonical URL (anything else is
# answered in place, so a crafted path is never echoed into a Location header).
_REDIRECTABLE = re.compile(r"[0-9A-Z]{1,32}")
BODY_CACHE_SECONDS = 3600
_MAX_INDEX_DIGITS = 18  # a leaf index from a sticker's ``?c=``; longer is not ours


@require_safe
def lookup(request: HttpRequest) -> HttpResponse:
    """``/s/``: a form to type a code; a submitted code goes to its canonical page."""
    typed = request.GET.get("code", "").strip()
    if typed:
        normalised = codes.normalise(typed)
        if _REDIRECTABLE.fullmatch(normalised):
            return redirect("portal:scale", code=normalised)
        return _not_found(request, typed, normalised)
    return render(request, "portal/lookup.html", {"typed": ""}, using=templating.ENGINE)


@require_safe
def scale_page(request: HttpRequest, code: str) -> HttpResponse:
    """``/s/<code>``: the scale's status, approval, place, last verification and log records."""
    normalised = codes.normalise(code)
    if (normalised != code or request.path.endswith("/")) and _REDIRECTABLE.fullmatch(normalised):
        target = reverse("portal:scale", kwargs={"code": normalised})
        leaf = _sticker_leaf(request)
        if leaf is not None:
            target += f"?c={leaf}"  # keep the sticker's certificate leaf across the redirect
        return redirect(target, permanent=True)
    if selectors.code_problem(normalised) is not None:
        return _not_found(request, code, normalised)
    leaf = _sticker_leaf(request)
    # The page is the same for every shopper until the scale, its approval, market or stall
    # changes, a leaf about it enters the log, or the day turns (validity): rendered once, then
    # served from the cache while the scale's version stays the one it was rendered at. It holds
    # nothing per visitor (no session, no CSRF token). What a sticker's leaf index points at can
    # change as the whole log grows. The day is the platform's (as the status reads validity),
    # not the server clock's. Its links are under the script prefix it was served at.
    grown = None if leaf is None else selectors.published_log_size()
    today = timezone.localdate()
    fingerprint = repr((normalised, get_language(), today, leaf, grown, get_script_prefix()))
    # Hashed: the fingerprint has spaces and quotes, which cache keys may not. Short: Django
    # checks a key's every character in Python, twice per first scan (get, then set).
    key = "portal:scale:v5:" + hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()
    cached: tuple[str, bytes] | None = cache.get(key)
    # One query either way: it reads the page's history only if the cached page is outdated.
    scale = selectors.scale_public_get(
        code=normalised, cached_version=None if cached is None else cached[0]
    )
    if scale is None:
        return _not_found(request, code, normalised)
    if scale.history is None:
        assert cached is not None  # no history is read only for the version the cache holds
        body = cached[1]
    else:
        body = _render_scale_page(request, scale, scale.history, leaf, today).encode()
        cache.set(key, (scale.version, body), BODY_CACHE_SECONDS)
    response = HttpResponse(body)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@require_safe
def language(request: HttpRequest) -> HttpResponse:
    """Switch the language of the public pages (a preference cookie; no form, no token)."""
    lang = request.GET.get("lang", "")
    target = request.GET.get("next", "") or reverse("portal:lookup")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("portal:lookup")
    response = redirect(target)
    if lang in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response


def _render_scale_page(
    request: HttpRequest,
    scale: selectors.PublicScale,
    history: selectors.PublicHistory,
    leaf: int | None,
    today: dt.date,
) -> str:
    last, records = history.last_verification, history.records
    sticker = (
        None if leaf is None else selectors.sticker_certificate(scale=scale, index=leaf, last=last)
    )
    context = {
        "scale": scale,
        "display_code": codes.display(scale.code),
        # The day the cache key holds: the verdict and the key cannot straddle midnight.
        "status": selectors.scale_public_status(scale=scale, today=today),
        "last_verification": last,
        "sticker": sticker,
        "records": records,
        # The browser checks every record listed (their leaf indexes are on the page) against
        # this subject; the rest of its configuration is the same for every page.
        "log": _log_settings(),
        "log_subject": selectors.scale_subject_key(scale),
    }
    return render_to_string("portal/scale.html", context, request=request, using=templating.ENGINE)


def _sticker_leaf(request: HttpRequest) -> int | None:
    """The certificate leaf index a sticker's QR carries (``?c=``), if it is a plain number."""
    if not request.META.get("QUERY_STRING"):
        return None  # a plain scan: no query string to parse
    c = request.GET.get("c", "")
    if c.isascii() and c.isdecimal() and len(c) <= _MAX_INDEX_DIGITS:
        return int(c)
    return None


def _not_found(request: HttpRequest, typed: str, normalised: str) -> HttpResponse:
    problem = selectors.code_problem(normalised)
    suggestions: list[str] = []
    if problem == "check":
        suggestions = selectors.scale_codes_existing(
            candidates=codes.single_character_repairs(normalised)
        )
    context = {
        "typed": typed[:64],
        "problem": problem or "unknown",
        "suggestions": [(c, codes.display(c)) for c in suggestions],
        "code_length": codes.LENGTH,
    }
    return render(request, "portal/not_found.html", context, status=404, using=templating.ENGINE)


# --- what the in-browser log check needs --------------------------------------------------------


@dataclass(frozen=True)
class LogSettings:
    """The log check's configuration shared by every page in one language, and its JSON."""

    log_url: str
    key_id: str
    script: SafeString  # ``<script id="px-log-config">``, for ``verify.js``


_log_settings_made: dict[tuple[Any, ...], LogSettings] = {}


def _log_settings() -> LogSettings:
    try:
        vkey = keys.verifier_key()
    except ImproperlyConfigured:
        vkey = ""  # no log key yet: the page still shows the scale, the check says so
    witnesses = tuple(w["vkey"] for w in getattr(settings, "CHENGXIN_LOG_WITNESSES", []))
    log_url = str(getattr(settings, "CHENGXIN_LOG_PUBLIC_URL", "/log/"))
    made_from = (get_language(), vkey, keys.origin(), log_url, witnesses)
    found = _log_settings_made.get(made_from)
    if found is None:
        key_id = vkey.split("+", 2)[1] if vkey.count("+") >= 2 else ""
        config = {
            "logUrl": log_url,
            "origin": made_from[2],
            "vkey": vkey,
            "keyId": key_id,
            "witnesses": list(witnesses),
            "messages": _messages(),
        }
        script = json_script(config, "px-log-config")
        found = _log_settings_made[made_from] = LogSettings(log_url, key_id, script)
    return found


def _messages() -> dict[str, str]:
    """The check's words, translated here so the script carries no language of its own."""
    return {
        "checking": _("正在核验…"),
        "included": _("已在日志中 ✓"),
        "failed": _("核验失败：%(reason)s"),
        "pending": _("尚未纳入最新的检查点，请稍后再查"),
        "allGood": _("全部 %(count)s 条记录已在浏览器中核验：都在日志中。"),
        "someBad": _("%(bad)s 条记录未通过核验。请勿轻信本页内容，并向市场监管部门反映。"),
        "signedBy": _("检查点由 %(name)s 签名（密钥 %(keyId)s），日志共 %(size)s 条记录。"),
        "cosignedOk": _("见证方 %(name)s（密钥 %(keyId)s）的联署已核验。"),
        "cosignedUnknown": _("另有 %(name)s（密钥 %(keyId)s）的签名，本页未配置其公钥，未核验。"),
        "cosignedBad": _("见证方 %(name)s（密钥 %(keyId)s）的联署无效。"),
        "noKey": _("平台尚未配置日志公钥"),
        "badKey": _("页面中的日志公钥格式错误"),
        "noWebCrypto": _("此浏览器不能核验（需要 HTTPS 和支持 WebCrypto 的浏览器）"),
        "noEd25519": _("此浏览器不支持 Ed25519 签名核验"),
        "fetch": _("无法获取 %(what)s（%(status)s）"),
        "checkpointMalformed": _("检查点格式错误"),
        "checkpointOrigin": _("检查点属于另一个日志：%(origin)s"),
        "checkpointUnsigned": _("检查点没有日志密钥的签名"),
        "checkpointBadSignature": _("检查点的签名无效"),
        "checkpointInvalid": _("检查点未通过核验：%(reason)s"),
        "entryMalformed": _("日志条目包格式错误"),
        "entryForeign": _("日志中该位置的记录与本秤无关"),
        "entryMismatch": _("日志条目与哈希瓦片不符"),
        "tileMalformed": _("哈希瓦片格式错误"),
        "tileInconsistent": _("下载的哈希瓦片与签名的树根不一致"),
        "rootMismatch": _("包含证明算出的树根与检查点不符"),
        "unexpected": _("意外错误：%(detail)s"),
    }
