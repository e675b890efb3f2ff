"""The append-only, hash-chained audit log: writing, verifying and detecting tampering.

Tampering has to go behind the application's back. The table refuses it at the database level
(a trigger), so the tests first show that refusal and then bypass it: on PostgreSQL with
``session_replication_role = replica`` (row triggers do not fire), on SQLite by dropping the
trigger inside the test's transaction (rolled back afterwards).
"""

import datetime
import hashlib
import itertools
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from hexie.core import audit
from hexie.core.context import current_ip
from hexie.core.models import AuditEvent
from hexie.regions.loader import load_divisions
from hexie.regions.models import Division
from tests.factories import XIHU_TOWN, UnitFactory, UserFactory

GENESIS = "0" * 64
TRIGGER = "core_auditevent_append_only"


# --- helpers --------------------------------------------------------------------------------


def record_chain(n: int) -> list[AuditEvent]:
    """Append ``n`` varied events, each in its own transaction as a service would."""
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit.record(
                None if i % 2 else "importer", f"test.action{i}",
                object_type="units.unit", object_id=1000 + i, object_repr=f"测试单位{i}",
                region_code=XIHU_TOWN,
                before={"i": i, "money": Decimal("12.50"), "when": datetime.date(2026, 3, i + 1)},
                after={"i": i + 1, "name": f"名称{i}", "tags": ["甲", "乙"], "nested": {"k": None}},
            ))
    return events


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def behind_the_apps_back(sql: str, params=()):
    """Run one UPDATE or DELETE on the audit table with the append-only trigger bypassed."""
    if connection.vendor == "postgresql":
        raw("SET session_replication_role = replica")
        try:
            raw(sql, params)
        finally:
            raw("SET session_replication_role = origin")
    else:
        # the drop is part of the test transaction and rolled back with it
        raw(f"DROP TRIGGER IF EXISTS {TRIGGER}")
        raw(sql, params)


def assert_update_is_refused(event_id: int):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE core_auditevent SET action = %s WHERE id = %s", ["tampered", event_id])


