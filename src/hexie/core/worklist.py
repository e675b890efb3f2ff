"""The workbench's to-dos (待办), gathered from every app.

Each app registers a provider, ``fn(user) -> list[Todo]``, from its ``AppConfig.ready``; the
home page shows what all providers return for the signed-in user, soonest due first. A provider
asks only through the scope choke point and returns counts (one query each), never rows per unit.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

PROVIDERS: list[Callable] = []


@dataclass(frozen=True)
class Todo:
    key: str  # stable, e.g. "recognition.reviews_assigned"
    title: str  # Chinese, what to do: "待评审的认定申请"
    count: int
    url: str  # the page where it is done
    due: datetime.date | None = None  # the nearest due date among the counted items
    overdue: bool = False


def register(provider: Callable) -> Callable:
    """Register a to-do provider (usable as a decorator); registering twice is a no-op."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def todos_for(user) -> list[Todo]:
    """Every open to-do of ``user`` (count > 0), overdue first, then by due date."""
    todos = [t for provider in PROVIDERS for t in provider(user) if t.count > 0]
    far = datetime.date.max
    return sorted(todos, key=lambda t: (not t.overdue, t.due or far, t.key))
