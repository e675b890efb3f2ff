"""Every call made with an API token is logged with the token (issue 10 §5): one row per
request in ApiAccessLog, refusals of a known token included, nothing for an unknown key; the
log is append-only, shown and filtered on the token's page, and archived to a file whose hash
the audit chain records (never silently deleted)."""

import datetime
import gzip
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from hexie.accounts import access_log, tokens
from hexie.accounts.models import ApiAccessLog, ApiToken
from hexie.accounts.roles import Role
from hexie.core.audit_archive import ArchiveRefused
from hexie.core.models import AuditEvent
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/"


@pytest.fixture
def office():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_token_get_writes_one_row_naming_the_token(office):
    UnitFactory(region_id=XIHU_TOWN)
    _, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    events_before = AuditEvent.objects.count()

    response = bearer(key).get(URL + "?page_size=5", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    row = ApiAccessLog.objects.get()
    assert row.token.name == "劳动监察系统"
    assert (row.method, row.path, row.status, row.ip) == ("GET", URL + "?page_size=5", 200,
                                                          "10.1.2.3")
    assert row.duration_ms >= 0 and row.at <= timezone.now()
    # The read takes no event in the audit chain (no chain lock per GET)
    assert AuditEvent.objects.count() == events_before


def test_each_call_is_its_own_row(office):
    _, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    client = bearer(key)
    for _ in range(3):
        client.get(URL)
    assert ApiAccessLog.objects.count() == 3


def test_refusals_of_a_known_token_are_logged_with_their_status(office):
    # Given a token of one town: a unit of another county is outside (404)
    other = UnitFactory(region_id=NANHU_TOWN)
    token, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    assert bearer(key).get(f"{URL}{other.pk}/").status_code == 404
    # a write it lacks (403)
    assert bearer(key).post(URL, {}, format="json").status_code == 403
    # after revocation (401)
    tokens.revoke_token(office, token)
    assert bearer(key).get(URL).status_code == 401

    statuses = list(ApiAccessLog.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [404, 403, 401]
    assert set(ApiAccessLog.objects.values_list("token", flat=True)) == {token.pk}


def test_an_expired_token_is_logged_as_401(office):
    token, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert bearer(key).get(URL).status_code == 401
    assert ApiAccessLog.objects.get().status == 401


def test_an_unknown_key_and_a_session_write_no_row(office):
    assert bearer("hx_not-a-real-key").get(URL).status_code == 401
    client = APIClient()
    client.force_authenticate(office)
    client.get(URL)
    session = Client()
    session.force_login(office)
    session.get("/units/")
    assert not ApiAccessLog.objects.exists()


def test_a_long_path_is_cut_to_the_column(office):
    _, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    bearer(key).get(URL + "?q=" + "x" * 500)
    path = ApiAccessLog.objects.get().path
    assert len(path) == access_log.PATH_CHARS and path.endswith("…")


def test_the_log_is_append_only_in_the_database(office):
    _, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    bearer(key).get(URL)
    row = ApiAccessLog.objects.get()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (the driver's error)
        ApiAccessLog.objects.filter(pk=row.pk).update(status=200 if row.status != 200 else 500)
    if connection.vendor == "postgresql":
        with pytest.raises(Exception), transaction.atomic():  # noqa: B017
            ApiAccessLog.objects.filter(pk=row.pk).delete()
    assert ApiAccessLog.objects.filter(pk=row.pk, status=row.status).exists()


def test_a_token_cannot_be_deleted_while_it_has_calls(office):
    token, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    bearer(key).get(URL)
    with pytest.raises(IntegrityError.__mro__[1]), transaction.atomic():  # ProtectedError
        token.delete()


# --- On the token's page ------------------------------------------------------------------


def test_the_token_page_shows_and_filters_its_calls(office):
    UnitFactory(region_id=XIHU_TOWN)
    token, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    client = bearer(key)
    client.get(URL)
    client.get(f"{URL}999999/")  # 404
    _, other_key = tokens.create_token(office, "社保系统", XIHU_TOWN)
    bearer(other_key).get(URL)
    page = Client()
    page.force_login(office)

    everything = page.get(f"/tokens/{token.pk}/")
    refused = page.get(f"/tokens/{token.pk}/", {"status": "4xx"})
    exact = page.get(f"/tokens/{token.pk}/", {"status": "200"})
    by_path = page.get(f"/tokens/{token.pk}/", {"path": f"{URL}999999"})

    assert [c.status for c in everything.context["page"].object_list] == [404, 200]
    assert [c.status for c in refused.context["page"].object_list] == [404]
    assert [c.status for c in exact.context["page"].object_list] == [200]
    assert [c.path for c in by_path.context["page"].object_list] == [f"{URL}999999/"]
    assert "共 2 次调用" in everything.content.decode()


def test_the_call_filter_refuses_a_reversed_date_range(office):
    token, _ = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    page = Client()
    page.force_login(office)
    response = page.get(f"/tokens/{token.pk}/", {"date_from": "2026-05-02",
                                                 "date_to": "2026-05-01"})
    assert response.status_code == 400
    assert "截止日期不能早于起始日期" in response.content.decode()


# --- Retention: archived to a file, its hash in the audit chain --------------------------


def _old_row(token, days_ago):
    return ApiAccessLog.objects.create(
        token=token, at=timezone.now() - timedelta(days=days_ago), method="GET", path=URL,
        status=200, duration_ms=3)


@pytest.fixture
def archive_settings(settings, tmp_path):
    settings.HEXIE_AUDIT_RETENTION_DAYS = 200
    settings.HEXIE_AUDIT_ARCHIVE_DIR = tmp_path
    return tmp_path


def test_archive_moves_old_calls_to_a_file_and_records_its_hash(office, archive_settings):
    token, _ = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    old = [_old_row(token, 400), _old_row(token, 300)]
    recent = _old_row(token, 10)
    before = timezone.localdate() - timedelta(days=250)

    path, count = access_log.archive(before)

    assert count == 2
    assert list(ApiAccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    lines = [json.loads(line) for line in gzip.open(path).read().splitlines()]
    assert [line["id"] for line in lines] == [row.pk for row in old]
    assert {line["token"] for line in lines} == {"劳动监察系统"}
    event = AuditEvent.objects.get(action="accounts.archive_access_log")
    assert event.after["sha256"] == hashlib.sha256(Path(path).read_bytes()).hexdigest()
    assert event.after["count"] == 2 and event.actor_username == "system"
    # The append-only guard is back on for everyone afterwards
    if connection.vendor == "postgresql":
        with pytest.raises(Exception), transaction.atomic():  # noqa: B017
            ApiAccessLog.objects.filter(pk=recent.pk).delete()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        ApiAccessLog.objects.filter(pk=recent.pk).update(status=500)


def test_archive_refuses_inside_the_retention_and_without_one(office, archive_settings,
                                                              settings):
    token, _ = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    _old_row(token, 400)
    with pytest.raises(ArchiveRefused, match="保留期"):
        access_log.archive(timezone.localdate() - timedelta(days=100))
    settings.HEXIE_AUDIT_RETENTION_DAYS = None
    with pytest.raises(ArchiveRefused, match="永久保留"):
        access_log.archive(timezone.localdate() - timedelta(days=300))
    assert ApiAccessLog.objects.count() == 1
    assert list(archive_settings.iterdir()) == []


def test_archive_with_nothing_old_makes_no_file(office, archive_settings):
    token, _ = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    _old_row(token, 5)
    assert access_log.archive(timezone.localdate() - timedelta(days=250)) == (None, 0)
    assert list(archive_settings.iterdir()) == []


def test_the_cli_archives_the_log(office, archive_settings, capsys):
    token, _ = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    _old_row(token, 400)
    before = timezone.localdate() - datetime.timedelta(days=250)
    call_command("tokens", "archive-log", "--before", before.isoformat())
    assert not ApiAccessLog.objects.exists()
    assert "1" in capsys.readouterr().out
