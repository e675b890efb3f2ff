"""Users and organisations are the operator's to edit; memberships are view-only here because
only ``accounts.services.grant_membership`` / ``revoke_membership`` create or remove them."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from hexie.core.adminsite import AuditedAdmin, ReadOnlyAdmin

from .models import (
    ApiAccessLog,
    ApiToken,
    AssessorOrganisation,
    CoordinatorAssignment,
    Invitation,
    Membership,
    PartnerOrganisation,
    PasswordHistory,
    SignIn,
    User,
)


class MembershipInline(ReadOnlyAdmin, admin.TabularInline):
    model = Membership
    fields = ("role", "region", "unit", "organisation", "partner_organisation")
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedAdmin):
    list_display = ("username", "display_name", "phone", "is_active", "is_staff",
                    "is_superuser", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "memberships__role")
    search_fields = ("username", "display_name", "phone", "email")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("联系方式"), {"fields": ("display_name", "phone")}),
                 (_("密码有效期"), {"fields": ("password_changed_at",)}))
    readonly_fields = ("password_changed_at",)
    inlines = (MembershipInline,)


@admin.register(AssessorOrganisation)
class AssessorOrganisationAdmin(AuditedAdmin):
    list_display = ("name", "credit_code", "region")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("region",)


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "region", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "region__code", "region__name")
    raw_id_fields = ("region",)
    list_select_related = ("region",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("user", "role", "region", "unit", "organisation", "partner_organisation")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "region__code", "unit__name",
                     "organisation__name", "partner_organisation__name")
    list_select_related = ("user", "region", "unit", "organisation", "partner_organisation")


@admin.register(CoordinatorAssignment)
class CoordinatorAssignmentAdmin(AuditedAdmin):
    list_display = ("coordinator", "unit", "assigned_at")
    search_fields = ("coordinator__username", "coordinator__display_name", "unit__name")
    raw_id_fields = ("coordinator", "unit")
    list_select_related = ("coordinator", "unit")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, AuditedAdmin):
    """View-only: tokens are created and revoked only through accounts.tokens (audited, and the
    key shown once)."""

    list_display = ("name", "prefix", "region", "expires_at", "revoked_at", "last_used_at")
    search_fields = ("name", "prefix")
    exclude = ("key_hash",)
    list_select_related = ("region",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin, AuditedAdmin):
    """View-only: invitations are made and accepted through accounts.services (the token is
    never here, only its hash)."""

    list_display = ("role", "display_name", "email", "region_code", "created_by", "created_at",
                    "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("display_name", "email", "region_code", "created_by__username")
    exclude = ("token_hash",)
    list_select_related = ("created_by",)


@admin.register(SignIn)
class SignInAdmin(ReadOnlyAdmin, AuditedAdmin):
    """Append-only sign-in history (accounts.signins)."""

    list_display = ("at", "username", "success", "method", "failure_reason", "ip")
    list_filter = ("success", "method", "failure_reason")
    search_fields = ("username", "ip")
    list_select_related = ("user",)


@admin.register(PasswordHistory)
class PasswordHistoryAdmin(ReadOnlyAdmin, AuditedAdmin):
    """Written by accounts.passwords.HistoryValidator only; the hashes are never shown."""

    list_display = ("user", "created_at")
    search_fields = ("user__username",)
    exclude = ("password",)
    list_select_related = ("user",)


@admin.register(ApiAccessLog)
class ApiAccessLogAdmin(ReadOnlyAdmin, AuditedAdmin):
    """View-only: one row per call made with a token, written by the middleware
    (accounts.access_log); append-only in the database too."""

    list_display = ("at", "token", "method", "path", "status", "ip", "duration_ms")
    list_filter = ("status", "method")
    search_fields = ("token__name", "path")
    list_select_related = ("token",)
    raw_id_fields = ("token",)
