"""Keyset pagination for every API list."""

from __future__ import annotations

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: constant cost per page however deep, on millions of rows.

    Views order only by indexed, (nearly) unique columns so that each page is an index range.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"


class ChronologicalPagination(CursorPagination):
    """Oldest first: a scale's life story reads from manufacture onwards."""

    ordering = "id"
