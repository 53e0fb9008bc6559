"""Template helpers for the console: masses, state badges, sort links.

Presentation only: nothing here may query the database or decide what a user may see.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.http import QueryDict

register = template.Library()


def format_mass(grams: Any) -> str:
    """A mass in grams as people write it on a scale: ``15 kg``, ``5 g``, ``0.1 g``."""
    if grams is None or grams == "":
        return ""
    value = Decimal(str(grams))
    if abs(value) >= 1000:
        return f"{_plain(value / 1000)} kg"
    return f"{_plain(value)} g"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


@register.filter
def mass(grams: Any) -> str:
    return format_mass(grams)


@register.simple_tag(takes_context=True)
def sort_query(context: template.Context, column: str) -> str:
    """The query string that sorts by ``column`` (toggling direction), keeping the filters."""
    request = context["request"]
    params: QueryDict = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{column}" if current == column else column
    params.pop("page", None)
    params.pop("export", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, number: int) -> str:
    request = context["request"]
    params: QueryDict = request.GET.copy()
    params["page"] = str(number)
    params.pop("export", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def export_query(context: template.Context) -> str:
    request = context["request"]
    params: QueryDict = request.GET.copy()
    params.pop("page", None)
    params.pop("page_size", None)
    params["export"] = "csv"
    return "?" + params.urlencode()


@register.filter
def state_class(state: str) -> str:
    """A CSS modifier for a scale's or type approval's state (colour, never meaning alone)."""
    good = {"in_service", "valid"}
    warn = {"overdue", "locked", "repaired", "not_for_new", "registered", "sold"}
    bad = {"rejected", "seized", "withdrawn", "destroyed"}
    if state in good:
        return "badge badge-good"
    if state in warn:
        return "badge badge-warn"
    if state in bad:
        return "badge badge-bad"
    return "badge"
