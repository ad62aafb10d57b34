"""Routes of the council: meetings and membership (pages), and their API.

`urlpatterns` are included by governance/urls.py (names "governance:<name>"); `api_urlpatterns`
under /api/v1/ by governance/api_urls.py.
"""

from __future__ import annotations

from django.urls import path

from core.api import ApiRouter
from governance.council import api, views

urlpatterns = [
    path("council/meetings/", views.meeting_list, name="meeting_list"),
    path("council/meetings/new/", views.meeting_create_view, name="meeting_create"),
    path("council/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path(
        "council/meetings/<int:pk>/decisions/",
        views.meeting_link_decisions,
        name="meeting_link_decisions",
    ),
    path(
        "council/meetings/<int:pk>/minutes/",
        views.meeting_minutes_print,
        name="meeting_minutes",
    ),
    path("council/members/", views.member_list, name="member_list"),
]

# ApiRouter draws no root view here, so /api/v1/ stays the portfolio router's index.
router = ApiRouter()
router.register("council-meetings", api.MeetingViewSet, basename="council-meeting")
router.register("council-members", api.MembershipViewSet, basename="council-member")
api_urlpatterns = router.urls
