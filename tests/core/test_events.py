"""The typed-history base (hexie.core.events): record() takes only the declared type and keys,
runs only inside a transaction, and the database refuses to change a written event."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.campaigns import services
from hexie.campaigns.models import PledgeEvent
from hexie.core import events
from hexie.regions.loader import load_divisions
from tests.campaigns.conftest import congress, day
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db):
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


@pytest.fixture
def pledged(office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    year = timezone.localdate().year - 1
    unit = UnitFactory(region_id=XIHU_TOWN)
    services.open_campaign(office, XIHU, year)
    return services.pledge(make_user(Role.UNIT_ADMIN, unit=unit), unit, year=year,
                           pledged_on=day(year, 3, 10), congress=congress(day(year, 3, 1)))


@pytest.mark.parametrize("type_,payload,message", [
    ("pledged", {"year": 2025, "pledged_on": "2025-03-10", "congress_held_on": "2025-03-01",
                 "note": "x"}, "unknown payload keys"),
    ("pledged", {"year": 2025}, "missing payload keys"),
    ("revoked", {}, "unknown event type"),
    ("pledged", {"year": 2025, "pledged_on": "x" * 3000, "congress_held_on": None},
     "too large"),
])
def test_record_refuses_what_the_type_does_not_declare(pledged, office, type_, payload,
                                                       message):
    with pytest.raises(ValueError, match=message), transaction.atomic():
        events.record(pledged, type_, office, **payload)
    assert PledgeEvent.objects.count() == 1


@pytest.fixture(scope="class")
def reload_divisions_afterwards(django_db_blocker):
    """The transactional test below empties every table when it ends; put the divisions back
    (as tests/core/test_audit.py does)."""
    yield
    with django_db_blocker.unblock():
        load_divisions()


@pytest.mark.usefixtures("reload_divisions_afterwards")
@pytest.mark.django_db(transaction=True)
class TestTransactionBoundary:
    def test_record_runs_only_inside_a_transaction(self, pledged, office):
        with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
            events.record(pledged, "cultivation_assigned", office, cultivation_class="key",
                          class_label="重点培育", target_year=2026)
        assert PledgeEvent.objects.count() == 1


def test_a_system_event_has_no_actor_and_reads_as_the_system(pledged):
    with transaction.atomic():
        event = events.record(pledged, "cultivation_assigned", None, cultivation_class="key",
                              class_label="重点培育", target_year=2026)
    assert event.actor is None and event.actor_name == "系统"
    assert [e.type for e in pledged.events.all()] == ["pledged", "cultivation_assigned"]


def test_the_database_refuses_an_update_behind_the_models_back(pledged):
    event = PledgeEvent.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE campaigns_pledgeevent SET type = %s WHERE id = %s",
                           ["cultivation_assigned", event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM campaigns_pledgeevent WHERE id = %s", [event.pk])
    assert PledgeEvent.objects.get().type == "pledged"
