"""One way to refuse (issue 9): an actor who may see the object but not do this gets 403 with
the rule's Chinese message; an actor for whom the object is outside their scope gets 404, so a
refusal never tells them that it exists.

Services call :func:`refuse` / :func:`refuse_unless` (they raise ``NotPermitted`` or
``OutOfScope``); views turn a ``NotPermitted`` into Django's 403 with :func:`forbid`.
"""

from typing import NoReturn

from django.core.exceptions import PermissionDenied

from .errors import NotPermitted, OutOfScope
from .scoping import scope_for


def refuse(actor, permission: str, message, *, unit=None, unit_id: int | None = None,
           region_code: str | None = None, field: str | None = None) -> NoReturn:
    """403 with ``message`` when the object (``unit``, or ``unit_id`` / ``region_code``) is
    inside ``actor``'s scope for ``permission`` (what lets them see it); else 404."""
    if unit is not None:
        unit_id, region_code = unit.pk, unit.region_id
    if scope_for(actor, permission).covers(unit_id, region_code or ""):
        raise NotPermitted(message, field)
    raise OutOfScope()


def refuse_unless(allowed: bool, actor, permission: str, message, **where) -> None:
    """Nothing when ``allowed``; otherwise :func:`refuse` (403 inside, 404 outside)."""
    if not allowed:
        refuse(actor, permission, message, **where)


def forbid(exc: NotPermitted) -> NoReturn:
    """A view's answer to a service's ``NotPermitted``: 403 with the same message."""
    raise PermissionDenied(str(exc.message)) from exc
