"""Reading the audit log (issue 10 §6): scope, filters, before/after in words, the CSV export
(audited, Excel-safe), the API, retention and the archive."""

import csv
import datetime
import gzip
import hashlib
import io
import json
import pathlib

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from hexie.accounts.roles import Role
from hexie.core import audit, audit_archive
from hexie.core.audit_archive import check_retention
from hexie.core.audit_export import safe_cell
from hexie.core.audit_selectors import AuditFilterForm, changes_in_words, filtered_events
from hexie.core.models import AuditArchive, AuditEvent
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
API = "/api/v1/audit-events/"


def record(action="unit.update", region=XIHU_TOWN, actor="someone", at=None, **kw):
    """One chained event; with ``at``, recorded at that instant (as if written then)."""
    kw.setdefault("object_type", "units.unit")
    kw.setdefault("object_id", 1)
    with transaction.atomic():
        if at is None:
            return audit.record(actor, action, region_code=region, **kw)
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(at=at, actor_username=actor, action=action, region_code=region,
                           object_type=kw["object_type"], object_id=str(kw["object_id"]),
                           object_repr=kw.get("object_repr", ""), before=kw.get("before"),
                           after=kw.get("after"), prev_hash=prev or audit.GENESIS)
        event.hash = audit.compute_hash(event)
        event.save(force_insert=True)
        return event


@pytest.fixture
def county():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


@pytest.fixture
def operator():
    return get_user_model().objects.create_superuser("operator", "op@example.org", "Op-pass-1")


@pytest.fixture
def events():
    return {
        "xihu": record("unit.update", XIHU_TOWN, object_id=11),
        "xihu_county": record("campaign.open", XIHU, object_type="campaigns.campaign"),
        "nanhu": record("unit.update", NANHU_TOWN, object_id=12),
        "nowhere": record("accounts.grant", "", object_type="accounts.membership"),
    }


def ids(queryset):
    return {e.pk for e in queryset}


# --- scope --------------------------------------------------------------------------------


def test_county_sees_its_county_not_a_sibling_and_not_regionless(county, events):
    seen = ids(filtered_events(county, {}))
    assert seen == {events["xihu"].pk, events["xihu_county"].pk}


def test_town_office_sees_its_town_only(events):
    town = make_user(Role.TOWN_OFFICE, region=XIHU_TOWN)
    assert ids(filtered_events(town, {})) == {events["xihu"].pk}


def test_operator_sees_everything(operator, events):
    assert ids(filtered_events(operator, {})) == {e.pk for e in events.values()}


def test_unit_admin_gets_404_on_page_export_and_api(client, events):
    admin = make_user(Role.UNIT_ADMIN, unit=UnitFactory())
    client.force_login(admin)
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/export.csv").status_code == 404
    api = APIClient()
    api.force_authenticate(admin)
    assert api.get(API).status_code == 404
    assert api.get(f"{API}{events['xihu'].pk}/").status_code == 404


def test_navigation_links_the_page_for_offices_only(client, county):
    client.force_login(county)
    assert "审计日志" in client.get("/").content.decode()
    client.force_login(make_user(Role.UNIT_ADMIN, unit=UnitFactory()))
    assert "审计日志" not in client.get("/").content.decode()


# --- filters -------------------------------------------------------------------------------


def _filter(user, **params):
    form = AuditFilterForm(params)
    assert form.is_valid(), form.errors
    return ids(filtered_events(user, form.cleaned_data))


def test_filter_by_actor_action_prefix_unit_and_object(operator):
    a = record("unit.update", actor="alice", object_id=7)
    b = record("unit.delete", actor="bob", object_id=8)
    c = record("recognition.decide", actor="alice", object_type="recognition.application",
               object_id=7)
    assert _filter(operator, actor="alice") == {a.pk, c.pk}
    assert _filter(operator, action="unit.") == {a.pk, b.pk}
    assert _filter(operator, action="recognition") == {c.pk}
    assert _filter(operator, unit="7") == {a.pk}
    assert _filter(operator, object_type="recognition.application", object_id="7") == {c.pk}
    assert _filter(operator, object_type="units.unit") == {a.pk, b.pk}


def test_time_range_is_whole_days_in_beijing_time_inclusive(operator):
    before = record(at=datetime.datetime(2026, 3, 9, 23, 59, 59, tzinfo=SHANGHAI))
    first = record(at=datetime.datetime(2026, 3, 10, 0, 0, 0, tzinfo=SHANGHAI))
    last = record(at=datetime.datetime(2026, 3, 12, 23, 59, 59, 999999, tzinfo=SHANGHAI))
    after = record(at=datetime.datetime(2026, 3, 13, 0, 0, 0, tzinfo=SHANGHAI))
    got = _filter(operator, date_from="2026-03-10", date_to="2026-03-12")
    assert got == {first.pk, last.pk}
    assert before.pk not in got and after.pk not in got
    assert _filter(operator, date_to="2026-03-09") == {before.pk}


