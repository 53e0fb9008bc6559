"""Top-level routes: the public pages, the API under /api/v1/, the log, admin, the console.

Django tries these in order, and each include that does not match costs a raised and caught
``Resolver404``: the most requested routes come first (a shopper's scan, then the API's look-up),
the console's catch-all prefix last.
"""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("s/", include("chengxin.portal.urls")),
    path("api/v1/", include("chengxin.api_urls")),
    path("log/", include("chengxin.ledger.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("chengxin.console_urls")),
]
