"""账号安全: the sign-in page, the two-factor step and enrolment, recovery codes, changing one's
own password and one's sign-in history (issue 10 §4). The rules live in twofactor.py,
passwords.py and signins.py; these views only ask and show."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from hexie.core import audit

from . import twofactor
from .passwords import password_expires_at
from .signins import recent_sign_ins


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


class SignInView(auth_views.LoginView):
    """Django's sign-in, saying plainly when this installation runs without a second factor."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs),
                "two_factor_off": not twofactor.enabled()}


@login_required
@never_cache
def security(request):
    user = request.user
    return render(request, "accounts/security.html", {
        "two_factor_on": twofactor.enabled(),
        "has_2fa": twofactor.has_2fa(user),
        "requires_2fa": twofactor.requires_2fa(user),
        "recovery_left": twofactor.recovery_codes_left(user),
        "password_expires_at": password_expires_at(user),
        "sign_ins": recent_sign_ins(user),
    })


@login_required
@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    if twofactor.is_verified(request) or not twofactor.has_2fa(request.user):
        return redirect(_next(request))
    error = ""
    if request.method == "POST":
        outcome = twofactor.verify(request, request.POST.get("code", ""))
        if outcome.ok:
            return redirect(_next(request))
        error = outcome.message
    return render(request, "registration/verify_2fa.html",
                  {"error": error, "next": _next(request)}, status=400 if error else 200)


@login_required
@never_cache
@sensitive_post_parameters("code")
def enrol(request):
    """Set up the authenticator app: QR code and secret, then one code to confirm; the ten
    recovery codes are shown once, in the answer to that confirmation."""
    if not twofactor.enabled():
        messages.info(request, _("本环境未启用双因素认证。"))
        return redirect("security")
    if twofactor.has_2fa(request.user):
        if not twofactor.is_verified(request):
            return redirect(f"{reverse('security-2fa-verify')}?next={_next(request)}")
        messages.info(request, _("您已启用双因素认证。"))
        return redirect("security")
    device = twofactor.pending_device(request.user)
    error = ""
    if request.method == "POST":
        outcome = twofactor.confirm_enrolment(request, request.POST.get("code", ""))
        if outcome.ok:
            return render(request, "accounts/recovery_codes.html",
                          {"codes": outcome.codes, "next": _next(request), "enrolled": True})
        error = outcome.message
    return render(request, "accounts/enrol_2fa.html", {
        "qr_svg": twofactor.qr_svg(device), "secret": twofactor.secret_text(device),
        "required": twofactor.requires_2fa(request.user), "error": error,
        "next": _next(request),
    }, status=400 if error else 200)


@login_required
@never_cache
@require_POST
def regenerate_recovery_codes(request):
    if not twofactor.has_2fa(request.user) or not twofactor.is_verified(request):
        messages.error(request, _("请先启用并验证双因素认证，再生成恢复码。"))
        return redirect("security")
    codes = twofactor.regenerate_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html",
                  {"codes": codes, "next": reverse("security"), "enrolled": False})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change-password form; the change is audited in the same transaction."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("security")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(self.request.user, "accounts.password_changed", self.request.user,
                         after={"password_changed_at": self.request.user.password_changed_at})
        messages.success(self.request, _("密码已修改。"))
        return response
