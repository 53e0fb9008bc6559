from rest_framework.routers import SimpleRouter

from . import views

app_name = "regions-api"

router = SimpleRouter()
router.register("divisions", views.DivisionViewSet)

urlpatterns = router.urls
