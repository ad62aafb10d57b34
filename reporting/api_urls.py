"""API routes of the reports; included under /api/v1/ by config/urls.py."""

from rest_framework.routers import SimpleRouter

from reporting import api

router = SimpleRouter()
router.register("reports", api.ReportViewSet, basename="report")

urlpatterns = router.urls
