"""The gate every signed-in session request passes (issue 10 §4), in this order:

1. idle sign-out: no request for HEXIE_SESSION_IDLE_MINUTES ends the session;
2. the two-factor step: a person who has a device, or must have one, goes to the code page or
   the enrolment page until this session is verified;
3. an expired password: straight to the change-password page.

Pages are redirected; session API calls get a 403 in the one refusal shape of hexie.core.api.
Token API calls (``Authorization: Bearer``) are not sessions and pass untouched."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import twofactor
from .authentication import KEYWORD
from .passwords import password_expired

LAST_SEEN_KEY = "hexie_last_seen"
# Last activity is rewritten at most this often, so a busy page does not save the session on
# every request; the idle limit is therefore measured to within this many seconds.
LAST_SEEN_GRANULARITY = 60
# Set once a session is known to need no second step (no device, no role that requires one).
NO_2FA_KEY = "hexie_2fa_free"


def mark_signed_in(session):
    """Called at sign-in (accounts.signins): the idle clock starts now."""
    session[LAST_SEEN_KEY] = int(time.time())
    session.pop(NO_2FA_KEY, None)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _token_call(request) -> bool:
    """A Bearer call is answered by the token or refused (accounts.authentication), never by
    the session, so the session's state does not matter. Any other Authorization header
    (Basic …) leaves DRF falling back to the session: that call is gated like the others."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    return bool(parts) and parts[0].lower().encode() == KEYWORD


def _api_refusal(detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=403,
                        json_dumps_params={"ensure_ascii": False})


class SignInGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _token_call(request):
            return self.get_response(request)
        if self._idle_too_long(request):
            logout(request)
            messages.info(request, _(
                "您已超过 %(n)d 分钟未操作，为保护账号已自动退出，请重新登录。"
            ) % {"n": settings.HEXIE_SESSION_IDLE_MINUTES})
            return self.get_response(request)
        now = int(time.time())
        if now - request.session.get(LAST_SEEN_KEY, 0) >= LAST_SEEN_GRANULARITY:
            request.session[LAST_SEEN_KEY] = now
        answer = self._two_factor(request) or self._password(request)
        return answer or self.get_response(request)

    @staticmethod
    def _idle_too_long(request) -> bool:
        minutes = settings.HEXIE_SESSION_IDLE_MINUTES
        last_seen = request.session.get(LAST_SEEN_KEY)
        return bool(minutes and last_seen is not None
                    and time.time() - last_seen >= minutes * 60)

    @staticmethod
    def _exempt(request, *names) -> bool:
        paths = [reverse(name) for name in ("logout", *names)]
        return request.path in paths or request.path.startswith(settings.STATIC_URL)

    def _two_factor(self, request):
        if (not settings.HEXIE_REQUIRE_2FA or request.session.get(NO_2FA_KEY)
                or twofactor.is_verified(request)):
            return None
        has_device = twofactor.has_2fa(request.user)
        if not has_device and not twofactor.requires_2fa(request.user):
            request.session[NO_2FA_KEY] = True
            return None
        if self._exempt(request, "security-2fa-verify", "security-2fa-enrol"):
            return None
        if _is_api(request):
            return _api_refusal(_("请先在页面上完成双因素认证（输入动态验证码）后再调用接口。"),
                           "otp_required")
        target = "security-2fa-verify" if has_device else "security-2fa-enrol"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

    def _password(self, request):
        if not password_expired(request.user):
            return None
        if self._exempt(request, "security-password", "security-2fa-enrol"):
            return None
        if _is_api(request):
            return _api_refusal(_("密码已过期，请先在页面上修改密码后再调用接口。"),
                                "password_expired")
        messages.warning(request, _("您的密码已超过 %(n)d 天未修改，请先设置新密码。")
                         % {"n": settings.HEXIE_PASSWORD_MAX_AGE_DAYS})
        return redirect(reverse("security-password"))
