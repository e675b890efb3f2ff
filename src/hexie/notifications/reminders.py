"""Deadline reminders: every app registers a provider of its coming deadlines; the daily job
(``hexie reminders``, also a Celery beat task) sends each one once per lead day of the
reminder policy (``notifications/data/policy/``).

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


def lead_days(on: datetime.date | None = None) -> tuple[int, ...]:
    """The days before a deadline on which a reminder goes out (the reminder policy in force
    on ``on``, default today: ``reminders.lead_days``)."""
    from . import policy

    return tuple(sorted(set(policy.current(on).reminder_lead_days), reverse=True))


@dataclass(frozen=True)
class RunResult:
    sent: int  # reminders sent in this run (one per deadline and lead day)
    messages: int  # in-app messages written for them
    skipped: int  # due on a lead day but already sent by an earlier run


def sent_key(deadline_key: str, lead: int) -> str:
    """``<deadline key>:<lead>d``; a key too long for the column is replaced by its hash, so
    the lead day is never cut off."""
    import hashlib

    key = f"{deadline_key}:{lead}d"
    if len(key) <= 120:
        return key
    return f"sha1:{hashlib.sha1(deadline_key.encode()).hexdigest()}:{lead}d"


def send_due(today: datetime.date) -> RunResult:
    """Ask every provider for its deadlines and send each one whose ``due_on − today`` is a
    lead day, once: the ReminderSent key ``<deadline key>:<lead>d`` is written in the same
    transaction as the messages, so a second run (or a concurrent one) sends nothing again.
    A deadline already past is never reminded."""
    from django.db import IntegrityError, transaction

    from .models import ReminderSent
    from .services import notify

    leads = set(lead_days(today))
    sent = messages = skipped = 0
    for provider in list(PROVIDERS):
        for deadline in provider(today):
            lead = (deadline.due_on - today).days
            if lead not in leads:
                continue
            key = sent_key(deadline.key, lead)
            if ReminderSent.objects.filter(key=key).exists():
                skipped += 1
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(key=key)
                    messages += notify(deadline.recipients, "reminder", deadline.title,
                                       deadline.body, deadline.url)
            except IntegrityError:  # a concurrent run sent it first
                skipped += 1
                continue
            sent += 1
    return RunResult(sent, messages, skipped)
