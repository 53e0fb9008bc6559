"""Public pages under ``/s/``: the code form and one page per scale (no login)."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("-/language", views.language, name="language"),
    path("<str:code>", views.scale_page, name="scale"),
    path("<str:code>/", views.scale_page, name="scale_slash"),
]
