from rest_framework.routers import SimpleRouter

from readiness import api

# A router of its own beside the portfolio's, both included under api/v1/ with distinct
# prefixes. SimpleRouter has no root view, so /api/v1/ stays the portfolio router's index.
router = SimpleRouter()
router.register(
    "assessment-templates", api.AssessmentTemplateViewSet, basename="assessment-template"
)
router.register("assessments", api.AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