def test_bad_filters_are_refused_in_chinese():
    form = AuditFilterForm({"date_from": "2026-03-12", "date_to": "2026-03-10"})
    assert not form.is_valid()
    assert "截止日期不能早于起始日期" in str(form.errors)
    form = AuditFilterForm({"object_id": "3"})
    assert not form.is_valid() and "对象类型" in str(form.errors)


# --- before/after in words ------------------------------------------------------------------


def test_changes_in_words_lists_only_changed_fields_with_labels_and_short_values():
    event = record(before={"name": "甲公司", "employees": 10, "address": "x",
                           "updated_at": "2026-01-01"},
                   after={"name": "乙公司", "employees": 10, "address": "长" * 100,
                          "updated_at": "2026-02-01"})
    rows = {row["field"]: row for row in changes_in_words(event)}
    assert set(rows) == {"name", "address"}  # unchanged and bookkeeping fields left out
    assert rows["name"]["text"] == "单位名称：甲公司 → 乙公司"
    assert rows["address"]["after"].endswith("…") and len(rows["address"]["after"]) == 60


def test_a_creation_reads_as_new_values_from_nothing():
    event = record(action="unit.create", after={"name": "丙公司", "is_active": True})
    texts = [row["text"] for row in changes_in_words(event)]
    assert "单位名称：— → 丙公司" in texts


def test_page_shows_events_in_words_and_beijing_time(client, county):
    record(before={"name": "甲公司"}, after={"name": "乙公司"},
           at=datetime.datetime(2026, 3, 10, 1, 2, 3, tzinfo=datetime.UTC))
    client.force_login(county)
    page = client.get("/audit/").content.decode()
    assert "单位名称：甲公司 → 乙公司" in page
    assert "2026-03-10 09:02:03" in page
    assert "共 1 条事件" in page


def test_page_refuses_bad_dates_with_the_reason(client, county):
    client.force_login(county)
    page = client.get("/audit/?date_from=2026-03-12&date_to=2026-03-10").content.decode()
    assert "截止日期不能早于起始日期" in page


# --- CSV -----------------------------------------------------------------------------------


def _csv(response) -> tuple[bytes, list[list[str]]]:
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_bom_headers_scope_and_neutralised_formulas(client, county, events):
    record(object_repr="=HYPERLINK(\"http://evil\")", actor="@admin",
           before={"name": "-1"}, after={"name": "+2"})
    client.force_login(county)
    response = client.get("/audit/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    body, rows = _csv(response)
    assert body.startswith("\ufeff".encode())
    assert rows[0][:4] == ["编号", "时间（北京时间）", "操作人", "操作"]
    exported = {int(r[0]) for r in rows[1:]}
    assert events["nanhu"].pk not in exported and events["nowhere"].pk not in exported
    assert events["xihu"].pk in exported
    evil = next(r for r in rows[1:] if "HYPERLINK" in r[6])
    assert evil[6].startswith("'=") and evil[2] == "'@admin"


def test_safe_cell_prefixes_every_formula_start():
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@a", "a=b", "", None, 5)] == \
        ["'=1", "'+1", "'-1", "'@a", "a=b", "", "", "5"]


def test_the_export_is_itself_audited_with_its_filters(client, county, events):
    client.force_login(county)
    _body, rows = _csv(client.get("/audit/export.csv?action=unit."))
    logged = AuditEvent.objects.filter(action="audit.export").get()
    assert logged.actor_username == county.username
    assert logged.region_code == XIHU
    assert logged.after == {"filters": {"action": "unit."}}
    assert {int(r[0]) for r in rows[1:]} == {events["xihu"].pk}  # filtered, not itself
    assert audit.verify().ok


# --- API -----------------------------------------------------------------------------------


def test_api_lists_the_scope_newest_first_with_changes(county, events):
    api = APIClient()
    api.force_authenticate(county)
    data = api.get(API).json()
    assert [row["id"] for row in data["results"]] == [events["xihu_county"].pk,
                                                      events["xihu"].pk]
    assert "changes" in data["results"][0]
    assert api.get(f"{API}{events['xihu'].pk}/").status_code == 200
    refused = api.get(f"{API}{events['nanhu'].pk}/")
    assert refused.status_code == 404 and set(refused.json()) == {"detail", "code"}


def test_api_filters_and_refuses_bad_input_in_the_one_shape(county, events):
    api = APIClient()
    api.force_authenticate(county)
    rows = api.get(API, {"action": "campaign."}).json()["results"]
    assert [row["id"] for row in rows] == [events["xihu_county"].pk]
    bad = api.get(API, {"date_from": "2026-03-12", "date_to": "2026-03-10"})
    assert bad.status_code == 400 and bad.json()["field"] == "date_to"


def test_api_is_read_only_and_documented(county, client):
    api = APIClient()
    api.force_authenticate(county)
    assert api.post(API, {}, format="json").status_code == 405
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/audit-events/" in schema and "date_to" in schema



# --- retention and archive -----------------------------------------------------------------


@pytest.mark.parametrize(("days", "errors"), [(None, 0), (183, 0), (182, 1), (0, 1),
                                              ("365", 1)])
def test_retention_cannot_go_below_six_months(settings, days, errors):
    settings.HEXIE_AUDIT_RETENTION_DAYS = days
    found = check_retention()
    assert len(found) == errors
    if errors:
        assert found[0].id == "hexie.core.E001"
        assert "网络安全法" in found[0].msg and "第二十一条" in found[0].msg
        assert "Article 21" in found[0].msg


@pytest.fixture
def retention(settings, tmp_path):
    settings.HEXIE_AUDIT_RETENTION_DAYS = 183
    settings.HEXIE_AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"
    return tmp_path / "audit-archive"


NOW = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)


