from django.contrib import admin

from core.audit import audit_value, record_audit_event
from portfolio.models import (
    BusinessUnit,
    Initiative,
    Kpi,
    KpiMeasurement,
    ProblemStatementVersion,
    Vendor,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the app's pages and API, where services validate and audit them."""

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    list_display = ("title", "business_unit", "stage", "status", "eu_ai_act_tier", "updated_at")
    list_filter = ("stage", "status", "eu_ai_act_tier", "business_unit")
    search_fields = ("title",)
    list_select_related = ("business_unit",)


@admin.register(ProblemStatementVersion)
class ProblemStatementVersionAdmin(ReadOnlyAdmin):
    list_display = ("statement", "number", "clarity_score", "author", "created_at")
    list_select_related = ("statement__initiative", "author")


@admin.register(BusinessUnit)
class BusinessUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "updated_at")


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    """Vendors have no workflow yet; the admin is where governance admins maintain the list."""

    list_display = ("name", "website")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        before = {name: form.initial.get(name) for name in form.changed_data} if change else {}
        super().save_model(request, obj, form, change)
        record_audit_event(
            actor=request.user,
            action="vendor.updated" if change else "vendor.created",
            target=obj,
            changes={
                name: [audit_value(before.get(name)), audit_value(getattr(obj, name))]
                for name in form.changed_data
            },
        )

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Kpi)
class KpiAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "name", "unit", "baseline", "target", "target_date")
    list_select_related = ("initiative",)


@admin.register(KpiMeasurement)
class KpiMeasurementAdmin(ReadOnlyAdmin):
    list_display = ("kpi", "measured_on", "value", "source", "recorded_by")
    list_select_related = ("kpi__initiative", "recorded_by")
