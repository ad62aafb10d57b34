from django.contrib import admin

from core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are append-only, even for superusers."""

    list_display = ("occurred_at", "actor", "action", "object_repr", "initiative_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "reason")
    list_select_related = ("actor",)

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
