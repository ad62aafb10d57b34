from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import healthz

handler404 = "core.views.not_found"

urlpatterns = [
    path(
        "",
        require_safe(RedirectView.as_view(pattern_name="portfolio:initiative_list")),
        name="home",
    ),
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("portfolio.urls")),
    path("", include("readiness.urls")),
    path("", include("governance.urls")),
    path("", include("reporting.urls")),
    path("api/v1/", include("portfolio.api_urls")),
    path("api/v1/", include("readiness.api_urls")),
    path("api/v1/", include("governance.api_urls")),
    path("api/v1/", include("reporting.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
