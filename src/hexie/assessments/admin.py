from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import Evidence, SelfAssessment, SelfAssessmentEvent


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(AuditedAdmin):
    list_display = ("unit", "year", "state", "meets", "evidence_complete", "standard",
                    "submitted_at")
    list_filter = ("year", "state", "meets")
    search_fields = ("unit__name", "unit__credit_code")
    raw_id_fields = ("unit", "pledge", "standard", "created_by", "submitted_by")


@admin.register(Evidence)
class EvidenceAdmin(AuditedAdmin):
    list_display = ("self_assessment", "item_id", "original_name", "file_type", "size",
                    "uploaded_by", "uploaded_at")
    list_filter = ("file_type",)
    search_fields = ("item_id", "original_name", "sha256", "self_assessment__unit__name")
    raw_id_fields = ("self_assessment", "uploaded_by")


@admin.register(SelfAssessmentEvent)
class SelfAssessmentEventAdmin(AuditedAdmin):
    list_display = ("self_assessment", "type", "actor", "created_at")
    list_filter = ("type",)
    raw_id_fields = ("self_assessment", "actor")
    show_full_result_count = False
