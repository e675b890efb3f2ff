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
from .roles import ACCOUNTS_GRANT, ROLE_SPECS, Role

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


# --- the person page: who may open it, changing a membership, a password reset ---------------


def check_person_in_scope(actor, person) -> None:
    """Nothing when ``actor`` may manage ``person`` — every membership they hold is one the
    actor could grant (inside the grant scope, not above the actor's rank); else ``OutOfScope``
    (404: the page never says the person exists). A person with no membership, or an
    operator, is reached by operators only."""
    if actor is not None and actor.is_active and actor.is_superuser:
        return
    if actor is None or not actor.is_authenticated:
        raise OutOfScope()
    memberships = list(person.memberships.select_related("unit", "organisation"))
    if person.is_superuser or not memberships:
        raise OutOfScope()
    for membership in memberships:
        try:
            _check_actor(actor, membership, "view", outside=OutOfScope)
        except NotPermitted as exc:
            raise OutOfScope() from exc


def _refuse_self(actor, person, message) -> None:
    if actor is not None and actor.pk == person.pk and not (actor.is_active
                                                            and actor.is_superuser):
        raise NotPermitted(message)


def _covering_code(*codes: str) -> str:
    """The longest division code (a whole level) that is a prefix of every one of ``codes``:
    an event about two places is recorded where an office covering both reads it."""
    codes = [c for c in codes if c]
    if not codes:
        return ""
    common = codes[0]
    for code in codes[1:]:
        while not code.startswith(common):
            common = common[:-1]
    lengths = sorted((n for n in CODE_LENGTH.values() if n <= len(common)), reverse=True)
    return common[:lengths[0]] if lengths else ""


def _forget_scope(user) -> None:
    user.__dict__.pop("_hexie_memberships", None)
    user.__dict__.pop("_hexie_scope_cache", None)


def change_membership(actor, membership: Membership, *, role: str | None = None, region=None,
                      reason: str = "") -> Membership:
    """Change the role and/or the region of one membership, in place (its id and history stay).

    Allowed only when ``actor`` could revoke the old membership and grant the new one: the
    same scope and rank rules as :func:`grant_membership` (outside the scope → 404, a role
    above the actor's own → 403). One transaction, one audit event with before and after. The
    person's sessions stay; their scope changes on their next request (scope_for reads the
    memberships afresh for every request)."""
    new_role = (role or "").strip() or membership.role
    if new_role not in ROLE_SPECS:
        raise DomainError(_("角色不存在。"), field="role")
    if Role.API_CLIENT in (new_role, membership.role):  # a token's own, made with the token
        raise DomainError(_("API 令牌的服务账号角色只能随令牌创建，不能手工修改。"),
                          field="role")
    if region is None or region == "":
        new_region = membership.region_id
    else:
        new_region = str(getattr(region, "pk", region)).strip() or None
    if not (actor is None or (actor.is_active and actor.is_superuser)):
        _refuse_self(actor, membership.user, _("不能修改本人的角色或区划。"))
    # May the actor take the old one away?
    _check_actor(actor, membership, reason, outside=OutOfScope)
    candidate = Membership(user=membership.user, role=new_role, region_id=new_region,
                           unit=membership.unit, organisation=membership.organisation)
    # ... and give the new one?
    _check_actor(actor, candidate, reason, outside=OutOfScope)
    if new_role == membership.role and new_region == membership.region_id:
        raise DomainError(_("角色和区划都没有变化。"), field="role", code="unchanged")
    if new_region and not Division.objects.filter(code=new_region).exists():
        raise DomainError(_("区划代码不存在。"), field="region")
    with transaction.atomic():
        locked = (Membership.objects.select_for_update(of=("self",))
                  .select_related("unit", "organisation").filter(pk=membership.pk).first())
        if locked is None:
            raise DomainError(_("该角色授权已被撤销。"), code="gone")
        before, old_code = audit.snapshot(locked), _region_code(locked)
        if Membership.objects.filter(user_id=locked.user_id, role=new_role,
                                     region_id=new_region, unit_id=locked.unit_id,
                                     organisation_id=locked.organisation_id).exclude(
                                         pk=locked.pk).exists():
            raise DomainError(_("该用户已有这一角色授权。"), field="role", code="duplicate")
        locked.role, locked.region_id = new_role, new_region
        try:
            with transaction.atomic():
                locked.save()
        except ValidationError as exc:
            field, messages = next(iter(getattr(exc, "message_dict", {}).items()),
                                   (None, exc.messages))
            raise DomainError(messages[0], field=None if field == "__all__" else field) from exc
        except IntegrityError as exc:
            raise DomainError(_("该用户已有这一角色授权。"), field="role",
                              code="duplicate") from exc
        audit.record(actor, "accounts.change_membership", locked, before=before,
                     after=audit.snapshot(locked) | {"reason": reason},
                     region_code=_covering_code(old_code, _region_code(locked)))
    membership.role, membership.region_id = locked.role, locked.region_id
    _forget_scope(membership.user)
    return locked


