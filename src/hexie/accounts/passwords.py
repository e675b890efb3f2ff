"""The password policy of GB/T 22239-2019 (等保 2.0) level 2: length, character classes, no
reuse of the last N, and expiry. Thresholds are settings (HEXIE_PASSWORD_*)."""

import datetime
import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CLASSES_REQUIRED = 3  # of upper case, lower case, digits, symbols


def character_classes(password: str) -> int:
    """How many of the four classes (A–Z, a–z, 0–9, anything else) the password uses."""
    return sum((
        any(c in string.ascii_uppercase for c in password),
        any(c in string.ascii_lowercase for c in password),
        any(c.isdigit() for c in password),
        any(not (c.isascii() and c.isalnum()) for c in password),
    ))


class ComplexityValidator:
    """At least HEXIE_PASSWORD_MIN_LENGTH characters from at least three of the four classes."""

    def __init__(self, min_length: int | None = None):
        self._min_length = min_length

    @property
    def min_length(self) -> int:
        return self._min_length or settings.HEXIE_PASSWORD_MIN_LENGTH

    def validate(self, password, user=None):
        problems = []
        if len(password) < self.min_length:
            problems.append(ValidationError(
                _("密码太短：至少需要 %(min)d 个字符，当前 %(n)d 个。"),
                code="password_too_short", params={"min": self.min_length, "n": len(password)}))
        if character_classes(password) < CLASSES_REQUIRED:
            problems.append(ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"),
                code="password_too_simple"))
        if problems:
            raise ValidationError(problems)

    def get_help_text(self):
        return _("密码至少 %(min)d 个字符，包含大写字母、小写字母、数字、符号中的至少三类。") % {
            "min": self.min_length}


class HistoryValidator:
    """The new password may not be any of the person's last HEXIE_PASSWORD_HISTORY passwords
    (the current one counts as the first). Every password set is kept as its hash."""

    def validate(self, password, user=None):
        count = settings.HEXIE_PASSWORD_HISTORY
        if not count or user is None or user.pk is None:
            return
        from .models import PasswordHistory

        hashes = PasswordHistory.objects.filter(user=user).values_list(
            "password", flat=True)[:count]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码，请换一个新密码。"),
                code="password_reused", params={"n": count})

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not user.has_usable_password():
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)

    def get_help_text(self):
        return _("不能与最近 %(n)d 次用过的密码相同。") % {"n": settings.HEXIE_PASSWORD_HISTORY}


def password_expires_at(user) -> datetime.datetime | None:
    """When the person's password expires; None when expiry is off or nothing can expire."""
    days = settings.HEXIE_PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password() or user.password_changed_at is None:
        return None
    return user.password_changed_at + datetime.timedelta(days=days)


def password_expired(user, now: datetime.datetime | None = None) -> bool:
    """True from exactly HEXIE_PASSWORD_MAX_AGE_DAYS after the password was set."""
    expires = password_expires_at(user)
    return expires is not None and (now or timezone.now()) >= expires
