"""The public pages' Jinja2 templates: every string reaches the translators and is escaped."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import set_script_prefix
from django.utils import translation
from jinja2 import DebugUndefined

from chengxin.portal import templating

TEMPLATES = Path(templating.__file__).parent / "jinja2"
CATALOG = Path(settings.BASE_DIR) / "chengxin" / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What `makemessages` extracts from a template: `_("…")` directly followed by `)`; arguments
# must go through `|format(…)`, or the string is never extracted (and never translated).
_CALL = re.compile(r"""\b_\(\s*(["'])(.*?)\1\s*(\)|,)""")


def _calls() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for quote_end in _CALL.finditer(path.read_text()):
            found.append((path.name, quote_end.group(2), quote_end.group(3)))
    return found


def test_the_templates_use_translatable_strings():
    assert len(_calls()) > 40


@pytest.mark.parametrize(("template", "message", "end"), _calls())
def test_every_template_string_is_extracted_and_translated(template, message, end):
    assert end == ")", f"{template}: pass arguments with |format(…), not to _(): {message}"
    entries = {e.msgid: e for e in polib.pofile(str(CATALOG)) if not e.obsolete}
    assert message in entries, f"{template}: {message!r} is not in the catalog (make messages)"
    assert entries[message].msgstr, f"{template}: {message!r} has no English translation"


def test_translations_follow_the_language_and_values_are_escaped(db):
    request = RequestFactory().get("/s/")
    with translation.override("en"):
        english = render_to_string(
            "portal/not_found.html",
            {"typed": "<b>x</b>", "problem": "unknown", "suggestions": [], "code_length": 10},
            request=request,
        )
    with translation.override("zh-hans"):
        chinese = render_to_string(
            "portal/not_found.html",
            {"typed": "<b>x</b>", "problem": "unknown", "suggestions": [], "code_length": 10},
            request=request,
        )
    assert 'lang="en"' in english and "没有登记这台秤" not in english
    assert "没有登记这台秤" in chinese
    for html in (english, chinese):
        assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_literal_strings_are_translated_when_a_template_is_compiled():
    engine = engines["jinja2"]
    source = '<p>{{ _("型号") }}</p><p>{{ _("第 %(index)s 条")|format(index=n) }}</p>'
    with translation.override("en"):
        code = engine.env.compile(source, raw=True)
        html = engine.from_string(source).render({"n": "<7>"})
    # The translation is part of the compiled code: nothing looks it up when a page renders.
    assert "Model" in code and "型号" not in code and "gettext" not in code
    assert html == "<p>Model</p><p>entry &lt;7&gt;</p>"
    with translation.override("zh-hans"):
        assert engine.from_string(source).render({"n": 7}) == "<p>型号</p><p>第 7 条</p>"


def test_each_language_keeps_its_own_compiled_templates():
    engine = engines["jinja2"]
    request = RequestFactory().get("/s/")
    seen = []
    for language in ("en", "zh-hans", "en", "zh-hans"):
        with translation.override(language):
            seen.append(render_to_string("portal/lookup.html", {"typed": ""}, request=request))
    assert seen[0] == seen[2] and seen[1] == seen[3] and seen[0] != seen[1]
    with translation.override("en"):
        english = engine.env
    with translation.override("zh-hans"):
        assert engine.env is not english


def test_underscore_with_a_variable_is_translated_when_rendered():
    engine = engines["jinja2"]
    with translation.override("en"):
        assert engine.from_string("{{ _(word) }}").render({"word": "型号"}) == "Model"


def test_calls_that_answer_the_same_for_the_environment_are_compiled_to_their_answer():
    engine = engines["jinja2"]
    source = (
        '<html lang="{{ current_language() }}"><a href="{{ url("portal:lookup") }}">'
        '<link href="{{ static("portal/portal.css") }}">'
        '<a href="{{ url("portal:scale", code) }}">'
    )
    with translation.override("en"):
        code = engine.env.compile(source, raw=True)
        html = engine.from_string(source).render({"code": "ABCD"})
    # Written into the compiled code: nothing calls them when a page renders ...
    assert "current_language" not in code and "'portal:lookup'" not in code
    assert "'portal/portal.css'" not in code
    assert '<html lang="en">' in html and 'href="/s/"' in html
    assert f'href="{settings.STATIC_URL}portal/portal.css"' in html
    # ... except a call whose answer depends on the page (a URL with an argument).
    assert "'portal:scale'" in code and 'href="/s/ABCD"' in html


def test_the_code_form_is_empty_when_a_page_includes_it_without_a_code():
    """The scale page includes the form without its context (the include would copy it); even
    under the debugging ``Undefined`` of DEBUG the field is empty, not ``{{ typed }}``."""
    # A cache of its own: templates compiled here, with this ``undefined``.
    env = engines["jinja2"].env.overlay(undefined=DebugUndefined, cache_size=0)
    with translation.override("zh-hans"):
        empty = env.from_string('{% include "portal/_code_form.html" without context %}').render()
        typed = env.get_template("portal/_code_form.html").render(typed='A"B')
    assert 'value=""' in empty
    assert 'value="A&#34;B"' in typed


def test_each_script_prefix_keeps_its_own_compiled_templates():
    """A platform mounted under a prefix (``SCRIPT_NAME``) links under it, even when the same
    process also serves it at the root."""
    request = RequestFactory().get("/s/")
    actions = []
    try:
        for prefix in ("/", "/chengxin/", "/"):
            set_script_prefix(prefix)
            with translation.override("zh-hans"):
                page = render_to_string("portal/lookup.html", {"typed": ""}, request=request)
            actions.append(re.findall(r'<form action="([^"]*)"', page))
    finally:
        set_script_prefix("/")
    assert actions == [["/s/"], ["/chengxin/s/"], ["/s/"]]
