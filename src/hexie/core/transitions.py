"""Explicit state transitions (django-fsm-2) with refusals a user can read.

Models declare their transitions with ``django_fsm.transition``; services check the seed rule
first (raising :class:`DomainError` that names it), then call :func:`advance`, which refuses a
transition the current state does not allow with a Chinese message instead of
``TransitionNotAllowed``.
"""

from django_fsm import can_proceed

from .errors import DomainError


def advance(obj, transition_name: str, action: str, *, rule: str = "", **kwargs):
    """Run ``obj.<transition_name>(**kwargs)`` if the current state allows it.

    ``action`` is the Chinese verb phrase shown when it does not ("提交认定申请").
    The caller saves ``obj`` inside its transaction.
    """
    method = getattr(obj, transition_name)
    if not can_proceed(method):
        label = obj.get_state_display() if hasattr(obj, "get_state_display") else obj.state
        basis = f"依据：{rule}。" if rule else ""
        raise DomainError(f"当前状态为“{label}”，不能{action}。{basis}", field="state",
                          code="illegal_transition")
    return method(**kwargs)
