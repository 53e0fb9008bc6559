"""The Jinja2 environment of the public pages (``/s/…``), the platform's hottest HTML.

A shopper's first scan of a scale renders its page; with Django's template language that
rendering cost more than everything else the request did together (``docs/decisions/0003``).
Jinja2 compiles templates to Python code, so the portal uses it; the console keeps Django
templates. What the templates may call is defined here and nowhere else.

Translations are Django's own catalogs: templates write strings as ``_("…")`` (with
``|format(name=…)`` for placeholders), which ``makemessages`` extracts like any other. The
backend keeps one environment per language and script prefix, and each writes what is the
same for all its pages into the template's code when it compiles it (``FoldConstantCalls``):
the translation of a literal ``_("…")``, the URL of a route or static file, the language. A
page's ~60 strings and its chrome then cost nothing when it is rendered, and are escaped once,
at compile time. The catalogs do not change while a process runs, so a compiled template stays
right.
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


def url(name: str, *args: Any) -> str:
    """``reverse``, with the route's arguments written as the template's call writes them.

    A route without arguments is folded into the compiled template (``FoldConstantCalls``);
    what reaches this at render time depends on the page.
    """
    return reverse(name, args=args)


def other_languages() -> list[dict[str, str]]:
    """The languages a visitor can switch to: code and name in that language (the same for
    every page in a language, so worked out once per language)."""
    return _other_languages(translation.get_language())


@functools.cache
def _other_languages(current: str | None) -> list[dict[str, str]]:
    return [
        {"code": code, "name_local": translation.get_language_info(code)["name_local"]}
        for code, _name in settings.LANGUAGES
        if code != current
    ]


class FoldConstantCalls(Extension):
    """Compiles the calls whose answer is fixed for the environment to that answer.

    Each environment belongs to one language and one script prefix (``Jinja2.env``), and
    within it these calls always answer the same:

    - ``_("literal")``: the literal's translation in the environment's language;
    - ``url("name")``: the URL of a route without arguments, under the environment's prefix;
    - ``static("path")``: a static file's URL (fixed for the process);
    - ``current_language()``: the environment's language.

    It works on the token stream, before parsing: the call becomes a string constant, which
    Jinja2 escapes and joins to the template's static text when it compiles. A page's chrome
    and ~60 strings then cost nothing when it is rendered. Any other use of these names (an
    argument that is not a literal, ``url`` with arguments) is left to the globals of the same
    name, which answer the same at render time.
    """

    language: str | None = None  # set by the backend on each environment
    script_prefix: str = "/"

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            folded = self._fold(tokens[i : i + 4]) if token.type == "name" else None
            if folded is None:
                yield token
                i += 1
            else:
                text, length = folded
                yield Token(token.lineno, "string", text)
                i += length

    def _fold(self, call: list[Token]) -> tuple[str, int] | None:
        """The constant ``call`` (a name and what follows it) answers, and its token count."""
        name, shape = call[0].value, [t.type for t in call[1:]]
        if name == "current_language" and shape[:2] == ["lparen", "rparen"]:
            return self.language or "", 3
        if shape != ["lparen", "string", "rparen"]:
            return None
        argument = call[2].value
        if name == "_":
            with translation.override(self.language):
                return translation.gettext(argument), 4
        if name == "static":
            return static(argument), 4
        if name == "url":
            # A template is compiled while a request under the environment's prefix renders
            # it (the environment is chosen by that prefix), so ``reverse`` writes this one.
            if get_script_prefix() != self.script_prefix:
                raise RuntimeError("a portal template compiled outside its script prefix")
            return url(argument), 4
        return None


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend with one environment per language and script prefix.

    Each is an overlay of the environment Django builds from ``OPTIONS`` (same loader, globals
    and filters) with its own compiled templates, in which ``FoldConstantCalls`` has written
    the calls that answer the same for the whole environment as text.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self._by_key: dict[tuple[str | None, str], Environment] = {}
        super().__init__(params)

    @property
    def env(self) -> Environment:
        key = (translation.get_language(), get_script_prefix())
        found = self._by_key.get(key)
        if found is None:
            found = self._base_env.overlay(extensions=[FoldConstantCalls])
            fold = found.extensions[FoldConstantCalls.identifier]
            fold.language, fold.script_prefix = key  # type: ignore[attr-defined]
            self._by_key[key] = found
        return found

    @env.setter
    def env(self, base: Environment) -> None:
        self._base_env = base
        self._by_key.clear()


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 — Django's backend turns autoescape on
    env.globals.update(
        {
            # At render time, only what ``FoldConstantCalls`` could not fold when compiling.
            "_": translation.gettext,
            "url": url,
            "static": static,
            "current_language": translation.get_language,
            "other_languages": other_languages,
        }
    )
    # A page shows three masses, of few distinct values across all scales.
    env.filters["mass"] = functools.lru_cache(maxsize=4096)(format_mass)
    return env