def test_archive_moves_old_events_to_a_hashed_file_and_verify_still_holds(retention):
    old = [record(at=datetime.datetime(2025, 1, d, 8, tzinfo=SHANGHAI), object_id=d,
                  before={"name": "甲"}, after={"name": f"乙{d}"}) for d in (1, 2, 3)]
    recent = record(at=NOW - datetime.timedelta(days=10))
    result = audit_archive.archive(datetime.date(2025, 1, 3), now=NOW)

    made = result.archive
    assert result.count == 2 and (made.first_id, made.last_id) == (old[0].pk, old[1].pk)
    assert made.last_hash == old[1].hash
    path = pathlib.Path(made.file_path)
    assert path.parent == retention
    assert made.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    lines = [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
    assert [line["id"] for line in lines] == [old[0].pk, old[1].pk]
    assert lines[1]["hash"] == old[1].hash and lines[1]["after"] == {"name": "乙2"}

    remaining = set(AuditEvent.objects.values_list("id", flat=True))
    assert old[0].pk not in remaining and old[1].pk not in remaining
    assert {old[2].pk, recent.pk} <= remaining
    assert AuditEvent.objects.filter(action="audit.archive").count() == 1
    assert audit.verify().ok
    assert call_command_output("verify").startswith("审计链完整")


def test_archiving_everything_keeps_the_chain_going(retention):
    record(at=datetime.datetime(2025, 1, 1, 8, tzinfo=SHANGHAI))
    audit_archive.archive(datetime.date(2025, 2, 1), now=NOW)
    # The table now holds only the archive's own event, chained to the archived one.
    assert audit.verify().ok
    audit_archive.archive(datetime.date(2025, 2, 1), now=NOW)  # nothing old left
    with transaction.atomic():
        audit.record("someone", "later.event")
    assert audit.verify().ok and AuditArchive.objects.count() == 1


def test_archive_refuses_events_inside_the_retention(retention):
    event = record(at=NOW - datetime.timedelta(days=200))
    too_late = (NOW - datetime.timedelta(days=150)).date()
    with pytest.raises(audit_archive.ArchiveRefused, match="保留期"):
        audit_archive.archive(too_late, now=NOW)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert not AuditArchive.objects.exists() and not list(retention.glob("*"))


def test_archive_refused_when_retention_unset_or_too_short(settings, retention):
    settings.HEXIE_AUDIT_RETENTION_DAYS = None
    with pytest.raises(audit_archive.ArchiveRefused, match="永久保留"):
        audit_archive.archive(datetime.date(2020, 1, 1), now=NOW)
    settings.HEXIE_AUDIT_RETENTION_DAYS = 30
    with pytest.raises(audit_archive.ArchiveRefused, match="183"):
        audit_archive.archive(datetime.date(2020, 1, 1), now=NOW)


def test_archive_command_refuses_with_exit_2(retention):
    with pytest.raises(CommandError, match="保留期") as refused:
        call_command("audit", "archive", "--before", timezone.localdate().isoformat())
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit", "archive", "--before", "yesterday")


def test_after_an_archive_a_plain_delete_is_still_refused_or_caught(retention):
    record(at=datetime.datetime(2025, 1, 1, 8, tzinfo=SHANGHAI))
    kept = [record(), record()]
    audit_archive.archive(datetime.date(2025, 2, 1), now=NOW)
    if connection.vendor == "postgresql":
        # The archive's switch was transaction-local: outside it the trigger refuses again.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=kept[0].pk).delete()
        assert audit.verify().ok
    else:
        AuditEvent.objects.filter(pk=kept[0].pk).delete()
        assert audit.verify().broken_event_id == kept[1].pk


def call_command_output(*args) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()
