"""The Jinja2 environment of the public pages (``/s/…``), the platform's hottest HTML.

A shopper's first scan of a scale renders its page; with Django's template language that
rendering cost more than everything else the request did together (``docs/decisions/0003``).
Jinja2 compiles templates to Python code, so the portal uses it; the console keeps Django
templates. What the templates may call is defined here and nowhere else.

Translations are Django's own catalogs: templates write strings as ``_("…")`` (with
``|format(name=…)`` for placeholders), which ``makemessages`` extracts like any other. The
backend keeps one environment per language, and each puts the translation of a literal
``_("…")`` into the template's code when it compiles it (``TranslateLiterals``): a page's ~60
strings then cost nothing when it is rendered, and are escaped once, at compile time. The
catalogs do not change while a process runs, so a compiled template stays right.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.template.backends import jinja2 as django_jinja2
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import translation
from jinja2 import Environment
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from chengxin.core.templatetags.chengxin import format_mass

ENGINE = "jinja2"
"""The ``TEMPLATES`` entry of the public pages: views name it, so that finding a page's template
does not first look for it, and miss, among the console's Django templates."""


# What the templates call on every page is the same for the whole process (per script prefix
# or language), so each is worked out once: ``functools.cache`` on finitely many keys.


def url(name: str, *args: Any) -> str:
    """``reverse``; a URL without arguments is the same for the whole process (per prefix)."""
    if args:
        return reverse(name, args=args)
    return _plain_url(get_script_prefix(), name)


@functools.cache
def _plain_url(prefix: str, name: str) -> str:
    return reverse(name)  # ``prefix`` is in the key because ``reverse`` depends on it


@functools.cache
def static_url(path: str) -> str:
    return static(path)


def other_languages() -> list[dict[str, str]]:
    """The languages a visitor can switch to: code and name in that language."""
    return _other_languages(translation.get_language())


@functools.cache
def _other_languages(current: str | None) -> list[dict[str, str]]:
    return [
        {"code": code, "name_local": translation.get_language_info(code)["name_local"]}
        for code, _name in settings.LANGUAGES
        if code != current
    ]


class TranslateLiterals(Extension):
    """Compiles ``_("literal")`` to the literal's translation in the environment's language.

    It works on the token stream, before parsing: the call becomes a string constant, which
    Jinja2 escapes and joins to the template's static text when it compiles. Any other use of
    ``_`` (a variable argument, say) is left to the ``_`` global, Django's ``gettext``.
    """

    language: str | None = None  # set by the backend on each language's environment

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            call = tokens[i + 1 : i + 4]
            if (
                token.type == "name"
                and token.value == "_"
                and [t.type for t in call] == ["lparen", "string", "rparen"]
            ):
                with translation.override(self.language):
                    text = translation.gettext(call[1].value)
                yield Token(token.lineno, "string", text)
                i += 4
            else:
                yield token
                i += 1


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend with one environment per language (``TranslateLiterals``).

    Each language's environment is an overlay of the one Django builds from ``OPTIONS``: same
    loader, globals and filters, its own compiled templates.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self._by_language: dict[str | None, Environment] = {}
        super().__init__(params)

    @property
    def env(self) -> Environment:
        language = translation.get_language()
        found = self._by_language.get(language)
        if found is None:
            found = self._base_env.overlay(extensions=[TranslateLiterals])
            found.extensions[TranslateLiterals.identifier].language = language  # type: ignore[attr-defined]
            self._by_language[language] = found
        return found

    @env.setter
    def env(self, base: Environment) -> None:
        self._base_env = base
        self._by_language.clear()


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 — Django's backend turns autoescape on
    env.globals.update(
        {
            # Only what ``TranslateLiterals`` could not translate when compiling (not a literal).
            "_": translation.gettext,
            "url": url,
            "static": static_url,
            "current_language": translation.get_language,
            "other_languages": other_languages,
        }
    )
    # A page shows three masses, of few distinct values across all scales.
    env.filters["mass"] = functools.lru_cache(maxsize=4096)(format_mass)
    return env
