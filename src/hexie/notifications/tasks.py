"""The daily reminder job (Celery beat, settings.CELERY_BEAT_SCHEDULE); runs inline without a
broker."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import reminders


@shared_task
def send_reminders(on: str | None = None) -> dict:
    """Send the reminders due today (or on ``on``, an ISO date); idempotent."""
    today = datetime.date.fromisoformat(on) if on else timezone.localdate()
    result = reminders.send_due(today)
    return {"date": today.isoformat(), "sent": result.sent, "messages": result.messages,
            "skipped": result.skipped}
