"""Invitations: how a new person gets an account without anyone typing their password.

An actor who may grant a membership (accounts.services rules: inside their scope, not above
their own role) makes a single-use link for it, valid ``HEXIE_INVITATION_DAYS`` days. Only the
token's SHA-256 is stored, so the link is shown once. Whoever opens it chooses a username and
password; the account and the membership are then created together.

The inviter's scope and rank are checked when the invitation is made. At acceptance the
membership is granted by the system with the reason ``invitation <id>`` (the new person cannot
be the actor, and the inviter is not present); the acceptance is audited with the new person as
actor, and the invitation row keeps who invited. An invitation whose inviter has since been
deactivated is refused, so stopping a person also stops the links they handed out.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hexie.core import audit
from hexie.core.errors import DomainError, OutOfScope
from hexie.core.scoping import scope_for

from .models import Invitation
from .roles import ACCOUNTS_GRANT, Role
from .services import check_may_grant, check_username_free, create_account, new_membership


class InvitationUnusable(DomainError):
    """The link cannot be used: unknown, used, expired or withdrawn (``code`` says which)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str, base_url: str | None = None) -> str:
    base = (base_url or settings.HEXIE_BASE_URL).rstrip("/")
    return base + reverse("accept_invitation", args=[token])


def _target_region(role, region, unit, organisation) -> str:
    if unit is not None:
        return unit.region_id
    if organisation is not None:
        return organisation.region_id
    return getattr(region, "pk", region) or ""


def invite(actor, role: str, *, region=None, unit=None, organisation=None, email: str = "",
           display_name: str = "", username: str = "", reason: str = "",
           base_url: str | None = None):
    """Make an invitation for one membership; returns ``(invitation, link)``. ``organisation``
    is an assessor organisation (assessors) or a partner organisation (partners). The link holds the
    only copy of the token. ``username``, when given, is the one the invitee will get (the
    ``hexie accounts create`` command names it). ``actor=None`` is the system (a server
    command) and names a reason."""
    if actor is None and not reason.strip():
        raise ValueError("a system invitation names its reason")
    if role == Role.API_CLIENT:  # a token's service user is made with its token, never invited
        raise DomainError(_("API 令牌的服务账号角色只能随令牌创建，不能邀请。"), field="role")
    check_may_grant(actor, role, region=region, unit=unit, organisation=organisation)
    if email.strip():
        try:
            validate_email(email.strip())
        except ValidationError as exc:
            raise DomainError(_("电子邮箱格式不正确。"), field="email") from exc
    if username:
        username = check_username_free(username)
    token = secrets.token_urlsafe(32)
    target = new_membership(role, region=region, unit=unit, organisation=organisation)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            token_hash=_digest(token), username=username, email=email.strip(),
            display_name=display_name.strip(),
            role=role, region_id=target.region_id, unit=unit,
            organisation=target.organisation,
            partner_organisation=target.partner_organisation,
            region_code=_target_region(role, region, unit, organisation),
            created_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.HEXIE_INVITATION_DAYS),
        )
        after = {k: v for k, v in audit.snapshot(invitation).items() if k != "token_hash"}
        audit.record(actor, "accounts.invite", invitation, after=after | {"reason": reason},
                     region_code=invitation.region_code)
    return invitation, invitation_link(token, base_url)


def find_invitation(token: str) -> Invitation:
    """The usable invitation for ``token``; otherwise ``InvitationUnusable`` with a Chinese
    message. Exactly at ``expires_at`` the link has expired."""
    invitation = (Invitation.objects.select_related("created_by", "region", "unit",
                                                    "organisation", "partner_organisation")
                  .filter(token_hash=_digest(token or "")).first())
    if invitation is None:
        raise InvitationUnusable(_("邀请链接无效，请向邀请人索取新的链接。"), code="unknown")
    if invitation.accepted_at is not None:
        raise InvitationUnusable(_("该邀请链接已被使用过，每个链接只能使用一次。"), code="used")
    if invitation.revoked_at is not None:
        raise InvitationUnusable(_("该邀请已被撤回，请向邀请人索取新的链接。"), code="revoked")
    if timezone.now() >= invitation.expires_at:
        raise InvitationUnusable(_("该邀请链接已过期，请向邀请人索取新的链接。"), code="expired")
    if invitation.created_by is not None and not invitation.created_by.is_active:
        raise InvitationUnusable(_("邀请人的账号已停用，该邀请不再有效。"), code="revoked")
    return invitation


