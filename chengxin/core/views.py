"""Generic console views shared by every app: list (filter, sort, page, CSV), detail, history.

An app's ``views.py`` only says *what* to show (model, filterset, columns, template); how a list
is cut to the user's jurisdiction, sorted, paged and exported lives here once. Every queryset
starts from ``chengxin.core.permissions.visible`` and every single object from
``get_visible_or_404``: a view here must never read a model's default manager directly.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views import View

from .models import ChangeRecord
from .permissions import get_visible_or_404, visible

# --- columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a list: where its value comes from, whether it links, how it sorts.

    ``accessor`` is a dotted attribute path (``type_approval.model_name``) or a callable taking
    the object. ``order_by`` is the ORM field the column sorts on; a column without it cannot
    be sorted — the whitelist of sortable columns *is* the set of columns with ``order_by``.
    """

    name: str
    label: str | Promise
    accessor: str | Callable[[Any], Any] | None = None
    order_by: str | None = None
    link: bool = False  # link the cell to the row object's get_absolute_url()
    css: str = ""

    def raw(self, obj: Any) -> Any:
        accessor = self.accessor or self.name
        if callable(accessor):
            return accessor(obj)
        value: Any = obj
        for part in accessor.split("."):
            if value is None:
                return None
            value = getattr(value, part)
        if callable(value):
            value = value()
        return value

    def text(self, obj: Any) -> str:
        """The cell as plain text (the same for the HTML table and the CSV export)."""
        return display_text(self.raw(obj))


def display_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(display_text(v) for v in value)
    return str(value)


def choice_label(field: str) -> Callable[[Any], str]:
    """An accessor that shows a choice field's label (``get_<field>_display``)."""

    def label(obj: Any) -> str:
        return str(getattr(obj, f"get_{field}_display")())

    return label


# --- paging -----------------------------------------------------------------------------------

