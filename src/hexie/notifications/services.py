"""Telling the people concerned: one call from every service after a transition.

``notify`` is called inside the service's transaction; the e-mails go out after commit, so a
rolled-back step sends nothing.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from hexie.core import audit
from hexie.core.errors import OutOfScope

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


def _own(actor, notification: Notification) -> None:
    """A message is its recipient's alone: anyone else is answered 404."""
    if actor is None or not actor.is_authenticated or notification.recipient_id != actor.pk:
        raise OutOfScope()


def mark_read(actor, notification: Notification) -> Notification:
    """The recipient has read one message (the first reading only; later ones change
    nothing). Audited like the reading of an initiative letter."""
    _own(actor, notification)
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.read_at is None:
            before = audit.snapshot(locked)
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
            audit.record(actor, "notifications.read", locked, before=before,
                         after=audit.snapshot(locked))
    return locked


def mark_all_read(actor) -> int:
    """The recipient has read every unread message: one audit event with their ids."""
    if actor is None or not actor.is_authenticated:
        raise OutOfScope()
    with transaction.atomic():
        unread = Notification.objects.select_for_update().filter(recipient_id=actor.pk,
                                                                 read_at__isnull=True)
        ids = sorted(unread.values_list("pk", flat=True))
        if not ids:
            return 0
        Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
        audit.record(actor, "notifications.read_all", None,
                     object_type=Notification._meta.label_lower, object_id="",
                     object_repr=f"{len(ids)} 条消息", after={"ids": ids})
    return len(ids)
