from rest_framework.routers import SimpleRouter

from . import views

app_name = "organizations-api"

router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet)
router.register("authorisations", views.AuthorisationViewSet)

urlpatterns = router.urls
