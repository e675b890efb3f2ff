"""Two-factor sign-in with TOTP (django-otp) and single-use recovery codes (issue 10 §4).

HEXIE_REQUIRE_2FA makes it compulsory for office, assessor and partner roles and for operators;
unit admins and coordinators may enrol themselves, and once they have a device they are asked
for a code too. With the setting off (the demo) there is no second step for anyone; enrolled
devices are kept and count again when it is turned back on. Every change and every refused
code is audited."""

import secrets
import textwrap
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hexie.core import audit

from .models import SignIn
from .roles import OFFICE_ROLES, Role
from .signins import record_sign_in

REQUIRED_ROLES = frozenset(OFFICE_ROLES | {Role.ASSESSOR, Role.PARTNER})
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "default"


def requires_2fa(user) -> bool:
    """Whether this person must have a second factor before using Hexie."""
    if not settings.HEXIE_REQUIRE_2FA or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.memberships.filter(role__in=REQUIRED_ROLES).exists()


def totp_device(user, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def enabled() -> bool:
    return settings.HEXIE_REQUIRE_2FA


def has_2fa(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_verified(request) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


# --- enrolment ------------------------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The person's unconfirmed TOTP device, created on first need (its secret is what the
    enrolment page shows until a code confirms it)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        with transaction.atomic():
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
            audit.record(user, "accounts.2fa_enrol_started", device, object_repr=str(user))
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (no external service sees the secret)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an authenticator app."""
    return " ".join(textwrap.wrap(b32encode(device.bin_key).decode().rstrip("="), 4))


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    codes: list[str] | None = None


def confirm_enrolment(request, code: str) -> Outcome:
    """Check a first code against the pending device; on success confirm it, mark this session
    verified, and return fresh recovery codes (shown once)."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(
            user=user, confirmed=False).order_by("pk").first()
        if device is None:
            return Outcome(False, _("没有待确认的验证器，请刷新页面重新开始。"))
        code = normalise(code)
        if not (code.isdigit() and len(code) == device.digits):
            return Outcome(False, _("验证码：请输入验证器应用显示的 6 位数字。"))
        if not device.verify_token(code):
            audit.record(user, "accounts.2fa_enrol_failed", device,
                         object_repr=str(user))
            return Outcome(False, _("验证码不正确或已过期，请输入验证器应用当前显示的 6 位数字。"))
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record_sign_in(request, user=user, success=True, method=SignIn.Method.TOTP)
        audit.record(user, "accounts.2fa_enrolled", device, object_repr=str(user),
                     after={"device": device.name, "recovery_codes": len(codes)})
    otp_login(request, device)
    return Outcome(True, codes=codes)


def regenerate_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with ten new ones; the old ones stop working."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(user, "accounts.2fa_recovery_regenerated", user,
                     after={"recovery_codes": len(codes)})
    return codes


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    # 80 random bits each (django-otp's own random_token has 40), 16 base32 characters.
    codes = [b32encode(secrets.token_bytes(10)).decode().lower()
             for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return ["-".join(textwrap.wrap(c, 4)) for c in codes]  # shown as abcd-efgh-ijkl-mnop


# --- the second step of signing in ------------------------------------------------------------


def normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def verify(request, code: str) -> Outcome:
    """The second step: a 6-digit TOTP code or a recovery code. Wrong codes slow the next try
    (django-otp throttling: OTP_TOTP_THROTTLE_FACTOR × 2^(n-1) s); each attempt is written to
    the sign-in history and refusals to the audit log."""
    user = request.user
    code = normalise(code)
    is_totp = code.isdigit() and len(code) == 6
    model = TOTPDevice if is_totp else StaticDevice
    method = SignIn.Method.TOTP if is_totp else SignIn.Method.RECOVERY
    with transaction.atomic():
        device = model.objects.select_for_update().filter(
            user=user, confirmed=True).order_by("pk").first()
        if device is None or not code:
            reason, ok = SignIn.Failure.BAD_CODE, False
        else:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                reason, ok = SignIn.Failure.THROTTLED, False
            else:
                ok = device.verify_token(code)
                reason = "" if ok else SignIn.Failure.BAD_CODE
        record_sign_in(request, user=user, success=ok, method=method, failure_reason=reason)
        if not ok:
            audit.record(user, "accounts.2fa_failed", user,
                         after={"method": method, "reason": reason})
    if ok:
        otp_login(request, device)
        return Outcome(True)
    if reason == SignIn.Failure.THROTTLED:
        wait = max(1, int((info["locked_until"] - timezone.now()).total_seconds()) + 1)
        return Outcome(False, _("验证码错误次数过多，请 %(s)d 秒后再试。") % {"s": wait})
    return Outcome(False, _("验证码不正确，请重新输入验证器当前显示的 6 位数字或一个恢复码。"))
