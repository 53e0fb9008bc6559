"""Console routes for organisations."""

from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/<int:key>/", views.OrganisationDetailView.as_view(), name="organisation"),
    path(
        "organisations/<int:key>/history/",
        views.OrganisationHistoryView.as_view(),
        name="organisation_history",
    ),
]
