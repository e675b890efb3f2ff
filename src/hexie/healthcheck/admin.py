"""Health checks; catalogue versions are view-only (CatalogueVersion.immutable)."""

from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import CatalogueVersion, Finding, HealthCheck, HealthCheckEvent, RemediationTask


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(AuditedAdmin):
    list_display = ("catalogue_id", "version", "title", "issuer", "effective", "loaded_at")
    list_filter = ("catalogue_id",)
    search_fields = ("catalogue_id", "title", "issuer", "sha256")


@admin.register(HealthCheck)
class HealthCheckAdmin(AuditedAdmin):
    list_display = ("unit", "year", "state", "level", "score", "organised_region",
                    "submitted_at")
    list_filter = ("year", "state", "level")
    search_fields = ("unit__name", "unit__credit_code", "organised_region")
    raw_id_fields = ("unit", "catalogue", "organised_by", "answered_by", "submitted_by")


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ("health_check", "item_id", "area_name", "risk_level")
    list_filter = ("risk_level", "area")
    search_fields = ("item_id", "question", "health_check__unit__name")
    raw_id_fields = ("health_check",)


@admin.register(RemediationTask)
class RemediationTaskAdmin(AuditedAdmin):
    list_display = ("unit", "finding", "state", "due_on", "rounds", "submitted_at",
                    "reviewed_at")
    list_filter = ("state",)
    search_fields = ("unit__name", "unit__credit_code", "finding__item_id")
    raw_id_fields = ("finding", "unit", "submitted_by", "reviewed_by")


@admin.register(HealthCheckEvent)
class HealthCheckEventAdmin(AuditedAdmin):
    list_display = ("health_check", "type", "actor", "created_at")
    list_filter = ("type",)
    raw_id_fields = ("health_check", "actor")
    show_full_result_count = False
