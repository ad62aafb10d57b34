"""Readiness in the Django admin: for looking only.

Template versions are immutable (assessments point at them), templates change by loading a new
version with `manage.py load_templates`, and assessments change through the services, which
validate, version and audit every change.
"""

from __future__ import annotations

from django.contrib import admin

from portfolio.admin import ReadOnlyAdmin
from readiness.models import Assessment, AssessmentTemplate, TemplateVersion


class TemplateVersionInline(admin.TabularInline):
    model = TemplateVersion
    fields = ("number", "checksum", "loaded_at", "loaded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(AssessmentTemplate)
class AssessmentTemplateAdmin(ReadOnlyAdmin):
    list_display = ("title", "key", "applies_to", "created_at")
    list_filter = ("applies_to",)
    search_fields = ("title", "key")
    inlines = [TemplateVersionInline]


@admin.register(TemplateVersion)
class TemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ("template", "number", "checksum", "loaded_at", "loaded_by")
    list_filter = ("template",)
    list_select_related = ("template", "loaded_by")
    ordering = ("template__title", "-number")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "template_version",
        "status",
        "total",
        "band",
        "ready_to_scale",
        "submitted_at",
        "updated_at",
    )
    list_filter = ("status", "template", "band", "ready_to_scale")
    search_fields = ("initiative__title", "vendor__name")
    list_select_related = ("template", "template_version__template", "initiative", "vendor")
    raw_id_fields = ("initiative", "vendor", "superseded_by")
