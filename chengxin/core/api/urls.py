from rest_framework.routers import SimpleRouter

from . import views

app_name = "core-api"

router = SimpleRouter()
router.register("changes", views.ChangeRecordViewSet)

urlpatterns = router.urls
