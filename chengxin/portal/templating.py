"""The Jinja2 environment of the public pages (``/s/…``), the platform's hottest HTML.

A shopper's first scan of a scale renders its page; with Django's template language that
rendering cost more than everything else the request did together (``docs/decisions/0003``).
Jinja2 compiles templates to Python code, so the portal uses it; the console keeps Django
templates. What the templates may call is defined here and nowhere else.

Translations are Django's own catalogs: templates write strings as ``_("…")`` (with
``|format(name=…)`` for placeholders), which ``makemessages`` extracts like any other. Each
string is translated once per language and process — the catalogs do not change while it runs —
and a page looks its strings up in its language's table (``template_context``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import json_script
from jinja2 import Environment

from chengxin.core.templatetags.chengxin import format_mass


class _Catalog(dict[str, str]):
    """Message → translation for one language, filled on first use."""

    def __init__(self, language: str | None) -> None:
        super().__init__()
        self.language = language

    def __missing__(self, message: str) -> str:
        with translation.override(self.language):
            text = self[message] = translation.gettext(message)
        return text


_constant: dict[tuple[str, ...], str] = {}
T = TypeVar("T")


def per_language(build: Callable[[], T]) -> Callable[[], T]:
    """``build()`` once per language and process, then remembered: for what depends only on
    the active language (the catalogs do not change while the process runs)."""
    made: dict[str | None, T] = {}

    @functools.wraps(build)
    def current() -> T:
        language = translation.get_language()
        found = made.get(language)
        if found is None:
            found = made[language] = build()
        return found

    return current


def gettext(message: str) -> str:
    """``_`` outside a request (the page's own ``_`` comes from ``template_context``)."""
    return _catalog()[message]


@per_language
def _catalog() -> _Catalog:
    return _Catalog(translation.get_language())


def url(name: str, *args: Any) -> str:
    """``reverse``; a URL without arguments is the same for the whole process (per prefix)."""
    if args:
        return reverse(name, args=args)
    key = ("url", get_script_prefix(), name)
    found = _constant.get(key)
    if found is None:
        found = _constant[key] = reverse(name)
    return found


def static_url(path: str) -> str:
    key = ("static", path)
    found = _constant.get(key)
    if found is None:
        found = _constant[key] = static(path)
    return found


@per_language
def other_languages() -> list[dict[str, str]]:
    """The languages a visitor can switch to: code and name in that language."""
    current = translation.get_language()
    return [
        {"code": code, "name_local": translation.get_language_info(code)["name_local"]}
        for code, _name in settings.LANGUAGES
        if code != current
    ]


def template_context(request: HttpRequest) -> dict[str, Callable[..., Any]]:
    """Context processor: the page's ``_``, bound to the request's language."""
    return {"_": _catalog().__getitem__}


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 — Django's backend turns autoescape on
    env.globals.update(
        {
            "_": gettext,
            "url": url,
            "static": static_url,
            "json_script": json_script,
            "current_language": translation.get_language,
            "other_languages": other_languages,
        }
    )
    env.filters["mass"] = format_mass
    return env
