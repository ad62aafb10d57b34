"""API routes of this part of governance; included under /api/v1/ by config/urls.py."""

from django.urls import path

from governance import api_audit

urlpatterns = [
    # Documented without a trailing slash, as the issue names it: `…/gate-status?stage=pilot`.
    path(
        "initiatives/<int:pk>/gate-status",
        api_audit.GateStatusView.as_view(),
        name="initiative-gate-status",
    ),
    # With one too, answered directly rather than redirected: a redirect would lose pipelines
    # whose HTTP client does not follow it. Left out of the schema (schema=None): same endpoint.
    path(
        "initiatives/<int:pk>/gate-status/",
        api_audit.GateStatusView.as_view(schema=None),
        name="initiative-gate-status-slash",
    ),
]
