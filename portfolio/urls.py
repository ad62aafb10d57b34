from django.urls import path

from portfolio import views
from portfolio.value import urls as value_urls

app_name = "portfolio"

urlpatterns = [
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/new/", views.initiative_create_view, name="initiative_create"),
    path(
        "initiatives/suggestions/",
        views.initiative_suggestions_view,
        name="initiative_suggestions",
    ),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative_edit"),
    path("initiatives/<int:pk>/stage/", views.initiative_stage, name="initiative_stage"),
    path(
        "initiatives/<int:pk>/problem-statement/",
        views.problem_statement_edit,
        name="problem_statement_edit",
    ),
    path(
        "initiatives/<int:pk>/problem-statement/check/",
        views.problem_statement_check,
        name="problem_statement_check",
    ),
    path(
        "initiatives/<int:pk>/problem-statement/history/",
        views.problem_statement_history,
        name="problem_statement_history",
    ),
    *value_urls.urlpatterns,
]
