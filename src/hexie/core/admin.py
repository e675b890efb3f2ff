"""The audit log and the loaded policy versions, view-only (``immutable = True``)."""

from django.contrib import admin

from .adminsite import AuditedAdmin
from .models import AuditArchive, AuditEvent, PolicyVersion


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin):
    list_display = ("id", "at", "actor_username", "action", "object_type", "object_id",
                    "object_repr", "region_code", "ip")
    # No list filters or date hierarchy: each would scan the whole, ever-growing log for its
    # distinct values on every page; search is enough for an operator.
    search_fields = ("actor_username", "action", "object_type", "object_id", "object_repr",
                     "region_code")
    show_full_result_count = False


@admin.register(PolicyVersion)
class PolicyVersionAdmin(AuditedAdmin):
    list_display = ("name", "version", "effective_from", "region_prefix", "source_file",
                    "loaded_at")
    list_filter = ("name",)
    search_fields = ("name", "version", "region_prefix", "sha256")


@admin.register(AuditArchive)
class AuditArchiveAdmin(AuditedAdmin):
    list_display = ("id", "first_id", "last_id", "count", "before", "file_path", "sha256",
                    "created_at")
