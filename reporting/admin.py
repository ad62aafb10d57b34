"""Reports in the Django admin: for looking only.

Reports change through the services (generation, sign-off, email), which audit every change;
a signed-off report must never change, not even through the admin.
"""

from __future__ import annotations

from django.contrib import admin

from portfolio.admin import ReadOnlyAdmin
from reporting.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "status",
        "source",
        "requested_by",
        "created_at",
        "started_at",
        "worker",
        "requeues",
        "finished_at",
        "signed_off_by",
        "emailed_at",
    )
    list_filter = ("kind", "status", "source")
    search_fields = ("period_label",)
    list_select_related = ("requested_by", "signed_off_by")
    exclude = ("snapshot",)  # large; the report pages and the JSON download show it
