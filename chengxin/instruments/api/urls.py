from rest_framework.routers import SimpleRouter

from . import views

app_name = "instruments-api"

router = SimpleRouter()
# Scales first: URL patterns are tried in order, and the look-up by code is the most requested.
router.register("scales", views.ScaleViewSet)
router.register("type-approvals", views.TypeApprovalViewSet)

urlpatterns = router.urls
