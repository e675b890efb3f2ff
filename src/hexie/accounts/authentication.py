"""``Authorization: Bearer <key>`` for the API (issue 10 §5), and the per-token rate limit.

A known, unrevoked, unexpired key authenticates as the token's service user, with the token as
``request.auth``; anything else after ``Bearer`` is a 401 in the API's error shape. Requests
without a bearer header fall through to the session (the pages' sign-in).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from . import access_log
from .models import ApiToken
from .tokens import hash_key

KEYWORD = b"bearer"
# last_used_at is written at most this often a token, so a busy client costs no write a call.
LAST_USED_EVERY = timedelta(minutes=1)


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Authorization 头格式应为“Bearer <令牌>”。"), code="invalid_token")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        token = (ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
                 if key else None)
        if token is None:
            raise exceptions.AuthenticationFailed(_("API 令牌无效。"), code="invalid_token")
        # A known token is logged whatever the answer (accounts.access_log), refusals too.
        access_log.mark(request, token)
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("API 令牌已被撤销。"), code="token_revoked")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("API 令牌已过期。"), code="token_expired")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("API 令牌无效。"), code="invalid_token")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        # Being first in DEFAULT_AUTHENTICATION_CLASSES, this makes a refusal a 401, not a 403.
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI document (component ``securitySchemes.apiToken``)."""

    target_class = BearerTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "外部系统的 API 令牌（hx_…），由三方办通过 hexie tokens "
                               "create 创建；每个令牌限定区划与写权限，并按令牌限速。"}


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``HEXIE_API_TOKEN_RATE`` calls per token (e.g. "600/min"); sessions unthrottled."""

    scope = "api_token"

    def get_rate(self):
        return settings.HEXIE_API_TOKEN_RATE

    def allow_request(self, request, view):
        # The rate is read per request so a changed setting applies without a restart.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.key_hash}
