"""/api/v1/ — owned by the API layer (each app's api/ package registers its routes here)."""

from django.urls import path

urlpatterns: list = []
