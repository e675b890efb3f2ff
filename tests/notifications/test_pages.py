"""The messages page, the nav badge and /api/v1/notifications/: a user's own messages only;
another user's is a 404 on every channel."""

import pytest
from rest_framework.test import APIClient

from hexie.notifications.models import Notification
from hexie.notifications.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _message(user, title="消息", url=""):
    return Notification.objects.create(recipient=user, kind="test.kind", title=title, url=url)


def test_page_lists_own_messages_unread_first(client, alice, bob):
    old = _message(alice, "已读的旧消息")
    _message(alice, "未读的新消息")
    _message(bob, "别人的消息")
    client.force_login(alice)
    client.post(f"/notifications/{old.pk}/read/")
    page = client.get("/notifications/").content.decode()
    assert "别人的消息" not in page
    assert page.index("未读的新消息") < page.index("已读的旧消息")
    assert "1 条未读" in page


def test_page_is_paginated(client, alice):
    for i in range(PAGE_SIZE + 1):
        _message(alice, f"第{i}条")
    client.force_login(alice)
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()
    assert first.count('data-testid="notification"') == PAGE_SIZE
    assert second.count('data-testid="notification"') == 1
    assert "第0条" in second  # the oldest comes last


def test_nav_badge_counts_unread(client, alice):
    client.force_login(alice)
    assert 'data-testid="unread-badge"' not in client.get("/").content.decode()
    _message(alice)
    _message(alice)
    home = client.get("/").content.decode()
    assert 'data-testid="unread-badge">2<' in home


def test_mark_one_read_and_open_its_link(client, alice):
    note = _message(alice, url="/campaigns/pledge/")
    client.force_login(alice)
    response = client.post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/campaigns/pledge/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_outside_link_is_not_followed(client, alice):
    note = _message(alice, url="https://evil.example/")
    client.force_login(alice)
    response = client.post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert response["Location"] == "/notifications/"


def test_mark_all_read_from_the_page(client, alice):
    _message(alice)
    _message(alice)
    client.force_login(alice)
    response = client.post("/notifications/read-all/", follow=True)
    assert "已将 2 条消息标为已读" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_users_message_is_404_on_the_page(client, alice, bob):
    note = _message(alice)
    client.force_login(bob)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    assert client.get(f"/notifications/{note.pk}/read/").status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_anonymous_is_sent_to_sign_in(client, alice):
    note = _message(alice)
    assert client.get("/notifications/").status_code == 302
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 302
    assert client.post("/notifications/read-all/").status_code == 302


def _api(user=None):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def test_api_lists_and_reads_own_messages_only(alice, bob):
    mine = _message(alice, "我的消息")
    theirs = _message(bob, "别人的消息")
    api = _api(alice)
    listed = api.get("/api/v1/notifications/").json()
    assert [n["title"] for n in listed["results"]] == ["我的消息"]
    assert api.get(f"/api/v1/notifications/{mine.pk}/").status_code == 200
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    read = api.post(f"/api/v1/notifications/{mine.pk}/read/").json()
    assert read["read_at"] is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_read_all(alice, bob):
    _message(alice)
    _message(bob)
    assert _api(alice).post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_api_refuses_anonymous(alice):
    _message(alice)
    assert _api().get("/api/v1/notifications/").status_code in (401, 403)
