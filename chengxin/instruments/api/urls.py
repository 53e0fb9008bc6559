from rest_framework.routers import SimpleRouter

from . import views

app_name = "instruments-api"

router = SimpleRouter()
router.register("type-approvals", views.TypeApprovalViewSet)
router.register("scales", views.ScaleViewSet)

urlpatterns = router.urls
