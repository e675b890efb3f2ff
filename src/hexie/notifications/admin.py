from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import Notification, ReminderSent


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    list_display = ("recipient", "kind", "title", "created_at", "read_at", "emailed_at")
    search_fields = ("recipient__username", "title", "kind")
    raw_id_fields = ("recipient",)
    show_full_result_count = False


@admin.register(ReminderSent)
class ReminderSentAdmin(AuditedAdmin):
    list_display = ("key", "sent_at")
    search_fields = ("key",)
