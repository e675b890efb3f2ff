"""Sign-in history (issue 10 §4): every attempt, from the auth signals and the two-factor step.

Rows are append-only (migration 0005). A person reads their own on 账号安全; their office reads
them on the person's page through :func:`recent_sign_ins` and ``accounts/_sign_ins.html``."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from hexie.core import audit
from hexie.core.middleware import client_ip

from .models import SignIn, User

USER_AGENT_MAX = SignIn._meta.get_field("user_agent").max_length


def record_sign_in(request, *, user=None, username: str = "", success: bool,
                   method: str = SignIn.Method.PASSWORD, failure_reason: str = "") -> SignIn:
    meta = getattr(request, "META", {}) if request is not None else {}
    ip = audit.canonical_ip(client_ip(request)) if request is not None else None
    return SignIn.objects.create(
        user=user, username=(username or (user.get_username() if user else ""))[:150],
        ip=ip, user_agent=meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        success=success, method=method, failure_reason=failure_reason)


def recent_sign_ins(person, limit: int = 20):
    """The person's latest sign-in attempts, newest first."""
    return list(SignIn.objects.filter(user=person).order_by("-at", "-id")[:limit])


@receiver(user_logged_in, dispatch_uid="hexie_sign_in_succeeded")
def _signed_in(sender, request, user, **kwargs):
    from .middleware import mark_signed_in

    if getattr(request, "session", None) is not None:
        mark_signed_in(request.session)
    record_sign_in(request, user=user, success=True)


@receiver(user_login_failed, dispatch_uid="hexie_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    locked = bool(getattr(request, "axes_locked_out", False))
    record_sign_in(
        request, user=User.objects.filter(username=username).first(), username=username,
        success=False,
        failure_reason=SignIn.Failure.LOCKED_OUT if locked else SignIn.Failure.BAD_PASSWORD)


def _locked_out(sender, request, username, ip_address, **kwargs):
    """django-axes locked a username + address out: the audit log says so."""
    person = User.objects.filter(username=username).first()
    with transaction.atomic():
        audit.record(None, "accounts.sign_in_locked", person,
                     object_type="accounts.user", object_id=person.pk if person else "",
                     object_repr=str(person or username),
                     after={"username": username, "ip": ip_address})


def connect():
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="hexie_sign_in_locked")
