"""Console routes for scales and type approvals."""

from django.urls import path

from . import views

app_name = "instruments"

urlpatterns = [
    path("scales/", views.ScaleListView.as_view(), name="scale_list"),
    path("scales/<str:key>/", views.ScaleDetailView.as_view(), name="scale"),
    path("scales/<str:key>/history/", views.ScaleHistoryView.as_view(), name="scale_history"),
    path(
        "scales/<str:key>/transitions/<str:transition>/",
        views.ScaleTransitionView.as_view(),
        name="scale_transition",
    ),
    path("type-approvals/", views.TypeApprovalListView.as_view(), name="type_approval_list"),
    path("type-approvals/<int:key>/", views.TypeApprovalDetailView.as_view(), name="type_approval"),
    path(
        "type-approvals/<int:key>/history/",
        views.TypeApprovalHistoryView.as_view(),
        name="type_approval_history",
    ),
]
