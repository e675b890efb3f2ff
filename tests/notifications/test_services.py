"""notify(): one message per distinct active recipient, e-mailed after commit through Django's
e-mail backend (locmem in tests); a rolled-back step writes and sends nothing. Reading is the
recipient's own, audited, and nobody else's."""

import pytest
from django.db import transaction

from hexie.core.errors import OutOfScope
from hexie.core.models import AuditEvent
from hexie.notifications import services
from hexie.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_writes_one_message_per_distinct_active_user_and_mails_after_commit(
        alice, bob, mailoutbox, django_capture_on_commit_callbacks):
    inactive = UserFactory(email="gone@example.org", is_active=False)
    no_mail = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        made = services.notify([alice, bob, alice, None, inactive, no_mail], "test.kind",
                               "认定申请已受理", "请查看评审安排。", "/recognition/1/")
    assert made == 3
    assert mailoutbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    rows = Notification.objects.order_by("recipient_id")
    assert [n.recipient_id for n in rows] == sorted([alice.pk, bob.pk, no_mail.pk])
    assert {n.kind for n in rows} == {"test.kind"}
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org"]
    mail = mailoutbox[0]
    assert mail.subject == "[和谐劳动] 认定申请已受理"
    assert "请查看评审安排。" in mail.body and "/recognition/1/" in mail.body
    emailed = dict(rows.values_list("recipient_id", "emailed_at"))
    assert emailed[alice.pk] and emailed[bob.pk] and emailed[no_mail.pk] is None


def test_a_rolled_back_step_writes_nothing_and_sends_nothing(alice, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify([alice], "test.kind", "不会送达")
            raise RuntimeError("the step failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_nobody_to_tell_is_zero(alice):
    assert services.notify([], "test.kind", "空") == 0
    assert services.notify([None], "test.kind", "空") == 0
    assert Notification.objects.count() == 0


def _message(user, title="消息"):
    return Notification.objects.create(recipient=user, kind="test.kind", title=title)


def test_mark_read_once_and_audited(alice):
    note = _message(alice)
    read = services.mark_read(alice, note)
    assert read.read_at is not None
    event = AuditEvent.objects.get(action="notifications.read")
    assert event.object_id == str(note.pk) and event.actor_id == alice.pk
    assert event.before["read_at"] is None and event.after["read_at"]
    again = services.mark_read(alice, note)
    assert again.read_at == read.read_at
    assert AuditEvent.objects.filter(action="notifications.read").count() == 1


def test_another_users_message_is_out_of_scope_and_unchanged(alice, bob):
    note = _message(alice)
    with pytest.raises(OutOfScope):
        services.mark_read(bob, note)
    note.refresh_from_db()
    assert note.read_at is None
    assert not AuditEvent.objects.filter(action__startswith="notifications.").exists()


def test_mark_all_read_touches_only_the_actors_unread_messages(alice, bob):
    mine = [_message(alice, f"消息{i}") for i in range(3)]
    services.mark_read(alice, mine[0])
    theirs = _message(bob)
    assert services.mark_all_read(alice) == 2
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    event = AuditEvent.objects.get(action="notifications.read_all")
    assert event.after == {"ids": sorted(n.pk for n in mine[1:])}
    assert services.mark_all_read(alice) == 0
    assert AuditEvent.objects.filter(action="notifications.read_all").count() == 1
