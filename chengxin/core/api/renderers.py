"""The API's JSON: the bytes DRF's ``JSONRenderer`` writes, written by orjson.

Encoding a response with the standard library was about a tenth of the API look-up's time in the
process (docs/performance.md, part 2); orjson writes the same compact UTF-8 some ten times
faster. What orjson does not know itself (decimals, lazy translations, datetimes, querysets)
goes through DRF's own encoder, so it comes out as DRF would write it. A client that asks for
indentation (``Accept: application/json; indent=2``), and a value orjson refuses (an integer
beyond 64 bits), take DRF's path unchanged. Floats, which no field of this API holds, would be
written in orjson's shortest form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)


class JSONRenderer(renderers.JSONRenderer):
    _default = staticmethod(JSONEncoder().default)

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if indent is not None or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=self._default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: JSON that is also a strict subset of JavaScript.
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
