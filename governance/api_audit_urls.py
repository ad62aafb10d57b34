"""API routes of this part of governance; included under /api/v1/ by config/urls.py."""

urlpatterns: list = []
