"""The platform's routes plus ``/bench/trivial``: the baseline served by the same server.

The platform's patterns are spliced in, not included: an include would add a level of URL
resolution (a resolver and a match object per request) that the production ROOT_URLCONF does
not have, and charge it to every measured page but not to the trivial view.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from chengxin.urls import urlpatterns as platform


def trivial(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the ceiling for any view on this server."""
    return HttpResponse(b'{"ok":true}', content_type="application/json")


urlpatterns = [
    path("bench/trivial", trivial),
    *platform,
]
