"""API routes of the council's records; included under /api/v1/ by config/urls.py.

A SimpleRouter (no root view), so /api/v1/ stays the portfolio router's index.
"""

from rest_framework.routers import SimpleRouter

from governance import api_register

router = SimpleRouter()
router.register("risks", api_register.RiskViewSet, basename="risk")
router.register("incidents", api_register.IncidentViewSet, basename="incident")
router.register(
    "leadership-decisions", api_register.LeadershipDecisionViewSet, basename="leadership-decision"
)
router.register("action-items", api_register.ActionItemViewSet, basename="action-item")

urlpatterns = router.urls
