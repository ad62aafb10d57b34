"""Pages of value tracking, under the initiative they measure (`/initiatives/<id>/value/…`).

Spliced into portfolio/urls.py, so the names stay "portfolio:<name>". The API (`kpis/`) is on
the portfolio's router, portfolio/api_urls.py.
"""

from django.urls import path

from portfolio.value import views

urlpatterns = [
    path("initiatives/<int:pk>/value/", views.initiative_value, name="initiative_value"),
    path(
        "initiatives/<int:pk>/value/kpi/",
        views.initiative_value_kpi,
        name="initiative_value_kpi",
    ),
    path(
        "initiatives/<int:pk>/value/measurements/",
        views.initiative_value_measurement,
        name="initiative_value_measurement",
    ),
    path(
        "initiatives/<int:pk>/value/measurements/import/",
        views.initiative_value_import,
        name="initiative_value_import",
    ),
    path(
        "initiatives/<int:pk>/value/adoption/",
        views.initiative_value_adoption,
        name="initiative_value_adoption",
    ),
]
