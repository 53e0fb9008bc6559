"""Helpers for API tests: a signed-in client and the query-count baselines.

Used by tests only. Each app keeps its committed baselines in ``tests/query_baselines.json``;
a list endpoint must cost the same number of queries whatever the page size (no N+1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient


def client_for(user: Any) -> APIClient:
    """A client with a session, as a browser has: each request loads the user afresh."""
    client = APIClient()
    client.force_login(user)
    return client


def count_queries(client: APIClient, url: str) -> int:
    """Queries one GET of ``url`` costs, after a warm-up GET (process-wide caches)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def baselines(test_file: str) -> dict[str, int]:
    """The committed query counts next to ``test_file``."""
    return json.loads((Path(test_file).parent / "query_baselines.json").read_text())


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]
