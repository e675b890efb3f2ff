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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.scoping import scope_for
from hexie.regions.models import CODE_LENGTH

from .models import Membership
from .roles import ACCOUNTS_GRANT, ROLE_SPECS

# Below every office level: partners, coordinators, assessors, unit admins.
_BELOW_OFFICES = max(CODE_LENGTH.values()) + 1


def role_height(role: str) -> int:
    """Smaller is higher: an office's region-code length, then every other role."""
    spec = ROLE_SPECS[role]
    return CODE_LENGTH[spec.region_level] if spec.region_level else _BELOW_OFFICES


def _check_actor(actor, membership: Membership, reason: str) -> None:
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
    elif membership.region_id:
        inside, field = scope.covers_region(membership.region_id), "region"
    else:  # a coordinator with no region reaches no place an actor could cover
        inside, field = False, "region"
    if not inside:
        raise NotPermitted(_("只能在本人管辖范围内授予或撤销角色。"), field=field)


def _region_code(membership: Membership) -> str:
    if membership.unit_id is not None:
        return membership.unit.region_id
    if membership.organisation_id is not None:
        return membership.organisation.region_id
    return membership.region_id or ""


def grant_membership(actor, person, role: str, *, region=None, unit=None, organisation=None,
                     reason: str = "") -> Membership:
    """Give ``person`` ``role`` over a region (code or Division), a unit or an organisation."""
    if role not in ROLE_SPECS:
        raise DomainError(_("角色不存在。"), field="role")
    membership = Membership(user=person, role=role,
                            region_id=getattr(region, "pk", region) or None,
                            unit=unit, organisation=organisation)
    _check_actor(actor, membership, reason)
    with transaction.atomic():
        if Membership.objects.filter(user=person, role=role, region_id=membership.region_id,
                                     unit=unit, organisation=organisation).exists():
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
