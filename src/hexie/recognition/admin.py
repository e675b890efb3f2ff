from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import (
    Appeal,
    Application,
    ApplicationEvent,
    CriterionOpinion,
    Recognition,
    ReviewAssignment,
)


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin):
    list_display = ("unit", "year", "state", "review_round", "submitted_at", "decided_by",
                    "decided_at")
    list_filter = ("year", "state")
    search_fields = ("unit__name", "unit__credit_code")
    raw_id_fields = ("unit", "pledge", "self_assessment", "congress", "submitted_by",
                     "decided_by")


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(AuditedAdmin):
    list_display = ("application", "track", "round", "reviewer", "organisation", "state",
                    "due_on", "score", "recommend_pass")
    list_filter = ("track", "state")
    search_fields = ("application__unit__name", "reviewer__username", "organisation__name")
    raw_id_fields = ("application", "reviewer", "organisation", "assigned_by", "submitted_by")


@admin.register(CriterionOpinion)
class CriterionOpinionAdmin(AuditedAdmin):
    list_display = ("assignment", "criterion_id", "confirmed")
    list_filter = ("confirmed",)
    search_fields = ("criterion_id", "assignment__application__unit__name")
    raw_id_fields = ("assignment",)


@admin.register(Appeal)
class AppealAdmin(AuditedAdmin):
    list_display = ("application", "state", "filed_by", "filed_at", "handled_by", "handled_at")
    list_filter = ("state",)
    search_fields = ("application__unit__name", "reason")
    raw_id_fields = ("application", "filed_by", "handled_by")


@admin.register(Recognition)
class RecognitionAdmin(AuditedAdmin):
    list_display = ("unit", "year", "region", "state", "recognised_on")
    list_filter = ("year", "state")
    search_fields = ("unit__name", "unit__credit_code", "region__code")
    raw_id_fields = ("unit", "application", "region", "notice", "published_list")


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(AuditedAdmin):
    list_display = ("application", "type", "actor", "created_at")
    list_filter = ("type",)
    raw_id_fields = ("application", "actor")
    show_full_result_count = False
