from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import Objection, PublicNotice, PublishedEntry, PublishedList


@admin.register(PublicNotice)
class PublicNoticeAdmin(AuditedAdmin):
    list_display = ("title", "region", "year", "state", "starts_on", "ends_on", "created_by")
    list_filter = ("year", "state")
    search_fields = ("title", "region__code", "region__name")
    raw_id_fields = ("region", "created_by")


@admin.register(Objection)
class ObjectionAdmin(AuditedAdmin):
    list_display = ("notice", "recognition", "received_on", "channel", "state", "handled_at")
    list_filter = ("state", "channel")
    search_fields = ("content", "recognition__unit__name")
    raw_id_fields = ("notice", "recognition", "recorded_by", "handled_by")


@admin.register(PublishedList)
class PublishedListAdmin(AuditedAdmin):
    list_display = ("title", "region", "year", "entry_count", "published_by", "published_at")
    list_filter = ("year",)
    search_fields = ("title", "region__code")
    raw_id_fields = ("region", "published_by")


@admin.register(PublishedEntry)
class PublishedEntryAdmin(AuditedAdmin):
    list_display = ("unit_name", "identifier", "kind", "year", "region_code", "region_name",
                    "published_list")
    list_filter = ("year", "kind")
    search_fields = ("unit_name", "identifier", "region_code")
    raw_id_fields = ("published_list", "recognition")
    exclude = ("search_text",)
