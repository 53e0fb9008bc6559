"""The log served as static-style files (C2SP tlog-tiles) under ``/log/``.

``/log/checkpoint`` (the latest signed checkpoint), ``/log/tile/<L>/<N>[.p/<W>]`` (hash tiles),
``/log/tile/entries/<N>[.p/<W>]`` (entry bundles: the leaves' data) and ``/log/vkey`` (the
log's verifier key). Any tlog client — a witness, a monitor, the shopper's phone — can follow
the log with these alone; full tiles never change, so a CDN may cache them forever.

Public and read-only: no login, no session, no write. Each tile is one query.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from . import keys, merkle, services
from .models import Checkpoint, LogEntry

IMMUTABLE = "public, max-age=31536000, immutable"
"""A full tile or entry bundle: its content is fixed forever once it exists."""

SHORT_LIVED = "public, max-age=5"
"""A partial tile: valid, but soon superseded by a wider one."""

NO_CACHE = "no-cache"
"""The checkpoint: clients must see a new tree head as soon as it is signed."""


def _text(
    body: str | bytes, cache: str, content_type: str = "text/plain; charset=utf-8"
) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"  # Browsers verify certificates against us.
    return response


@require_safe
def checkpoint(request: HttpRequest) -> HttpResponse:
    note = Checkpoint.objects.published().values_list("note", flat=True).first()
    if note is None:
        raise Http404("the log has no checkpoint yet")
    return _text(note, NO_CACHE)


@require_safe
def vkey(request: HttpRequest) -> HttpResponse:
    return _text(keys.verifier_key() + "\n", "public, max-age=3600")


@require_safe
def tile(request: HttpRequest, path: str) -> HttpResponse:
    if path.startswith("entries/"):
        return _entry_bundle(path)
    try:
        wanted = merkle.parse_tile_path("tile/" + path)
        # Hashes are stored only as leaves are integrated: a missing one is beyond the tree.
        data = merkle.read_tile_data(wanted, services.DatabaseHashReader())
    except merkle.ProofError as exc:
        raise Http404(str(exc)) from exc
    return _tile_response(data, partial=wanted.is_partial)


def _entry_bundle(path: str) -> HttpResponse:
    try:
        n, width = merkle.parse_entries_path("tile/" + path)
    except merkle.ProofError as exc:
        raise Http404(str(exc)) from exc
    first = n * merkle.TILE_WIDTH
    entries = [
        bytes(data)
        for data in LogEntry.objects.filter(index__gte=first, index__lt=first + width)
        .order_by("index")
        .values_list("data", flat=True)
    ]
    if len(entries) != width:
        raise Http404(f"entries {first}…{first + width - 1} are not all in the log yet")
    return _tile_response(merkle.encode_entry_bundle(entries), partial=width < merkle.TILE_WIDTH)


def _tile_response(data: bytes, *, partial: bool) -> HttpResponse:
    return _text(data, SHORT_LIVED if partial else IMMUTABLE, "application/octet-stream")
