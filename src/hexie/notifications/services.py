"""Telling the people concerned: one call from every service after a transition.

``notify`` is called inside the service's transaction; the e-mails go out after commit, so a
rolled-back step sends nothing.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


def notify(recipients: Iterable, kind: str, title: str, body: str = "", url: str = "") -> int:
    """Write one in-app message per distinct active recipient and queue their e-mails."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return 0
    made = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, kind=kind, title=title[:200], body=body, url=url[:300])
         for pk in sorted(users)]
    )
    mails = [(u.pk, u.email) for u in users.values() if u.email]
    if mails:
        def send():
            messages = [(f"[和谐劳动] {title}", f"{body}\n\n{url}".strip(),
                         settings.DEFAULT_FROM_EMAIL, [address]) for _, address in mails]
            send_mass_mail(messages, fail_silently=True)
            Notification.objects.filter(
                pk__in=[n.pk for n in made], recipient_id__in=[pk for pk, _ in mails]
            ).update(emailed_at=timezone.now())

        transaction.on_commit(send)
    return len(made)
