"""Deadline reminders: every app registers a provider of its coming deadlines; the daily job
(``hexie reminders``, also a Celery beat task) sends each one once per lead day of the
recognition policy.

A provider is ``fn(today: date) -> Iterable[Deadline]`` returning the deadlines that fall due
within the largest lead time from ``today``; it reads with set-based queries.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

PROVIDERS: list[Callable] = []


@dataclass(frozen=True)
class Deadline:
    key: str  # stable per deadline, e.g. "review-due:42"
    due_on: datetime.date
    recipients: Iterable  # users
    title: str  # Chinese: "评审任务将于 2026-12-04 截止"
    body: str = ""
    url: str = ""


def register(provider: Callable) -> Callable:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider
