"""/log/: the transparency log as C2SP tlog-tiles (see ``views``)."""

from django.urls import path, re_path

from . import views

app_name = "log"

urlpatterns = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("vkey", views.vkey, name="vkey"),
    re_path(r"^tile/(?P<path>.+)$", views.tile, name="tile"),
]
