"""Routes of the risk register, incidents, leadership decisions and action items, and their API.

`urlpatterns` are included by governance/urls.py (names "governance:<name>"); `api_urlpatterns`
under /api/v1/ by governance/api_urls.py.
"""

from __future__ import annotations

from django.urls import path

from core.api import ApiRouter
from governance.register import api, views

urlpatterns = [
    path("risks/", views.risk_list, name="risk_list"),
    path("risks/<int:pk>/", views.risk_detail, name="risk_detail"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/close/", views.risk_close_view, name="risk_close"),
    path("initiatives/<int:pk>/risks/new/", views.risk_create_view, name="risk_create"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/resolve/", views.incident_resolve_view, name="incident_resolve"),
    path(
        "initiatives/<int:pk>/incidents/new/",
        views.incident_create_view,
        name="incident_create",
    ),
    path("decisions/", views.leadership_decision_list, name="leadership_decision_list"),
    path(
        "decisions/new/",
        views.leadership_decision_create_view,
        name="leadership_decision_create",
    ),
    path(
        "decisions/<int:pk>/",
        views.leadership_decision_detail,
        name="leadership_decision_detail",
    ),
    path(
        "decisions/<int:pk>/edit/",
        views.leadership_decision_edit,
        name="leadership_decision_edit",
    ),
    path(
        "decisions/<int:pk>/outcome/",
        views.leadership_decision_outcome,
        name="leadership_decision_outcome",
    ),
    path(
        "initiatives/<int:pk>/decisions/new/",
        views.leadership_decision_create_view,
        name="initiative_leadership_decision_create",
    ),
    path("actions/", views.action_item_list, name="action_item_list"),
    path(
        "actions/<int:pk>/complete/",
        views.action_item_complete_view,
        name="action_item_complete",
    ),
    path(
        "initiatives/<int:pk>/actions/new/",
        views.action_item_create_view,
        name="action_item_create",
    ),
]

# ApiRouter draws no root view here, so /api/v1/ stays the portfolio router's index.
router = ApiRouter()
router.register("risks", api.RiskViewSet, basename="risk")
router.register("incidents", api.IncidentViewSet, basename="incident")
router.register(
    "leadership-decisions", api.LeadershipDecisionViewSet, basename="leadership-decision"
)
router.register("action-items", api.ActionItemViewSet, basename="action-item")
api_urlpatterns = router.urls
