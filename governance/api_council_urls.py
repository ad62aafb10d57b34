"""API routes of the council (governance/api_council.py); included under /api/v1/.

SimpleRouter has no root view, so /api/v1/ stays the portfolio router's index.
"""

from rest_framework.routers import SimpleRouter

from governance import api_council

router = SimpleRouter()
router.register("council-meetings", api_council.MeetingViewSet, basename="council-meeting")
router.register("gate-policies", api_council.PolicyViewSet, basename="gate-policy")
router.register("council-members", api_council.MembershipViewSet, basename="council-member")

urlpatterns = router.urls
