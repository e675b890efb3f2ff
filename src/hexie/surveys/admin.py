"""Survey rounds are the operator's to repair; the workers' anonymous answers and comments,
and what a round wrote into a self-assessment, are view-only: editing them would change a
result the unit and the offices have already read."""

from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin, ReadOnlyAdmin

from .models import SurveyAnswer, SurveyApplication, SurveyComment, SurveyLink, SurveyRound


@admin.register(SurveyRound)
class SurveyRoundAdmin(AuditedAdmin):
    list_display = ("unit", "year", "number", "state", "workforce", "minimum_sample",
                    "link_count", "opened_at", "closed_at")
    list_filter = ("year", "state")
    search_fields = ("unit__name", "unit__credit_code", "set_id")
    raw_id_fields = ("unit", "opened_by", "closed_by")


@admin.register(SurveyLink)
class SurveyLinkAdmin(AuditedAdmin):
    list_display = ("id", "round", "used")
    list_filter = ("used",)
    search_fields = ("round__unit__name",)
    raw_id_fields = ("round",)
    show_full_result_count = False


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("id", "round", "levels", "satisfied")
    search_fields = ("round__unit__name",)
    show_full_result_count = False


@admin.register(SurveyComment)
class SurveyCommentAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("id", "round", "text")
    search_fields = ("round__unit__name",)


@admin.register(SurveyApplication)
class SurveyApplicationAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("round", "self_assessment", "unit", "year", "percent", "answers",
                    "applied_by", "applied_at")
    list_filter = ("year",)
    search_fields = ("unit__name", "unit__credit_code")
