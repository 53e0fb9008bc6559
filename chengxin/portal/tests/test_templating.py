"""The public pages' Jinja2 templates: every string reaches the translators and is escaped."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

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
