"""A person's page (/people/<pk>/): who they are, their memberships, invitations made for them
and their audit history; for an office that covers every membership: change a role or region,
add or remove a membership, issue a password-reset link. Also the reset link's own pages
(/reset/<uidb64>/<token>/), Django's confirm view made to refuse a deactivated person and to
audit the new password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.refusal import forbid

from .assessor_orgs import assessor_organisations_in_scope, get_assessor_organisation
from .models import Membership
from .partners import get_partner_organisation, partner_organisations_in_scope
from .people import (
    grantable_roles,
    history_page,
    invitations_for_person,
    person_for,
)
from .roles import Role
from .services import (
    change_membership,
    check_may_grant,
    grant_membership,
    issue_password_reset,
    record_password_reset_done,
    remove_membership,
)
from .signins import recent_sign_ins

# accounts sits below units in the layers: the unit model is reached through the foreign key.
Unit = Membership._meta.get_field("unit").related_model

FIELD_LABELS = {
    "role": _("角色"), "region": _("区划代码"), "unit": _("单位统一社会信用代码"),
    "organisation": _("评估机构"), "partner_organisation": _("合作组织"),
    "membership": _("角色授权"), "reason": _("原因"),
}


def _named(field: str | None, message) -> str:
    """A form error that names its field: "区划代码：区划代码不存在。"."""
    label = FIELD_LABELS.get(field or "")
    return f"{_(label)}：{message}" if label else str(message)


def _page(request, person, *, status=200, **extra):
    manage = person.pk != request.user.pk
    memberships = list(person.memberships.select_related("region", "unit", "organisation",
                                                      "partner_organisation")
                       .order_by("role", "pk"))
    for membership in memberships:  # a rejected change is shown on its own row
        membership.change_error = extra.get("change_errors", {}).get(membership.pk)
        membership.change_form = extra.get("change_form", {}).get(membership.pk, {})
    context = {
        "person": person,
        "memberships": memberships,
        "invitations": invitations_for_person(person),
        "history": history_page(request.user, person, request.GET.get("page")),
        "manage": manage,
        "is_self": not manage,
        "roles": grantable_roles(request.user) if manage else [],
        # the selects need no members (prefetch_related(None) drops them)
        "organisations": (assessor_organisations_in_scope(request.user)
                          .prefetch_related(None).order_by("name") if manage else []),
        "partner_organisations": (partner_organisations_in_scope(request.user)
                                  .prefetch_related(None) if manage else []),
        "reset_hours": settings.HEXIE_PASSWORD_RESET_HOURS,
        "sign_ins": recent_sign_ins(person),
        "errors": {}, "form": {}, "change_errors": {}, "change_form": {},
    }
    context.update(extra)
    return render(request, "accounts/person.html", context, status=status)


def _managed(request, pk):
    """The person, when the signed-in office may manage them (not themselves): else 404."""
    person = person_for(request.user, pk)
    if person.pk == request.user.pk and not request.user.is_superuser:
        raise OutOfScope()
    return person


def _membership(person, membership_pk):
    membership = (person.memberships.select_related("unit", "organisation", "region")
                  .filter(pk=membership_pk).first())
    if membership is None:
        raise OutOfScope()
    return membership


@login_required
def person_detail(request, pk):
    return _page(request, person_for(request.user, pk))


@login_required
@require_POST
def membership_add(request, pk):
    person = _managed(request, pk)
    form = {k: request.POST.get(k, "").strip()
            for k in ("role", "region", "unit", "organisation", "partner_organisation",
                      "reason")}
    errors, unit, organisation, partner = {}, None, None, None
    if form["unit"]:
        unit = Unit.objects.filter(credit_code=form["unit"].upper()).first()
        if unit is None:
            errors["unit"] = _named("unit", _("没有该统一社会信用代码的单位。"))
    if form["organisation"]:
        try:
            organisation = get_assessor_organisation(request.user, form["organisation"])
        except OutOfScope:
            errors["organisation"] = _named("organisation", _("请选择管辖范围内的评估机构。"))
    if form["partner_organisation"]:
        try:
            partner = get_partner_organisation(request.user, form["partner_organisation"])
        except OutOfScope:
            errors["partner_organisation"] = _named("partner_organisation",
                                                    _("请选择管辖范围内的合作组织。"))
    if form["organisation"] and form["partner_organisation"]:
        errors["organisation"] = _named("organisation", _("评估机构与合作组织只能选择其一。"))
    if not form["role"]:
        errors["role"] = _named("role", _("请选择角色。"))
    elif form["role"] == Role.API_CLIENT:
        errors["role"] = _named("role", _("API 令牌的服务账号角色只能随令牌创建，不能手工授予。"))
    if not errors:
        try:
            # The same checks as an invitation first: outside the scope is a field error here.
            target = organisation or partner
            check_may_grant(request.user, form["role"], region=form["region"] or None,
                            unit=unit, organisation=target)
            grant_membership(request.user, person, form["role"], region=form["region"] or None,
                             unit=unit, organisation=target, reason=form["reason"])
        except OutOfScope:
            field = ("unit" if unit else "organisation" if organisation
                     else "partner_organisation" if partner else "region")
            errors[field] = _named(field, _("只能在本人管辖范围内授予角色。"))
        except NotPermitted as exc:  # a role above the actor's own: the form never offers it
            forbid(exc)
        except DomainError as exc:
            errors[exc.field or "role"] = _named(exc.field or "role", exc.message)
    if errors:
        return _page(request, person, status=400, errors=errors, form=form)
    messages.success(request, _("已为 %(name)s 增加角色。") % {"name": person})
    return redirect("people-detail", pk=person.pk)


@login_required
@require_POST
def membership_change(request, pk, membership_pk):
    person = _managed(request, pk)
    membership = _membership(person, membership_pk)
    form = {k: request.POST.get(k, "").strip() for k in ("role", "region", "reason")}
    try:
        change_membership(request.user, membership, role=form["role"] or None,
                          region=form["region"] or None, reason=form["reason"])
    except OutOfScope:
        error = _named("region", _("只能改为本人管辖范围内的区划。"))
        return _page(request, person, status=400, change_errors={membership.pk: error},
                     change_form={membership.pk: form})
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        return _page(request, person, status=400,
                     change_errors={membership.pk: _named(exc.field or "role", exc.message)},
                     change_form={membership.pk: form})
    messages.success(request, _("已修改 %(name)s 的角色授权。") % {"name": person})
    return redirect("people-detail", pk=person.pk)


@login_required
@require_POST
def membership_remove(request, pk, membership_pk):
    person = _managed(request, pk)
    membership = _membership(person, membership_pk)
    try:
        remove_membership(request.user, membership,
                          reason=request.POST.get("reason", "").strip())
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已撤销该角色授权。"))
    return redirect("people-detail", pk=person.pk)


@login_required
@require_POST
def password_reset(request, pk):
    """The link is in this answer only (never stored, never redirected to)."""
    person = _managed(request, pk)
    try:
        link, emailed = issue_password_reset(request.user, person,
                                             base_url=request.build_absolute_uri("/"))
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("people-detail", pk=person.pk)
    return _page(request, person, reset_link=link, reset_emailed=emailed)


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's confirm view (token checked, then moved to the session; the form validates the
    password), which also treats a deactivated person's link as invalid and audits the new
    password in the same transaction."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            record_password_reset_done(form.user)
        return response


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
