"""Routes of the council's pages (governance/views_council.py); included by governance/urls.py."""

from __future__ import annotations

from django.urls import path

from governance import views_council

urlpatterns = [
    path("council/meetings/", views_council.meeting_list, name="meeting_list"),
    path("council/meetings/new/", views_council.meeting_create_view, name="meeting_create"),
    path("council/meetings/<int:pk>/", views_council.meeting_detail, name="meeting_detail"),
    path(
        "council/meetings/<int:pk>/decisions/",
        views_council.meeting_link_decisions,
        name="meeting_link_decisions",
    ),
    path(
        "council/meetings/<int:pk>/minutes/",
        views_council.meeting_minutes_print,
        name="meeting_minutes",
    ),
    path("council/policies/", views_council.policy_list, name="policy_list"),
    path("council/policies/<int:pk>/edit/", views_council.policy_edit, name="policy_edit"),
    path("council/members/", views_council.member_list, name="member_list"),
]
