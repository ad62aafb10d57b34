"""Routes of this part of governance; included by governance/urls.py."""

urlpatterns: list = []
