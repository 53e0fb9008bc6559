"""The console's routes (each app's urls.py is included here)."""

from django.urls import path

urlpatterns: list = []
