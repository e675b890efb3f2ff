"""The pledge's history (issue 9, point 4): each state change writes one typed event with its
actor in the service's transaction, the pledge page shows it as 办理记录, the API lists it
inside the scope only, and an event cannot be changed or deleted."""

import pytest
from rest_framework.test import APIClient

from hexie.campaigns import services
from hexie.campaigns.models import Pledge, PledgeEvent
from hexie.core.errors import DomainError
from hexie.core.events import ImmutableEvent

from .conftest import congress, day

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledged(unit_admin, unit, campaign, year):
    return services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                           congress=congress(day(year, 3, 1)))


def test_a_pledge_writes_one_pledged_event_by_its_actor(pledged, unit_admin, year):
    event = PledgeEvent.objects.get()
    assert (event.pledge, event.type, event.actor) == (pledged, "pledged", unit_admin)
    assert event.payload == {"year": year, "pledged_on": f"{year}-03-10",
                             "congress_held_on": f"{year}-03-01"}
    assert event.describe() == (f"经职工（代表）大会（{year}-03-01）讨论确定，提交 {year} 年度"
                                f"创建承诺书，承诺日期 {year}-03-10")


def test_a_refused_pledge_writes_no_event(unit_admin, unit, campaign, year):
    with pytest.raises(DomainError):
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 11)))
    assert not PledgeEvent.objects.exists()


def test_the_event_rolls_back_with_the_pledge(unit_admin, unit, campaign, year, monkeypatch):
    """A failure after the event is written (here: the notification) leaves neither."""
    def broken(*args, **kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 1)))
    assert not Pledge.objects.exists()
    assert not PledgeEvent.objects.exists()


def test_cultivation_writes_one_event_per_change(office, pledged, year):
    services.assign_cultivation(office, pledged, cultivation_class="key", target_year=year + 1)
    services.assign_cultivation(office, pledged, cultivation_class="key",
                                target_year=year + 1)  # no change, no event
    with pytest.raises(DomainError):
        services.assign_cultivation(office, pledged, cultivation_class="gold", target_year=year)
    rows = list(pledged.events.all())
    assert [e.type for e in rows] == ["pledged", "cultivation_assigned"]
    assert rows[1].actor == office
    assert rows[1].payload["cultivation_class"] == "key"
    assert rows[1].describe().endswith(f"目标年度 {year + 1} 年")


def test_the_pledge_page_shows_the_timeline(client, office, pledged, unit_admin, year):
    services.assign_cultivation(office, pledged, cultivation_class="key", target_year=year + 1)
    client.force_login(office)
    page = client.get(f"/campaigns/pledges/{pledged.pk}/").content.decode()
    assert "办理记录" in page
    assert f"提交 {year} 年度创建承诺书" in page
    assert "列入分类培育计划" in page
    assert str(unit_admin) in page and str(office) in page
    plan = client.get(f"/campaigns/{pledged.campaign_id}/plan/").content.decode()
    assert f"/campaigns/pledges/{pledged.pk}/" in plan


def test_the_pledge_page_is_404_outside_the_scope(client, other_office, pledged):
    client.force_login(other_office)
    assert client.get(f"/campaigns/pledges/{pledged.pk}/").status_code == 404


def test_the_api_lists_the_events_inside_the_scope_only(office, other_office, pledged,
                                                         unit_admin):
    client = APIClient()
    client.force_authenticate(office)
    response = client.get(f"/api/v1/pledges/{pledged.pk}/events/")
    assert response.status_code == 200
    assert [(e["type"], e["type_label"], e["actor"]) for e in response.data] == [
        ("pledged", "提交创建承诺书", unit_admin.pk)]
    assert "创建承诺书" in response.data[0]["description"]
    client.force_authenticate(other_office)
    assert client.get(f"/api/v1/pledges/{pledged.pk}/events/").status_code == 404


def test_an_event_cannot_be_changed_or_deleted(pledged):
    event = PledgeEvent.objects.get()
    event.payload = {"year": 1999, "pledged_on": "1999-01-01", "congress_held_on": None}
    with pytest.raises(ImmutableEvent):
        event.save()
    with pytest.raises(ImmutableEvent):
        event.delete()
    with pytest.raises(ImmutableEvent):
        PledgeEvent.objects.filter(pk=event.pk).update(type="cultivation_assigned")
    with pytest.raises(ImmutableEvent):
        PledgeEvent.objects.all().delete()
    assert PledgeEvent.objects.get().payload["year"] != 1999
