from core.api import ApiRouter
from portfolio import api
from portfolio.value import api as value_api

router = ApiRouter(root_view=True)
router.register("business-units", api.BusinessUnitViewSet, basename="business-unit")
router.register("initiatives", api.InitiativeViewSet, basename="initiative")
router.register("problem-statements", api.ProblemStatementViewSet, basename="problem-statement")
router.register("kpis", value_api.KpiViewSet, basename="kpi")

urlpatterns = router.urls
