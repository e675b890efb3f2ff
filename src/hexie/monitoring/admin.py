from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import RiskSignal


@admin.register(RiskSignal)
class RiskSignalAdmin(AuditedAdmin):
    list_display = ("unit", "source", "level", "area", "state", "detected_on", "handled_at")
    list_filter = ("source", "level", "state")
    search_fields = ("unit__name", "unit__credit_code", "summary", "reference")
    raw_id_fields = ("unit", "handled_by")