def accept_invitation(token: str, username: str, password: str):
    """Create the person and their membership from an invitation; returns the new user.
    An invitation that names a username gives exactly that one."""
    with transaction.atomic():
        invitation = find_invitation(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise InvitationUnusable(_("该邀请链接已被使用过，每个链接只能使用一次。"),
                                     code="used")
        person = create_account(
            None, invitation.username or username, password, invitation.role,
            region=invitation.region_id, unit=invitation.unit,
            organisation=invitation.organisation or invitation.partner_organisation,
            email=invitation.email,
            display_name=invitation.display_name, reason=f"invitation {invitation.pk}")
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = person
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(person, "accounts.accept_invitation", invitation,
                     after={"accepted_by_id": person.pk, "username": person.username},
                     region_code=invitation.region_code)
    return person


def revoke_invitation(actor, invitation: Invitation) -> Invitation:
    """Withdraw an unused invitation: the inviter, or anyone who may grant inside its scope."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        if actor.pk != invitation.created_by_id:
            scope = scope_for(actor, ACCOUNTS_GRANT)
            if not scope.covers(invitation.unit_id, invitation.region_code):
                raise OutOfScope()
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            raise DomainError(_("该邀请已被使用或已撤回。"), code="gone")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(actor, "accounts.revoke_invitation", locked,
                     after={"revoked_at": locked.revoked_at}, region_code=locked.region_code)
    return locked


def invite_unit_admins(actor, targets, *, reason: str, summary: dict | None = None,
                       base_url: str | None = None) -> list[tuple[Invitation, str]]:
    """Many unit_admin invitations at once (an import's units): ``targets`` are
    ``(unit, display_name, email)`` with e-mails already validated by the caller. Returns
    ``[(invitation, link)]`` in the targets' order; the links hold the only copies of the tokens.

    The grant rules are checked in full for the first unit and, since role and actor are the
    same for all, only the scope for the others (one in-memory check each). The rows are
    written with one ``bulk_create`` and audited as ONE event naming the count and
    ``summary`` (the import job): one event per row would take the audit chain's lock ten
    thousand times for what is one decision of one person. Runs inside the caller's
    transaction (or its own)."""
    targets = list(targets)
    if not targets:
        return []
    if actor is None and not reason.strip():
        raise ValueError("a system invitation names its reason")
    check_may_grant(actor, Role.UNIT_ADMIN, unit=targets[0][0])
    if actor is not None and not (actor.is_active and actor.is_superuser):
        scope = scope_for(actor, ACCOUNTS_GRANT)
        if any(not scope.covers(unit.pk, unit.region_id) for unit, _n, _e in targets):
            raise OutOfScope()
    expires = timezone.now() + timedelta(days=settings.HEXIE_INVITATION_DAYS)
    tokens = [secrets.token_urlsafe(32) for _ in targets]
    rows = [
        Invitation(token_hash=_digest(token), email=(email or "").strip(),
                   display_name=(name or "").strip(), role=Role.UNIT_ADMIN, unit_id=unit.pk,
                   region_code=unit.region_id, created_by=actor, expires_at=expires)
        for token, (unit, name, email) in zip(tokens, targets, strict=True)
    ]
    regions = sorted({unit.region_id for unit, _n, _e in targets})
    prefix = regions[0]
    for code in regions[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    with transaction.atomic():
        created = Invitation.objects.bulk_create(rows, batch_size=2000)
        audit.record(actor, "accounts.invite_bulk", None, object_type="accounts.invitation",
                     object_id="", object_repr=_("批量邀请 %(n)d 个单位经办人") % {"n": len(rows)},
                     region_code=prefix,
                     after={"role": Role.UNIT_ADMIN, "count": len(rows), "reason": reason,
                            "expires_at": expires, "first_id": created[0].pk,
                            "last_id": created[-1].pk, **(summary or {})})
    # One reverse() for the batch: the links differ only in the token.
    marker = "INVITATION-TOKEN"
    template = invitation_link(marker, base_url)
    return [(inv, template.replace(marker, token))
            for inv, token in zip(created, tokens, strict=True)]
