from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import DERIVED_FIELDS, AccessRequest, ImportJob, InvitationContact, Unit


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "region", "credit_code", "project_code", "size", "employees")
    list_filter = ("kind", "size", "platform")
    search_fields = ("name", "credit_code", "project_code", "region__code")
    raw_id_fields = ("region",)
    exclude = DERIVED_FIELDS
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(AuditedAdmin):
    list_display = ("id", "original_name", "status", "rows", "imported", "error_count",
                    "created_by", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("original_name", "created_by__username")
    raw_id_fields = ("created_by",)


@admin.register(InvitationContact)
class InvitationContactAdmin(AuditedAdmin):
    list_display = ("invitation", "phone", "job")
    raw_id_fields = ("invitation", "job")


@admin.register(AccessRequest)
class AccessRequestAdmin(AuditedAdmin):
    list_display = ("unit_name", "credit_code", "contact_name", "state", "created_at",
                    "decided_by", "decided_at")
    list_filter = ("state",)
    search_fields = ("unit_name", "credit_code", "contact_name")
    raw_id_fields = ("unit", "decided_by", "invitation")
