from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from . import views

app_name = "instruments-api"

router = SimpleRouter()
# Scales first: URL patterns are tried in order, and the look-up by code is the most requested.
router.register("scales", views.ScaleViewSet)
router.register("type-approvals", views.TypeApprovalViewSet)


def _with_fast_look_up(pattern: URLPattern | URLResolver) -> URLPattern | URLResolver:
    """The look-up route with its fast path in front of DRF (``views.with_lookup_fast_path``)."""
    if not isinstance(pattern, URLPattern) or pattern.name != "scale-detail":
        return pattern
    callback = views.with_lookup_fast_path(pattern.callback)
    return URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name)


urlpatterns = [_with_fast_look_up(p) for p in router.urls]
