from rest_framework.routers import SimpleRouter

from . import views

app_name = "markets-api"

router = SimpleRouter()
router.register("markets", views.MarketViewSet)
router.register("stalls", views.StallViewSet)
router.register("vendors", views.VendorViewSet)

urlpatterns = router.urls
