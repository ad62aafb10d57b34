"""Routes of the audit trail; included by governance/urls.py (names "governance:<name>")."""

from __future__ import annotations

from django.urls import path

from governance.audit import views

urlpatterns = [
    path("audit/", views.audit_trail, name="audit_trail"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path(
        "initiatives/<int:pk>/audit/",
        views.initiative_audit_trail,
        name="initiative_audit_trail",
    ),
    path(
        "initiatives/<int:pk>/audit/export.csv",
        views.initiative_audit_export,
        name="initiative_audit_export",
    ),
]

api_urlpatterns: list = []
