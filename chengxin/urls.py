"""Top-level routes: the console (each app's urls), the API under /api/v1/, admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("chengxin.api_urls")),
    path("log/", include("chengxin.ledger.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("s/", include("chengxin.portal.urls")),
    path("", include("chengxin.console_urls")),
]
