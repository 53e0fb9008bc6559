"""The console's routes: sign-in, home, and each app's urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from chengxin.instruments.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),  # POST only
    path("", include("chengxin.instruments.urls")),
    path("", include("chengxin.organizations.urls")),
    path("", include("chengxin.markets.urls")),
    path("", include("chengxin.verification.urls")),
    path("verification/import/", include("chengxin.verification.import_views")),
]
