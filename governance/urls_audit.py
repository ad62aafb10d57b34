"""Routes of the audit trail (governance/views_audit.py); included by governance/urls.py."""

from __future__ import annotations

from django.urls import path

from governance import views_audit

urlpatterns = [
    path("audit/", views_audit.audit_trail, name="audit_trail"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path("audit/verify/", views_audit.audit_verify, name="audit_verify"),
    path(
        "initiatives/<int:pk>/audit/",
        views_audit.initiative_audit_trail,
        name="initiative_audit_trail",
    ),
    path(
        "initiatives/<int:pk>/audit/export.csv",
        views_audit.initiative_audit_export,
        name="initiative_audit_export",
    ),
]
