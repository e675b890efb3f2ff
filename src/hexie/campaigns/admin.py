from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import (
    CampaignYear,
    CongressRecord,
    CultivationPlanEntry,
    InitiativeLetter,
    LetterDelivery,
    Pledge,
    PledgeEvent,
)


@admin.register(CampaignYear)
class CampaignYearAdmin(AuditedAdmin):
    list_display = ("region", "year", "policy_version", "opened_by", "opened_at")
    list_filter = ("year",)
    search_fields = ("region__code", "region__name")
    raw_id_fields = ("region", "opened_by")


@admin.register(InitiativeLetter)
class InitiativeLetterAdmin(AuditedAdmin):
    list_display = ("title", "campaign", "status", "target_count", "delivered_count", "late",
                    "sent_by", "sent_at")
    list_filter = ("status", "late")
    search_fields = ("title", "campaign__region__code")
    raw_id_fields = ("campaign", "sent_by")


@admin.register(LetterDelivery)
class LetterDeliveryAdmin(AuditedAdmin):
    list_display = ("letter", "unit", "delivered_at", "read_at")
    search_fields = ("unit__name", "unit__credit_code", "letter__title")
    raw_id_fields = ("letter", "unit")
    show_full_result_count = False


@admin.register(CongressRecord)
class CongressRecordAdmin(AuditedAdmin):
    list_display = ("unit", "purpose", "kind", "held_on", "attendance_present",
                    "attendance_total", "recorded_by", "recorded_at")
    list_filter = ("purpose", "kind")
    search_fields = ("unit__name", "unit__credit_code")
    raw_id_fields = ("unit", "recorded_by")


@admin.register(Pledge)
class PledgeAdmin(AuditedAdmin):
    list_display = ("unit", "year", "state", "pledged_on", "pledged_by", "created_at")
    list_filter = ("year", "state")
    search_fields = ("unit__name", "unit__credit_code")
    raw_id_fields = ("unit", "campaign", "congress", "pledged_by")


@admin.register(CultivationPlanEntry)
class CultivationPlanEntryAdmin(AuditedAdmin):
    list_display = ("pledge", "cultivation_class", "target_year", "policy_version",
                    "assigned_by", "assigned_at")
    list_filter = ("cultivation_class", "target_year")
    search_fields = ("pledge__unit__name",)
    raw_id_fields = ("pledge", "assigned_by")


@admin.register(PledgeEvent)
class PledgeEventAdmin(AuditedAdmin):
    list_display = ("pledge", "type", "actor", "created_at")
    list_filter = ("type",)
    raw_id_fields = ("pledge", "actor")
    show_full_result_count = False
