"""Console routes for verifications: record, read, print; due and overdue lists."""

from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("verifications/", views.VerificationListView.as_view(), name="verification_list"),
    path("verifications/due-soon/", views.DueSoonListView.as_view(), name="due_soon"),
    path("verifications/overdue/", views.OverdueListView.as_view(), name="overdue"),
    path("verifications/stickers.pdf", views.StickerSheetView.as_view(), name="sticker_sheet"),
    path("verifications/<int:key>/", views.VerificationDetailView.as_view(), name="verification"),
    path(
        "verifications/<int:key>/document.pdf",
        views.VerificationDocumentView.as_view(),
        name="document",
    ),
    path("verifications/<int:key>/sticker.pdf", views.StickerPdfView.as_view(), name="sticker"),
    path("verifications/<int:key>/qr.png", views.StickerQrView.as_view(), name="qr"),
    path("scales/<str:key>/verify/", views.VerificationRecordView.as_view(), name="record"),
    path(
        "scales/<str:key>/verify/preview/",
        views.VerificationPreviewView.as_view(),
        name="preview",
    ),
    path(
        "scales/<str:key>/verifications/",
        views.ScaleVerificationsView.as_view(),
        name="scale_verifications",
    ),
]