# Why offset paging with a bounded count, not a COUNT(*) per page nor keyset paging:
# - ``COUNT(*)`` over a million visible scales costs a scan of the whole index on every page
#   view; we count at most ``COUNT_LIMIT + 1`` rows (``SELECT COUNT(*) FROM (... LIMIT n)``),
#   so the cost is bounded and the page says "more than 10,000" beyond that.
# - the next page is detected by fetching ``page_size + 1`` rows, never by counting.
# - keyset paging would keep deep pages cheap but only for one fixed ordering; the console
#   sorts by several whitelisted columns (some nullable). People do not read page 5,000 of a
#   list: they filter. So offsets are capped at ``MAX_PAGE`` pages and the CSV export (which
#   streams with a server-side cursor) is the way to take the whole filtered list.
COUNT_LIMIT = 10_000
MAX_PAGE = 200
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def bounded_count(qs: models.QuerySet[Any], limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """(count, exact): the number of rows, or ``limit`` and False when there are more."""
    n = qs.order_by()[: limit + 1].count()
    return (n, True) if n <= limit else (limit, False)


def _int_param(request: HttpRequest, name: str, default: int, lo: int, hi: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default
    return max(lo, min(hi, value))


@dataclass
class Page:
    number: int
    size: int
    rows: list[Any]
    has_next: bool
    count: int
    count_exact: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


# --- list -------------------------------------------------------------------------------------


class ObjectListView(LoginRequiredMixin, View):
    """A filtered, sortable, paged list of the rows a user may see, with CSV export.

    ``GET ?sort=-valid_until&page=2&page_size=50&<filters>``; ``?export=csv`` streams the whole
    filtered list. An htmx request (``HX-Request``) gets only the table, so filters, sorting and
    paging refresh it in place.
    """

    model: ClassVar[type[models.Model]]
    filterset_class: ClassVar[type[Any]]
    columns: ClassVar[tuple[Column, ...]] = ()
    title: ClassVar[str | Promise] = ""
    hidden_filters: ClassVar[tuple[str, ...]] = ()
    """Filterset fields the page does not offer (the list itself fixes them)."""
    default_ordering: ClassVar[tuple[str, ...]] = ("-pk",)
    select_related: ClassVar[tuple[str, ...]] = ()
    csv_filename: ClassVar[str] = "export"
    template_name: ClassVar[str] = "core/object_list.html"
    table_template_name: ClassVar[str] = "core/_table.html"

    # Hooks --------------------------------------------------------------------------------

    def get_columns(self, request: HttpRequest) -> tuple[Column, ...]:
        """The columns this user sees (override to hide a column from some users)."""
        return self.columns

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        """The visible rows with what the columns need joined in (no query per row)."""
        qs = visible(self.model, request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    # Machinery ----------------------------------------------------------------------------

    def sort_key(self, request: HttpRequest, columns: tuple[Column, ...]) -> str:
        """The requested sort if it names a sortable column ("-" for descending), else ""."""
        key = request.GET.get("sort", "")
        name = key.removeprefix("-")
        return key if any(c.name == name and c.order_by for c in columns) else ""

    def ordering(self, sort: str, columns: tuple[Column, ...]) -> tuple[str, ...]:
        if not sort:
            return self.default_ordering
        desc = sort.startswith("-")
        field = next(c.order_by for c in columns if c.name == sort.removeprefix("-"))
        assert field is not None
        expr = (
            models.F(field).desc(nulls_last=True) if desc else models.F(field).asc(nulls_last=True)
        )
        # The primary key breaks ties so that paging is stable.
        return (expr, "-pk" if desc else "pk")  # type: ignore[return-value]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        columns = self.get_columns(request)
        filterset = self.filterset_class(
            request.GET or None, queryset=self.get_queryset(request), request=request
        )
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        if filterset.is_bound and not filterset.is_valid():
            qs = qs.none()
        sort = self.sort_key(request, columns)
        qs = qs.order_by(*self.ordering(sort, columns))

        if request.GET.get("export") == "csv":
            return self.export_csv(qs, columns)

        size = _int_param(request, "page_size", DEFAULT_PAGE_SIZE, 1, max(PAGE_SIZES))
        number = _int_param(request, "page", 1, 1, MAX_PAGE)
        offset = (number - 1) * size
        fetched = list(qs[offset : offset + size + 1])
        count, exact = bounded_count(qs)
        page = Page(
            number=number,
            size=size,
            rows=fetched[:size],
            has_next=len(fetched) > size and number < MAX_PAGE,
            count=count,
            count_exact=exact,
        )
        context = {
            "title": self.title,
            "filterset": filterset,
            "hidden_filters": self.hidden_filters,
            "columns": columns,
            "rows": [
                {"obj": obj, "cells": [self.cell(c, obj) for c in columns]} for obj in page.rows
            ],
            "page": page,
            "sort": sort,
            "page_sizes": PAGE_SIZES,
            "max_page": MAX_PAGE,
            "table_template": self.table_template_name,
            **self.extra_context(request),
        }
        template = self.table_template_name if request.htmx else self.template_name  # type: ignore[attr-defined]
        return render(request, template, context)

    def cell(self, column: Column, obj: Any) -> dict[str, Any]:
        url = None
        if column.link and hasattr(obj, "get_absolute_url"):
            url = obj.get_absolute_url()
        return {"text": column.text(obj), "url": url, "css": column.css}

    def export_csv(
        self, qs: models.QuerySet[Any], columns: tuple[Column, ...]
    ) -> StreamingHttpResponse:
        """Stream the filtered list as CSV: UTF-8 with a BOM so that Excel reads Chinese."""

        class _Echo:
            def write(self, value: str) -> str:
                return value

        writer = csv.writer(_Echo())

        def rows() -> Iterator[str]:
            yield "\ufeff" + writer.writerow([str(c.label) for c in columns])
            for obj in qs.iterator(chunk_size=2000):
                yield writer.writerow([c.text(obj) for c in columns])

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}-{stamp}.csv"'
        return response


# --- detail and history -----------------------------------------------------------------------


class ObjectDetailView(LoginRequiredMixin, View):
    """One object the user may see (404 otherwise, whether it exists or not)."""

    model: ClassVar[type[models.Model]]
    template_name: ClassVar[str]
    lookup_field: ClassVar[str] = "pk"
    select_related: ClassVar[tuple[str, ...]] = ()

    def lookup_value(self, value: Any) -> Any:
        return value

    def get_object(self, request: HttpRequest, value: Any) -> Any:
        qs = visible(self.model, request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return get_visible_or_404(qs, request.user, **{self.lookup_field: self.lookup_value(value)})

    def get_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, key: Any) -> HttpResponse:
        obj = self.get_object(request, key)
        return self.render_object(request, obj)

    def render_object(
        self, request: HttpRequest, obj: Any, extra: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        context = {
            "object": obj,
            "title": str(obj),
            **self.get_context(request, obj),
            **(extra or {}),
        }
        return render(request, self.template_name, context, status=status)


HISTORY_LIMIT = 500


class ObjectHistoryView(ObjectDetailView):
    """The change records of one visible object, newest first, with a before/after diff."""

    template_name = "core/object_history.html"

    def get_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        content_type = ContentType.objects.get_for_model(obj)
        records = ChangeRecord.objects.filter(
            content_type=content_type, object_id=str(obj.pk)
        ).order_by("-time", "-id")[:HISTORY_LIMIT]
        labels = {
            f.attname: str(getattr(f, "verbose_name", f.name)) for f in obj._meta.concrete_fields
        }
        entries = []
        for record in records:
            before, after = record.before or {}, record.after or {}
            entries.append(
                {
                    "record": record,
                    "changes": [
                        {
                            "field": labels.get(name, name),
                            "before": display_text(before.get(name)),
                            "after": display_text(after.get(name)),
                        }
                        for name in record.changed_fields
                    ],
                }
            )
        return {"entries": entries, "history_limit": HISTORY_LIMIT}
