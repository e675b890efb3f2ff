"""Granting and revoking role memberships: the only code that creates or deletes Membership rows.

A membership decides what a person may see and do, so every grant and revocation is checked
and audited like any other change. Who may grant:

* the system (``actor=None``: the demo loader, a command run on the server) with a reason;
* a superuser (the platform operator);
* a user holding ``accounts.grant`` (offices, unit admins) for a membership inside their
  scope — its region, unit or the organisation's region — and no higher than their own role:
  the office levels rank province > city > county > town by the length of their region code,
  every other role ranks below all offices.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.scoping import scope_for
from hexie.regions.models import CODE_LENGTH, Division

from .models import Membership, PartnerOrganisation
from .roles import ACCOUNTS_GRANT, ROLE_SPECS

# Below every office level: partners, coordinators, assessors, unit admins.
_BELOW_OFFICES = max(CODE_LENGTH.values()) + 1


def role_height(role: str) -> int:
    """Smaller is higher: an office's region-code length, then every other role."""
    spec = ROLE_SPECS[role]
    return CODE_LENGTH[spec.region_level] if spec.region_level else _BELOW_OFFICES


def new_membership(role: str, *, person=None, region=None, unit=None,
                   organisation=None) -> Membership:
    """An unsaved membership. ``organisation`` is an assessor organisation (assessors) or a
    partner organisation (partners: the region is then the organisation's when not given)."""
    partner = organisation if isinstance(organisation, PartnerOrganisation) else None
    region_id = getattr(region, "pk", region) or None
    if partner is not None and region_id is None:
        region_id = partner.region_id
    return Membership(user=person, role=role, region_id=region_id, unit=unit,
                      organisation=None if partner else organisation,
                      partner_organisation=partner)


def _check_actor(actor, membership: Membership, reason: str, *, outside=None) -> None:
    """Refuse unless ``actor`` may grant or revoke ``membership``. ``outside`` is the error for a
    membership beyond the actor's scope (callers that answer 404 pass ``OutOfScope``)."""
    if actor is None:
        if not reason.strip():
            raise ValueError("a system grant or revocation names its reason")
        return
    if actor.is_active and actor.is_superuser:
        return
    scope = scope_for(actor, ACCOUNTS_GRANT)
    if scope.is_empty:
        raise NotPermitted(_("您没有授予或撤销角色的权限。"))
    own = [m.role for m in actor.memberships.all()
           if ACCOUNTS_GRANT in ROLE_SPECS[m.role].permissions]
    if role_height(membership.role) < min(role_height(r) for r in own):
        raise NotPermitted(_("不能授予或撤销高于本人角色的角色。"), field="role")
    if membership.unit_id is not None:
        inside, field = scope.covers(membership.unit_id, membership.unit.region_id), "unit"
    elif membership.organisation_id is not None:
        inside = scope.covers_region(membership.organisation.region_id)
        field = "organisation"
    elif membership.partner_organisation_id is not None:
        inside = scope.covers_region(membership.partner_organisation.region_id)
        field = "partner_organisation"
    elif membership.region_id:
        inside, field = scope.covers_region(membership.region_id), "region"
    else:  # a coordinator with no region reaches no place an actor could cover
        inside, field = False, "region"
    if not inside:
        if outside is not None:
            raise outside()
        raise NotPermitted(_("只能在本人管辖范围内授予或撤销角色。"), field=field)


def _region_code(membership: Membership) -> str:
    if membership.unit_id is not None:
        return membership.unit.region_id
    if membership.organisation_id is not None:
        return membership.organisation.region_id
    return membership.region_id or ""


def grant_membership(actor, person, role: str, *, region=None, unit=None, organisation=None,
                     reason: str = "") -> Membership:
    """Give ``person`` ``role`` over a region (code or Division), a unit or an organisation
    (an assessor organisation, or for a partner its partner organisation)."""
    if role not in ROLE_SPECS:
        raise DomainError(_("角色不存在。"), field="role")
    membership = new_membership(role, person=person, region=region, unit=unit,
                                organisation=organisation)
    _check_actor(actor, membership, reason)
    with transaction.atomic():
        if Membership.objects.filter(
                user=person, role=role, region_id=membership.region_id, unit=unit,
                organisation_id=membership.organisation_id,
                partner_organisation_id=membership.partner_organisation_id).exists():
            raise DomainError(_("该用户已有这一角色授权。"), field="role", code="duplicate")
        try:
            with transaction.atomic():
                membership.save()
        except ValidationError as exc:
            field, messages = next(iter(getattr(exc, "message_dict", {}).items()),
                                   (None, exc.messages))
            raise DomainError(messages[0], field=None if field == "__all__" else field) from exc
        except IntegrityError as exc:  # a concurrent grant of the same membership
            raise DomainError(_("该用户已有这一角色授权。"), field="role",
                              code="duplicate") from exc
        audit.record(actor, "accounts.grant_membership", membership,
                     after=audit.snapshot(membership) | {"reason": reason},
                     region_code=_region_code(membership))
    person.__dict__.pop("_hexie_memberships", None)
    person.__dict__.pop("_hexie_scope_cache", None)
    return membership


