"""API routes of the reports; included under /api/v1/ by config/urls.py."""

from core.api import ApiRouter
from reporting import api

router = ApiRouter()
router.register("reports", api.ReportViewSet, basename="report")

urlpatterns = router.urls
