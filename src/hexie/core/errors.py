"""Errors a user can meet. Services raise them; pages show the Chinese message, the API answers
them in its one error shape (hexie.core.api.refusal_body)."""

from django.http import Http404


class DomainError(Exception):
    """A rule refused the change. ``field`` names the input that was wrong, when there is one."""

    def __init__(self, message, field: str | None = None, code: str = "invalid",
                 errors: list[dict] | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code
        self.errors = errors or []


class NotPermitted(DomainError):
    """Inside the user's scope, but the user's role may not do this."""

    def __init__(self, message, field=None):
        super().__init__(message, field, code="permission_denied")


class OutOfScope(Http404):
    """The object is outside the user's region scope: answered as 404, never as 403."""
