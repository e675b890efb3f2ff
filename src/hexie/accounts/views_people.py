"""Pages for accounts: opening an invitation link (anyone, signed out) and the offices'
people page (accounts in scope, deactivate / reactivate, invitations)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.refusal import forbid
from hexie.core.scoping import scope_for

from .assessor_orgs import assessor_organisations_in_scope, create_assessor_organisation
from .invitations import (
    InvitationUnusable,
    accept_invitation,
    find_invitation,
    invite,
    revoke_invitation,
)
from .models import Membership, PartnerOrganisation
from .partners import create_partner_organisation, partner_organisations_in_scope
from .people import grantable_roles, manages_people, pending_invitations, people_in_scope
from .roles import ACCOUNTS_GRANT
from .services import deactivate, reactivate


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept(request, token):
    """The invited person picks a username and password. A link that cannot be used answers
    410 Gone (it existed, or may have: the page never says which); someone already signed in
    as another person is asked to sign out first, so an office never turns itself into the
    invitee by clicking a link it is about to hand out."""
    try:
        invitation = find_invitation(token)
    except InvitationUnusable as exc:
        return render(request, "accounts/invitation_unusable.html",
                      {"message": exc.message}, status=410)
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_signed_in.html",
                      {"invitation": invitation}, status=403)
    errors, username = {}, ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password1", "")
        if password != request.POST.get("password2", ""):
            errors["password2"] = _("两次输入的密码不一致。")
        else:
            try:
                person = accept_invitation(token, username, password)
            except InvitationUnusable as exc:
                return render(request, "accounts/invitation_unusable.html",
                              {"message": exc.message}, status=410)
            except DomainError as exc:
                errors[exc.field or "username"] = exc.message
            else:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("home")
    return render(request, "accounts/invitation_accept.html",
                  {"invitation": invitation, "errors": errors, "username": username},
                  status=400 if errors else 200)


PEOPLE_PAGE_SIZE = 50  # rows per page of each list on /people/

# accounts sits below units in the layers: the unit model is reached through the foreign key.
Unit = Membership._meta.get_field("unit").related_model


def _office(request):
    if not manages_people(request.user):
        raise PermissionDenied(_("只有三方办可以管理账号。"))


@login_required
def people(request):
    """The accounts inside the office's scope and its pending invitations, each paginated
    (``people_page``, ``invitations_page``), and the invitation form. A new link is shown in
    the answer to the POST only: it is never stored."""
    _office(request)
    errors, link, form = {}, None, {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip()
                for k in ("role", "region", "unit", "email", "display_name",
                          "organisation", "partner_organisation")}
        unit = partner = assessor = None
        if form["unit"]:
            unit = Unit.objects.filter(credit_code=form["unit"].upper()).first()
            if unit is None:
                errors["unit"] = _("没有该统一社会信用代码的单位。")
        if form["partner_organisation"]:
            partner = partner_organisations_in_scope(request.user).filter(
                pk=form["partner_organisation"] if form["partner_organisation"].isdigit()
                else None).first()
            if partner is None:
                errors["partner_organisation"] = _("请选择管辖范围内的合作组织。")
        if form["organisation"]:
            assessor = assessor_organisations_in_scope(request.user).filter(
                pk=form["organisation"] if form["organisation"].isdigit() else None).first()
            if assessor is None:
                errors["organisation"] = _("请选择管辖范围内的评估机构。")
        if partner and assessor:
            errors["organisation"] = _("评估机构与合作组织只能选择其一。")
        if not errors:
            try:
                link = invite(request.user, form["role"], region=form["region"] or None,
                              unit=unit, organisation=partner or assessor, email=form["email"],
                              display_name=form["display_name"],
                              base_url=request.build_absolute_uri("/"))[1]
            except OutOfScope:
                errors[("unit" if unit else "partner_organisation" if partner
                        else "organisation" if assessor
                        else "region")] = _("只能在本人管辖范围内邀请。")
            except DomainError as exc:
                errors[exc.field or "role"] = exc.message
        if link:
            form = {}
    people_page = Paginator(people_in_scope(request.user), PEOPLE_PAGE_SIZE).get_page(
        request.GET.get("people_page"))
    invitations_page = Paginator(pending_invitations(request.user), PEOPLE_PAGE_SIZE
                                 ).get_page(request.GET.get("invitations_page"))
    return render(request, "accounts/people.html", {
        "people": people_page.object_list, "people_page": people_page,
        "invitations": invitations_page.object_list, "invitations_page": invitations_page,
        "roles": grantable_roles(request.user),
        # the selects need no members (prefetch_related(None) drops them)
        "partner_organisations": partner_organisations_in_scope(request.user)
        .prefetch_related(None),
        "assessor_organisations": assessor_organisations_in_scope(request.user)
        .prefetch_related(None),
        "errors": errors, "link": link, "form": form, "days": settings.HEXIE_INVITATION_DAYS,
    }, status=400 if errors else 200)


@login_required
@require_POST
def set_active(request, pk, active: bool):
    _office(request)
    person = get_object_or_404(people_in_scope(request.user), pk=pk)
    change = reactivate if active else deactivate
    try:
        change(request.user, person)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, (_("已启用 %(name)s 的账号。") if active
                                   else _("已停用 %(name)s 的账号。")) % {"name": person})
    return redirect("people")


@login_required
@require_POST
def withdraw(request, pk):
    _office(request)
    invitation = get_object_or_404(pending_invitations(request.user), pk=pk)
    try:
        revoke_invitation(request.user, invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("邀请已撤回。"))
    return redirect("people")


@login_required
def partners(request):
    """The partner organisations (总工会, 企联, 工商联) of the office's division and below, their
    people, and a form to add one; people are then invited on the accounts page."""
    _office(request)
    errors, form = {}, {}
    own = scope_for(request.user, ACCOUNTS_GRANT).region_prefixes
    if len(own) == 1:  # the office's own division, the usual place for its partners
        form["region"] = own[0]
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("name", "kind", "region")}
        try:
            made = create_partner_organisation(request.user, form["name"], form["kind"],
                                               form["region"])
        except OutOfScope:
            errors["region"] = _("只能在本人管辖的区划内创建合作组织。")
        except DomainError as exc:
            errors[exc.field or "name"] = exc.message
        else:
            messages.success(request, _("已创建合作组织 %(name)s。") % {"name": made.name})
            return redirect("people-partners")
    return render(request, "accounts/partners.html", {
        "organisations": partner_organisations_in_scope(request.user),
        "kinds": PartnerOrganisation.Kind.choices, "errors": errors, "form": form,
    }, status=400 if errors else 200)


@login_required
def assessors(request):
    """The third-party assessor organisations the office hires (its division and below),
    their people, and a form to register one; people are then invited on the accounts page."""
    _office(request)
    errors, form = {}, {}
    own = scope_for(request.user, ACCOUNTS_GRANT).region_prefixes
    if len(own) == 1:  # the office's own division, where it usually hires
        form["region"] = own[0]
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("name", "credit_code", "region")}
        try:
            made = create_assessor_organisation(request.user, form["name"],
                                                form["credit_code"], form["region"])
        except OutOfScope:
            errors["region"] = _("只能在本人管辖的区划内登记评估机构。")
        except NotPermitted as exc:
            forbid(exc)
        except DomainError as exc:
            errors[exc.field or "name"] = exc.message
        else:
            messages.success(request, _("已登记评估机构 %(name)s。") % {"name": made.name})
            return redirect("people-assessors")
    return render(request, "accounts/assessors.html", {
        "organisations": assessor_organisations_in_scope(request.user),
        "errors": errors, "form": form,
    }, status=400 if errors else 200)
