"""Console routes for markets."""

from django.urls import path

from . import views

app_name = "markets"

urlpatterns = [
    path("markets/", views.MarketListView.as_view(), name="market_list"),
    path("markets/<int:key>/", views.MarketDetailView.as_view(), name="market"),
    path("markets/<int:key>/history/", views.MarketHistoryView.as_view(), name="market_history"),
]