def revoke_membership(actor, membership: Membership, *, reason: str = "") -> None:
    """Take a membership away; the same actor rules as granting it."""
    _check_actor(actor, membership, reason)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if locked is None:
            raise DomainError(_("该角色授权已被撤销。"), code="gone")
        before, pk = audit.snapshot(locked), locked.pk
        region_code = _region_code(locked)
        locked.delete()
        audit.record(actor, "accounts.revoke_membership", locked, object_id=pk,
                     before=before, after={"reason": reason}, region_code=region_code)
    membership.user.__dict__.pop("_hexie_memberships", None)
    membership.user.__dict__.pop("_hexie_scope_cache", None)


def check_may_grant(actor, role: str, *, region=None, unit=None, organisation=None) -> None:
    """The grant rules without granting (an invitation is checked when it is made): a role
    above the actor's own or without the grant permission → ``NotPermitted``, a target outside
    the actor's scope → ``OutOfScope`` (404), a malformed target → ``DomainError``."""
    if role not in ROLE_SPECS:
        raise DomainError(_("角色不存在。"), field="role")
    membership = new_membership(role, region=region, unit=unit, organisation=organisation)
    _check_actor(actor, membership, "invitation", outside=OutOfScope)
    try:
        membership.clean()
    except ValidationError as exc:
        field, messages = next(iter(getattr(exc, "message_dict", {}).items()),
                               (None, exc.messages))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc
    if (membership.region_id
            and not Division.objects.filter(code=membership.region_id).exists()):
        raise DomainError(_("区划代码不存在。"), field="region")


def _check_person(actor, person, reason: str) -> None:
    """Deactivating or reactivating ``person``: every membership they hold must be one the actor
    could grant (inside the scope, not above the actor's rank); the system names a reason."""
    if actor is None:
        if not reason.strip():
            raise ValueError("a system deactivation or reactivation names its reason")
        return
    if actor.is_active and actor.is_superuser:
        return
    if actor.pk == person.pk:
        raise NotPermitted(_("不能停用或启用本人的账号。"))
    memberships = list(person.memberships.select_related("unit", "organisation",
                                                         "partner_organisation"))
    if person.is_superuser or not memberships:  # no membership: nothing places them in a scope
        raise OutOfScope()
    for membership in memberships:
        _check_actor(actor, membership, reason, outside=OutOfScope)


def _end_sessions(person) -> int:
    """Delete ``person``'s stored sessions, so a later reactivation does not revive them
    (the auth backend already refuses an inactive user on the next request)."""
    if not settings.SESSION_ENGINE.startswith("django.contrib.sessions.backends"):
        return 0
    from django.contrib.sessions.models import Session

    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(person.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _set_active(actor, person, active: bool, action: str, reason: str):
    _check_person(actor, person, reason)
    User = type(person)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        if locked.is_active == active:
            raise DomainError(_("该账号已是启用状态。") if active else _("该账号已停用。"),
                              code="unchanged")
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        if not active:
            _end_sessions(locked)
        regions = sorted({_region_code(m) for m in locked.memberships.select_related(
            "unit", "organisation", "partner_organisation")})
        audit.record(actor, action, locked, before={"is_active": not active},
                     after={"is_active": active, "reason": reason},
                     region_code=regions[0] if len(regions) == 1 else "")
    person.is_active = active
    return locked


def deactivate(actor, person, *, reason: str = ""):
    """Stop ``person`` signing in; never deletes (the history keeps naming them). Their open
    sessions end at once: the auth backend refuses an inactive user on the next request."""
    return _set_active(actor, person, False, "accounts.deactivate", reason)


def reactivate(actor, person, *, reason: str = ""):
    """Let a deactivated person sign in again, with the memberships they held."""
    return _set_active(actor, person, True, "accounts.reactivate", reason)


def check_username_free(username: str) -> str:
    """The cleaned username, or ``DomainError`` when it is empty, malformed or taken."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise DomainError(_("请填写用户名。"), field="username")
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="username") from exc
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("该用户名已被使用，请换一个。"), field="username", code="duplicate")
    return username


def create_account(actor, username: str, password: str, role: str, *, region=None, unit=None,
                   organisation=None, email: str = "", display_name: str = "",
                   reason: str = ""):
    """A new person with a password that passes Django's validators and one membership,
    granted by ``actor`` under the grant rules; all or nothing, audited."""
    User = get_user_model()
    check_may_grant(actor, role, region=region, unit=unit, organisation=organisation)
    with transaction.atomic():
        username = check_username_free(username)
        person = User(username=username, email=(email or "").strip(),
                      display_name=(display_name or "").strip())
        try:
            password_validation.validate_password(password, person)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from exc
        person.set_password(password)
        person.save()
        membership = grant_membership(actor, person, role, region=region, unit=unit,
                                      organisation=organisation, reason=reason)
        audit.record(actor, "accounts.create_account", person,
                     after={"username": person.username, "email": person.email,
                            "display_name": person.display_name, "reason": reason},
                     region_code=_region_code(membership))
    return person
