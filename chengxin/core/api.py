"""API building blocks shared by every app (pagination, error shape)."""

from __future__ import annotations

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: constant cost per page however deep, on millions of rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"