def remove_membership(actor, membership: Membership, *, reason: str = "") -> None:
    """Revoke one membership of a person from their page. The last one is refused: a person
    with no membership is in nobody's scope any more — deactivate the account instead."""
    _check_actor(actor, membership, reason, outside=OutOfScope)
    if not (actor is None or (actor.is_active and actor.is_superuser)):
        _refuse_self(actor, membership.user, _("不能撤销本人的角色。"))
    if not Membership.objects.filter(user_id=membership.user_id).exclude(
            pk=membership.pk).exists():
        raise DomainError(_("这是该账号唯一的角色，不能撤销；如不再使用请停用账号。"),
                          field="membership", code="last_membership")
    revoke_membership(actor, membership, reason=reason)


def issue_password_reset(actor, person, *, base_url: str | None = None, reason: str = ""):
    """A single-use link for ``person`` to choose a new password; returns ``(link, emailed)``.

    The link is Django's password-reset token (valid ``PASSWORD_RESET_TIMEOUT``, i.e.
    ``HEXIE_PASSWORD_RESET_HOURS``; it stops working once the password changes, so it is
    single-use). It is shown once to the office and e-mailed when the person has an address;
    it is never stored or audited. Outside the actor's scope → 404; a deactivated person, or
    the actor themselves, is refused."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if actor is None:
        if not reason.strip():
            raise ValueError("a system password reset names its reason")
    else:
        check_person_in_scope(actor, person)
        _refuse_self(actor, person, _("不能为本人重置密码。"))
    if not person.is_active:
        raise DomainError(_("该账号已停用，不能重置密码；请先启用账号。"), code="inactive")
    if not person.has_usable_password() and person.username.startswith("token:"):
        raise DomainError(_("API 令牌的服务账号没有密码。"), code="service_user")
    token = default_token_generator.make_token(person)
    path = reverse("password_reset_confirm",
                   kwargs={"uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
                           "token": token})
    link = (base_url or settings.HEXIE_BASE_URL).rstrip("/") + path
    email = (person.email or "").strip()
    hours = settings.HEXIE_PASSWORD_RESET_HOURS
    with transaction.atomic():
        regions = sorted({_region_code(m) for m in person.memberships.select_related(
            "unit", "organisation")})
        audit.record(actor, "accounts.issue_password_reset", person,
                     after={"emailed": bool(email), "valid_hours": hours, "reason": reason},
                     region_code=_covering_code(*regions))
        if email:
            subject = _("和谐劳动关系创建平台：重置密码")
            body = _("%(name)s，您好：\n\n三方办为您的账号 %(username)s 生成了重置密码链接，"
                     "%(hours)s 小时内有效，只能使用一次：\n\n%(link)s\n\n"
                     "如非本人申请，请忽略本邮件并联系所在三方办。") % {
                "name": person, "username": person.username, "hours": hours, "link": link}
            transaction.on_commit(lambda: send_mail(subject, body, None, [email],
                                                    fail_silently=True))
    return link, bool(email)


def record_password_reset_done(person) -> None:
    """Audit that ``person`` set a new password through a reset link (the view saves it)."""
    regions = sorted({_region_code(m) for m in person.memberships.select_related(
        "unit", "organisation")})
    audit.record(person, "accounts.password_reset_complete", person,
                 after={"password_changed": True}, region_code=_covering_code(*regions))
