"""Sets the action context for each web and API request."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import acting_as, new_request_id

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Binds the authenticated user and a request id to the action context.

    A well-formed ``X-Request-ID`` from a proxy is kept so that a change record can be matched
    with the proxy's access log; anything else is replaced.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _REQUEST_ID.match(supplied) else new_request_id()
        source = "api" if request.path.startswith("/api/") else "web"
        with acting_as(_LazyUser(request), source=source, request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class _LazyUser:
    """Resolves the acting user when a change is recorded, not when the request starts.

    DRF authenticates tokens inside the view, after the middleware ran; reading the user late
    makes token-authenticated changes carry their user too.
    """

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def resolve(self) -> object | None:
        # DRF's Request assigns the authenticated user back onto the Django request.
        user = getattr(self._request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return user
