"""The audit log, view-only (AuditEvent.immutable)."""

from django.contrib import admin

from .adminsite import AuditedAdmin
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin):
    list_display = ("id", "at", "actor_username", "action", "object_type", "object_id",
                    "object_repr", "region_code", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_username", "action", "object_type", "object_id", "object_repr",
                     "region_code")
    date_hierarchy = "at"
    show_full_result_count = False  # the log grows without bound; no COUNT(*) per page
