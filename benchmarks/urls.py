"""The platform's routes plus ``/bench/trivial``: the baseline served by the same server."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the ceiling for any view on this server."""
    return HttpResponse(b'{"ok":true}', content_type="application/json")


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("chengxin.urls")),
]
