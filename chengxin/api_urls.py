"""/api/v1/ — each app's api/ package registers its routes here; schema and docs served offline."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    # Scales first: the look-up by code is the most requested route, resolved in order.
    path("", include("chengxin.instruments.api.urls")),
    path("", include("chengxin.organizations.api.urls")),
    path("", include("chengxin.regions.api.urls")),
    path("", include("chengxin.markets.api.urls")),
    path("", include("chengxin.verification.api.urls")),
    path("", include("chengxin.core.api.urls")),
    path("log/", include("chengxin.ledger.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
