from __future__ import annotations

from django.urls import path

from reporting import views, views_reports

app_name = "reporting"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views_reports.report_list, name="report_list"),
    path("reports/generate/", views_reports.report_generate_view, name="report_generate"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", views_reports.report_status, name="report_status"),
    path("reports/<int:pk>/pdf", views_reports.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/snapshot.json", views_reports.report_snapshot, name="report_snapshot"),
    path("reports/<int:pk>/sign-off/", views_reports.report_sign_off_view, name="report_sign_off"),
]
