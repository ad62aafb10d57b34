"""Routes of the stage gates (governance/views_gates.py); included by governance/urls.py."""

from __future__ import annotations

from django.urls import path

from governance import views_gates

urlpatterns = [
    path(
        "initiatives/<int:pk>/gate-request/new/",
        views_gates.gate_request_create,
        name="gate_request_create",
    ),
    path("gate-requests/<int:pk>/", views_gates.gate_request_detail, name="gate_request_detail"),
    path("gate-requests/<int:pk>/vote/", views_gates.gate_request_vote, name="gate_request_vote"),
    path(
        "gate-requests/<int:pk>/decide/",
        views_gates.gate_request_decide,
        name="gate_request_decide",
    ),
    path(
        "gate-requests/<int:pk>/withdraw/",
        views_gates.gate_request_withdraw,
        name="gate_request_withdraw",
    ),
    path("council/queue/", views_gates.council_queue, name="council_queue"),
    *(
        path(
            f"initiatives/<int:pk>/{action}/",
            views_gates.initiative_status_change,
            {"action": action},
            name=f"initiative_{action}",
        )
        for action in ("pause", "resume", "stop")
    ),
]
