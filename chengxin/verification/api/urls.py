from rest_framework.routers import SimpleRouter

from . import views

app_name = "verification-api"

router = SimpleRouter()
# Before "verifications": its own prefix, so "import" is never taken for a verification id.
router.register("verifications/import", views.ImportJobViewSet, basename="verification-import")
router.register("verifications", views.VerificationViewSet)
router.register("certificates", views.CertificateViewSet)
router.register("signing-keys", views.SigningKeyViewSet)

urlpatterns = router.urls