def verify_command() -> tuple[int, str, str]:
    """Run ``audit verify``; returns (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


# --- writing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_chain_of_events_verifies():
    # given an empty log, when several events are recorded
    assert AuditEvent.objects.count() == 0
    events = record_chain(5)
    # then the chain verifies and every event was checked
    result = audit.verify()
    assert result.ok is True
    assert result.checked == 5
    assert result.broken_event_id is None
    assert [e.pk for e in AuditEvent.objects.order_by("id")] == [e.pk for e in events]


@pytest.mark.django_db
def test_first_event_links_to_genesis_and_each_next_to_the_one_before():
    events = record_chain(4)
    stored = list(AuditEvent.objects.order_by("id"))
    assert stored[0].prev_hash == GENESIS == audit.GENESIS
    for previous, event in itertools.pairwise(stored):
        assert event.prev_hash == previous.hash
    assert len({e.hash for e in stored}) == 4
    assert [e.hash for e in stored] == [e.hash for e in events]


@pytest.mark.django_db
def test_hash_is_sha256_over_canonical_json_of_the_fields():
    # recompute the first event's hash from its stored fields, independently of compute_hash
    record_chain(1)
    event = AuditEvent.objects.get()
    body = {
        "prev": GENESIS, "at": event.at.astimezone(datetime.UTC).isoformat(),
        "actor_id": None, "actor": "importer", "action": "test.action0",
        "type": "units.unit", "id": "1000", "repr": "测试单位0", "region": XIHU_TOWN,
        "before": {"i": 0, "money": "12.50", "when": "2026-03-01"},
        "after": {"i": 1, "name": "名称0", "tags": ["甲", "乙"], "nested": {"k": None}},
        "ip": None,
    }
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert event.hash == hashlib.sha256(payload.encode()).hexdigest()


@pytest.mark.django_db
def test_record_names_the_user_and_the_object():
    # given a signed-in user and a unit
    user = UserFactory(username="county_op")
    unit = UnitFactory()
    unit.refresh_from_db()  # money as the database returns it: Decimal with two places
    # when a change to the unit is recorded
    with transaction.atomic():
        event = audit.record(user, "units.update", unit, before={"name": "旧名"},
                             after=audit.snapshot(unit), region_code=unit.region_id)
    # then actor and object are taken from them, and the chain verifies
    event.refresh_from_db()
    assert (event.actor_id, event.actor_username) == (user.pk, "county_op")
    assert (event.object_type, event.object_id) == ("units.unit", str(unit.pk))
    assert event.object_repr == unit.name
    assert event.after["credit_code"] == unit.credit_code
    assert event.after["revenue_yuan"] == "50000000.00"
    assert event.after["region_id"] == XIHU_TOWN
    changed = audit.changed_fields(event.before, event.after)
    assert "name" in changed
    assert "credit_code" in changed
    assert "end_date" not in changed  # None before (absent) and after
    assert changed == sorted(k for k, v in event.after.items() if v is not None)
    assert audit.verify().ok is True


@pytest.mark.django_db
def test_record_without_actor_is_the_system():
    with transaction.atomic():
        event = audit.record(None, "system.job", object_type="x", object_id=None)
    assert (event.actor_id, event.actor_username, event.object_id) == (None, "system", "")


@pytest.mark.django_db
@pytest.mark.parametrize("ip", ["10.1.2.3", "2001:db8::1"])
def test_client_ip_is_recorded_and_verifies(ip):
    token = current_ip.set(ip)
    try:
        with transaction.atomic():
            event = audit.record(None, "test.ip", object_type="x", object_id=1)
    finally:
        current_ip.reset(token)
    event.refresh_from_db()
    assert event.ip == ip
    assert audit.verify().ok is True


@pytest.mark.django_db
@pytest.mark.parametrize("ip", ["2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001",
                                "::FFFF:10.1.2.3"])
def test_non_canonical_ipv6_does_not_break_the_chain(ip):
    # given a client IP written in a non-canonical IPv6 form (e.g. from X-Forwarded-For)
    token = current_ip.set(ip)
    try:
        with transaction.atomic():
            audit.record(None, "test.ip", object_type="x", object_id=1)
    finally:
        current_ip.reset(token)
    # then the untouched chain still verifies (the stored IP must be the hashed IP)
    result = audit.verify()
    assert (result.ok, result.problem) == (True, "")


# --- outside a transaction (needs real transaction control) ---------------------------------


@pytest.fixture(scope="class")
def reload_divisions_afterwards(django_db_blocker):
    """Transactional tests empty every table when they end; put the divisions back once the
    class is done (a function-scoped finaliser would run before that flush)."""
    yield
    with django_db_blocker.unblock():
        load_divisions()


@pytest.mark.usefixtures("reload_divisions_afterwards")
@pytest.mark.django_db(transaction=True)
class TestTransactionBoundary:
    def test_record_outside_a_transaction_raises(self):
        # given autocommit mode (no transaction.atomic around the call)
        assert connection.in_atomic_block is False
        # when an event is recorded, then it is refused and nothing is written
        with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
            audit.record(None, "test.outside", object_type="x", object_id=1)
        assert AuditEvent.objects.count() == 0

    def test_event_is_rolled_back_with_the_change_it_records(self):
        # given a service transaction that records an event and then fails
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            audit.record(None, "test.rolled_back", object_type="x", object_id=1)
            1 / 0  # noqa: B018
        # then neither the change nor its event remains
        assert AuditEvent.objects.count() == 0
        # and a later event starts the chain from genesis
        with transaction.atomic():
            event = audit.record(None, "test.kept", object_type="x", object_id=2)
        assert event.prev_hash == GENESIS
        assert audit.verify().checked == 1


@pytest.mark.usefixtures("reload_divisions_afterwards")
@pytest.mark.django_db(transaction=True)
class TestDivisionsSurviveTheFlush:
    """pytest-django runs transactional tests last, in collection order, so this runs right
    after the class above has flushed the database and its fixture has reloaded the divisions;
    later transactional tests elsewhere need them (units point at a town)."""

    def test_divisions_are_back(self):
        assert Division.objects.count() == 1489
        assert Division.objects.filter(code=XIHU_TOWN).exists()


# --- the database refuses changes -----------------------------------------------------------


@pytest.mark.django_db
def test_plain_update_is_refused_by_the_database():
    event = record_chain(1)[0]
    assert_update_is_refused(event.pk)
    # through the ORM as well
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    event.refresh_from_db()
    assert event.action == "test.action0"


@pytest.mark.django_db
def test_delete_is_refused_on_postgresql_and_caught_by_verify_elsewhere():
    events = record_chain(3)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
        assert AuditEvent.objects.count() == 3
        assert audit.verify().ok is True
    else:
        # SQLite keeps DELETE possible (the test flush needs it); verify must notice
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
        result = audit.verify()
        assert result.broken_event_id == events[2].pk


# --- tampering behind the application's back -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "column,value",
    [("action", "units.delete"), ("object_id", "9999"), ("object_repr", "别的单位"),
     ("actor_username", "someone_else"), ("region_code", "330402007"),
     ("before", '{"i": 99}'), ("after", "null")],
)
def test_edited_event_is_named_by_verify(column, value):
    # given a chain of five events
    events = record_chain(5)
    target = events[2]
    # and a plain UPDATE is refused
    assert_update_is_refused(target.pk)
    # when one column of the middle event is edited behind the app's back
    if column in ("before", "after") and connection.vendor == "postgresql":
        sql = f"UPDATE core_auditevent SET {column} = %s::jsonb WHERE id = %s"
    else:
        sql = f"UPDATE core_auditevent SET {column} = %s WHERE id = %s"
    behind_the_apps_back(sql, [value, target.pk])
    # then verify names exactly that event, after the two good ones before it
    result = audit.verify()
    assert result.ok is False
    assert result.broken_event_id == target.pk
    assert result.checked == 2
    assert "事件被改动" in result.problem


@pytest.mark.django_db
def test_edited_event_with_recomputed_hash_breaks_the_link_to_the_next():
    # given a chain, and an attacker who edits an event and recomputes its own hash
    events = record_chain(4)
    target = AuditEvent.objects.get(pk=events[1].pk)
    target.action = "units.delete"
    new_hash = audit.compute_hash(target)
    behind_the_apps_back("UPDATE core_auditevent SET action = %s, hash = %s WHERE id = %s",
                         ["units.delete", new_hash, target.pk])
    # then the edited event itself looks fine, but the next one no longer links to it
    result = audit.verify()
    assert result.broken_event_id == events[2].pk
    assert result.checked == 2
    assert "链条在此处断开" in result.problem


@pytest.mark.django_db
def test_deleted_middle_event_breaks_the_chain_at_the_next_event():
    # given a chain of five events
    events = record_chain(5)
    # when the middle one is deleted behind the app's back
    behind_the_apps_back("DELETE FROM core_auditevent WHERE id = %s", [events[2].pk])
    # then verify stops at the event that followed it
    result = audit.verify()
    assert result.ok is False
    assert result.broken_event_id == events[3].pk
    assert result.checked == 2
    assert "前一事件哈希不符" in result.problem


@pytest.mark.django_db
def test_deleted_first_event_breaks_the_chain_at_the_new_first():
    events = record_chain(3)
    behind_the_apps_back("DELETE FROM core_auditevent WHERE id = %s", [events[0].pk])
    result = audit.verify()
    assert (result.broken_event_id, result.checked) == (events[1].pk, 0)


@pytest.mark.django_db
def test_forged_genesis_link_is_detected():
    events = record_chain(2)
    behind_the_apps_back("UPDATE core_auditevent SET prev_hash = %s WHERE id = %s",
                         ["f" * 64, events[0].pk])
    result = audit.verify()
    assert (result.broken_event_id, result.checked) == (events[0].pk, 0)


@pytest.mark.django_db
def test_verify_in_small_chunks_gives_the_same_answer():
    events = record_chain(7)
    behind_the_apps_back("UPDATE core_auditevent SET object_repr = %s WHERE id = %s",
                         ["改", events[5].pk])
    result = audit.verify(chunk_size=2)
    assert (result.broken_event_id, result.checked) == (events[5].pk, 5)


@pytest.mark.django_db
def test_empty_log_verifies():
    assert AuditEvent.objects.count() == 0
    result = audit.verify()
    assert (result.ok, result.checked) == (True, 0)


# --- the management command -----------------------------------------------------------------


@pytest.mark.django_db
def test_verify_command_reports_the_number_checked():
    record_chain(3)
    status, out, err = verify_command()
    assert status == 0
    assert "3" in out
    assert "已校验 3 条" in out
    assert err == ""


@pytest.mark.django_db
def test_verify_command_exits_1_naming_the_first_broken_event():
    # given a chain whose second event was edited behind the app's back
    events = record_chain(4)
    behind_the_apps_back("UPDATE core_auditevent SET action = %s WHERE id = %s",
                         ["tampered", events[1].pk])
    # when the command runs, then it exits with status 1 and names that event on stderr
    status, out, err = verify_command()
    assert status == 1
    assert f"#{events[1].pk}" in err
    assert f"#{events[2].pk}" not in err
    assert "已校验" not in out


@pytest.mark.django_db
def test_verify_command_exits_1_after_a_deletion():
    events = record_chain(4)
    behind_the_apps_back("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    status, _out, err = verify_command()
    assert status == 1
    assert f"#{events[2].pk}" in err


@pytest.mark.django_db
def test_hexie_audit_verify_through_the_console_entry_point(capsys, monkeypatch):
    # `hexie audit verify` as an operator types it: success prints the count, exit status 0
    from django.db import connections

    from hexie.cli import main

    # run_from_argv closes every connection when it ends; that would end the test transaction
    monkeypatch.setattr(connections, "close_all", lambda: None)
    events = record_chain(2)
    main(["audit", "verify"])
    assert "已校验 2 条" in capsys.readouterr().out
    # after tampering: exit status 1, the first broken event named on stderr
    behind_the_apps_back("UPDATE core_auditevent SET action = %s WHERE id = %s",
                         ["tampered", events[0].pk])
    with pytest.raises(SystemExit) as info:
        main(["audit", "verify"])
    assert info.value.code == 1
    assert f"#{events[0].pk}" in capsys.readouterr().err
