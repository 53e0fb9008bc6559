from django.urls import path

from . import views

app_name = "log-api"

urlpatterns = [
    path("checkpoint", views.CheckpointView.as_view(), name="checkpoint"),
    path("inclusion", views.InclusionProofView.as_view(), name="inclusion"),
    path("consistency", views.ConsistencyProofView.as_view(), name="consistency"),
    path("leaves/<str:index>", views.LeafView.as_view(), name="leaf"),
    path("leaves/<str:index>/bundle", views.LeafBundleView.as_view(), name="leaf-bundle"),
    path(
        "leaves/<str:index>/record-bundle",
        views.RecordBundleView.as_view(),
        name="leaf-record-bundle",
    ),
    path("records", views.RecordsView.as_view(), name="records"),
]
