"""API tokens for other government systems (issue 10 §5): created and revoked only here.

A token is a named key bound to one region inside its creator's scope, read-only or with listed
write permissions, with an expiry. The key (``hx_`` + 32 random bytes) is returned once and
only its SHA-256 is stored. Each token acts through its own service user (username
``token:<name>``, no usable password) holding an ``api_client`` membership on the region; the
permission provider registered in ``AccountsConfig.ready`` gives that membership the view
permissions of the region's level plus the token's writes, so ``scope_for`` and every service
treat a token like a person, and the audit log names the token on every write it makes.

Who may manage tokens: the system (``actor=None``, a command on the server), a superuser, or a
holder of ``accounts.grant`` (a token delegates access, as granting a role does) for a region
inside that scope; listed writes must be permissions the actor holds on that region.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.scoping import scope_for
from hexie.regions import codes
from hexie.regions.models import Division

from . import roles
from .models import ApiToken, User
from .roles import ACCOUNTS_GRANT, READ_PERMISSIONS, ROLE_SPECS, Role
from .services import grant_membership

KEY_PREFIX = "hx_"
USERNAME_PREFIX = "token:"
# Every permission string accounts.roles defines.
ALL_PERMISSIONS = frozenset(
    value for name, value in vars(roles).items()
    if name.isupper() and isinstance(value, str) and "." in value
)
# What a token may list as a write: never a read, never granting roles.
WRITABLE_PERMISSIONS = ALL_PERMISSIONS - READ_PERMISSIONS - {ACCOUNTS_GRANT}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def max_days() -> int:
    return settings.HEXIE_API_TOKEN_MAX_DAYS


def token_permissions(token: ApiToken) -> frozenset[str]:
    """What ``token`` may do on its region: the reads an office of the region's level holds
    there, and its listed writes."""
    level = codes.level_of(token.region_id)
    office = next((spec for spec in ROLE_SPECS.values()
                   if spec.region_level == level and ACCOUNTS_GRANT in spec.permissions), None)
    reads = READ_PERMISSIONS & office.permissions if office else frozenset()
    return reads | frozenset(token.write_permissions)


def membership_permissions(user, membership) -> frozenset[str]:
    """The permission provider of the ``api_client`` role (core.scoping)."""
    token = getattr(user, "api_token", None)
    if token is None or token.revoked_at is not None or token.expires_at <= timezone.now():
        return frozenset()
    return token_permissions(token)


def _check_scope(actor, region_code: str) -> None:
    """404 when ``region_code`` is outside what ``actor`` manages; 403 when they manage none."""
    if actor is None or (actor.is_active and actor.is_superuser):
        return
    scope = scope_for(actor, ACCOUNTS_GRANT)
    if scope.is_empty:
        raise NotPermitted(_("您没有管理 API 令牌的权限。"))
    if not scope.covers_region(region_code):
        raise OutOfScope()


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写令牌名称（调用方系统的名称）。"), field="name", code="required")
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise DomainError(_("令牌名称不能超过 100 个字符。"), field="name")
    return name


def _duplicate(name: str) -> DomainError:
    return DomainError(_("已有名为“%(name)s”的令牌，请换一个名称。") % {"name": name},
                       field="name", code="duplicate")


def create_token(actor, name: str, region_code: str, write=(), days: int | None = None,
                 *, reason: str = "") -> tuple[ApiToken, str]:
    """A new token and its key. The key is never stored: show it to the caller once."""
    name = _clean_name(name)
    region_code = (region_code or "").strip()
    if not Division.objects.filter(pk=region_code).exists():
        raise DomainError(_("区划代码 %(code)s 不存在。") % {"code": region_code},
                          field="region", code="invalid")
    _check_scope(actor, region_code)
    write = sorted(set(write))
    unknown = [p for p in write if p not in WRITABLE_PERMISSIONS]
    if unknown:
        raise DomainError(_("不能授予令牌的权限：%(perms)s。") % {"perms": "、".join(unknown)},
                          field="write")
    if actor is not None and not (actor.is_active and actor.is_superuser):
        lacking = [p for p in write if not scope_for(actor, p).covers_region(region_code)]
        if lacking:
            raise NotPermitted(_("您在该区划没有这些权限，不能授予令牌：%(perms)s。")
                               % {"perms": "、".join(lacking)}, field="write")
    days = settings.HEXIE_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= max_days():
        raise DomainError(_("有效期应为 1 至 %(max)s 天。") % {"max": max_days()}, field="days")
    username = USERNAME_PREFIX + name
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        if (ApiToken.objects.filter(name=name).exists()
                or User.objects.filter(username=username).exists()):
            raise _duplicate(name)
        service_user = User(username=username, display_name=_("API 令牌：%(name)s") % {
            "name": name})
        service_user.set_unusable_password()
        try:
            with transaction.atomic():
                service_user.save()
                token = ApiToken.objects.create(
                    name=name, prefix=key[:8], key_hash=hash_key(key), user=service_user,
                    region_id=region_code, write_permissions=write,
                    expires_at=timezone.now() + timedelta(days=days), created_by=actor,
                )
        except IntegrityError as exc:  # a concurrent create with the same name
            raise _duplicate(name) from exc
        grant_membership(actor, service_user, Role.API_CLIENT, region=region_code,
                         reason=reason or _("API 令牌“%(name)s”") % {"name": name})
        audit.record(actor, "accounts.create_token", token, after=_snapshot(token)
                     | {"reason": reason}, region_code=region_code)
    return token, key


def revoke_token(actor, token: ApiToken, *, reason: str = "") -> ApiToken:
    """Revoke ``token`` at once: its key answers 401 from now on. The row stays (history)."""
    _check_scope(actor, token.region_id)
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise DomainError(_("该令牌已被撤销。"), code="gone")
        before = _snapshot(locked)
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        # The service user can no longer act anywhere, whatever else reaches it.
        User.objects.filter(pk=locked.user_id).update(is_active=False)
        audit.record(actor, "accounts.revoke_token", locked, before=before,
                     after=_snapshot(locked) | {"reason": reason},
                     region_code=locked.region_id)
    return locked


def tokens_for(actor):
    """The tokens ``actor`` manages (all of them for the system and superusers)."""
    if actor is None or (actor.is_active and actor.is_superuser):
        return ApiToken.objects.all()
    return ApiToken.objects.visible_to(actor, ACCOUNTS_GRANT)


def _snapshot(token: ApiToken) -> dict:
    """What the audit keeps: everything but the key's hash."""
    return {key: value for key, value in audit.snapshot(token).items() if key != "key_hash"}


def get_token(actor, pk) -> ApiToken:
    """One token ``actor`` manages; 404 (``OutOfScope``) for any other or unknown id."""
    try:
        return tokens_for(actor).select_related("region", "created_by", "revoked_by").get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def writable_by(actor) -> list[str]:
    """The write permissions ``actor`` may list on a token somewhere in their scope (the
    creation form offers these; ``create_token`` still checks the chosen region)."""
    if actor is None or (actor.is_active and actor.is_superuser):
        return sorted(WRITABLE_PERMISSIONS)
    return sorted(p for p in WRITABLE_PERMISSIONS if not scope_for(actor, p).is_empty)


def state_of(token: ApiToken, now=None) -> str:
    """"revoked", "expired" or "active"."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"
