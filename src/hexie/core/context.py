"""The request facts a service needs but should not take as arguments (the client's IP)."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("hexie_current_ip", default=None)
