from core.api import ApiRouter
from readiness import api

# A router of its own beside the portfolio's, both included under api/v1/ with distinct
# prefixes. ApiRouter draws no root view here, so /api/v1/ stays the portfolio router's index.
router = ApiRouter()
router.register(
    "assessment-templates", api.AssessmentTemplateViewSet, basename="assessment-template"
)
router.register("assessments", api.AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
