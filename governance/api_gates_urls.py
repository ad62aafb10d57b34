"""API routes of the stage gates (governance/api_gates.py); included under /api/v1/.

A router of its own with distinct prefixes: `initiatives/` belongs to the portfolio's router, so
pause / resume / stop live under `initiative-status/`. SimpleRouter has no root view, so
/api/v1/ stays the portfolio router's index.
"""

from rest_framework.routers import SimpleRouter

from governance import api_gates

router = SimpleRouter()
router.register("gate-requests", api_gates.GateRequestViewSet, basename="gate-request")
router.register(
    "initiative-status", api_gates.InitiativeStatusViewSet, basename="initiative-status"
)
router.register("pilot-purgatory", api_gates.PilotPurgatoryViewSet, basename="pilot-purgatory")

urlpatterns = router.urls
