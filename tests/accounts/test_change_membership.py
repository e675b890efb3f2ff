"""Changing a person's role or region (issue 10 §1): only when the actor could revoke the old
membership and grant the new one; one audit event with before and after; the person's scope
changes at once, their session stays."""

import pytest
from django.test import Client
from django.urls import reverse

from hexie.accounts.models import Membership
from hexie.accounts.roles import UNITS_VIEW
from hexie.accounts.services import change_membership, remove_membership
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from hexie.core.scoping import scope_for
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    return make_user("county_office", region=XIHU)


@pytest.fixture
def town():
    return make_user("town_office", region=XIHU_TOWN, username="beishan")


def test_change_region_inside_the_scope_is_audited_with_before_and_after(county, town):
    membership = town.memberships.get()
    change_membership(county, membership, region=XIHU_TOWN_2, reason="调岗")
    membership.refresh_from_db()
    assert membership.region_id == XIHU_TOWN_2
    event = AuditEvent.objects.get(action="accounts.change_membership")
    assert event.before["region_id"] == XIHU_TOWN and event.after["region_id"] == XIHU_TOWN_2
    assert event.after["reason"] == "调岗" and event.actor_username == county.username
    assert event.object_id == str(membership.pk)
    assert event.region_code == XIHU  # where an office covering both towns reads it


def test_the_scope_changes_at_once_and_the_session_stays(county, town):
    client = Client()
    client.force_login(town)
    unit_there = UnitFactory(region_id=XIHU_TOWN_2)
    assert client.get(reverse("units:detail", args=[unit_there.pk])).status_code == 404
    change_membership(county, town.memberships.get(), region=XIHU_TOWN_2)
    assert client.get(reverse("units:detail", args=[unit_there.pk])).status_code == 200
    town.refresh_from_db()
    scope = scope_for(town, UNITS_VIEW)
    assert scope.covers_region(XIHU_TOWN_2) and not scope.covers_region(XIHU_TOWN)


def test_a_county_changing_someone_to_province_office_is_403(county, town):
    with pytest.raises(NotPermitted):
        change_membership(county, town.memberships.get(), role="province_office", region="33")
    with pytest.raises(NotPermitted):
        change_membership(county, town.memberships.get(), role="city_office", region=HANGZHOU)
    assert town.memberships.get().role == "town_office"
    assert not AuditEvent.objects.filter(action="accounts.change_membership").exists()


def test_a_town_office_cannot_change_anyone_into_a_county_account(town):
    coordinator = make_user("coordinator", region=XIHU_TOWN)
    with pytest.raises(NotPermitted):
        change_membership(town, coordinator.memberships.get(), role="county_office",
                          region=XIHU)
    assert coordinator.memberships.get().role == "coordinator"


def test_out_of_scope_memberships_and_regions_are_404(county, town):
    other = make_user("town_office", region=NANHU_TOWN)
    with pytest.raises(OutOfScope):
        change_membership(county, other.memberships.get(), region=XIHU_TOWN_2)
    with pytest.raises(OutOfScope):  # moving someone out of the county's scope
        change_membership(county, town.memberships.get(), region=NANHU_TOWN)
    assert town.memberships.get().region_id == XIHU_TOWN


def test_bad_input_names_the_field_and_changes_nothing(county, town):
    membership = town.memberships.get()
    with pytest.raises(DomainError) as bad_role:
        change_membership(county, membership, role="king")
    assert bad_role.value.field == "role"
    with pytest.raises(DomainError) as wrong_level:
        change_membership(county, membership, region=XIHU)  # a county code for a town office
    assert wrong_level.value.field == "region"
    with pytest.raises(DomainError) as unchanged:
        change_membership(county, membership, region=XIHU_TOWN)
    assert unchanged.value.code == "unchanged"
    with pytest.raises(DomainError) as unknown:
        change_membership(county, membership, region="330106999")
    assert unknown.value.field == "region"
    assert Membership.objects.get(pk=membership.pk).region_id == XIHU_TOWN


def test_nobody_changes_their_own_membership(county):
    with pytest.raises(NotPermitted):
        change_membership(county, county.memberships.get(), role="town_office",
                          region=XIHU_TOWN)


def test_a_role_change_keeps_the_membership_and_may_go_down(county, town):
    membership = town.memberships.get()
    change_membership(county, membership, role="coordinator")
    membership.refresh_from_db()
    assert membership.role == "coordinator" and membership.region_id == XIHU_TOWN


def test_the_last_membership_cannot_be_removed(county, town):
    with pytest.raises(DomainError) as last:
        remove_membership(county, town.memberships.get())
    assert last.value.code == "last_membership"
    extra = Membership.objects.create(user=town, role="coordinator", region_id=XIHU_TOWN)
    remove_membership(county, extra, reason="不再兼任")
    assert list(town.memberships.values_list("role", flat=True)) == ["town_office"]
    assert AuditEvent.objects.filter(action="accounts.revoke_membership").exists()


# --- the person page forms -----------------------------------------------------------------


def test_the_page_changes_a_region_and_names_the_field_on_error(client, county, town):
    client.force_login(county)
    membership = town.memberships.get()
    url = reverse("people-membership-change", args=[town.pk, membership.pk])
    bad = client.post(url, {"role": "town_office", "region": XIHU})
    assert bad.status_code == 400
    assert "区划代码：" in bad.content.decode()
    outside = client.post(url, {"role": "town_office", "region": NANHU_TOWN})
    assert outside.status_code == 400 and "区划代码：" in outside.content.decode()
    above = client.post(url, {"role": "province_office", "region": "33"})
    assert above.status_code == 403
    ok = client.post(url, {"role": "town_office", "region": XIHU_TOWN_2})
    assert ok.status_code == 302
    membership.refresh_from_db()
    assert membership.region_id == XIHU_TOWN_2


def test_the_page_adds_and_removes_a_membership(client, county, town):
    client.force_login(county)
    add = reverse("people-membership-add", args=[town.pk])
    missing = client.post(add, {"role": "coordinator"})
    assert missing.status_code == 400 and "区划代码：" in missing.content.decode()
    assert client.post(add, {"role": "coordinator", "region": NANHU_TOWN}).status_code == 400
    assert client.post(add, {"role": "city_office", "region": HANGZHOU}).status_code == 403
    assert client.post(add, {"role": "coordinator", "region": XIHU_TOWN}).status_code == 302
    added = town.memberships.get(role="coordinator")
    assert AuditEvent.objects.filter(action="accounts.grant_membership",
                                     object_id=str(added.pk)).exists()
    remove = reverse("people-membership-remove", args=[town.pk, added.pk])
    assert client.post(remove).status_code == 302
    assert not town.memberships.filter(role="coordinator").exists()


def test_the_page_refuses_people_and_memberships_outside_the_scope(client, county):
    client.force_login(county)
    other = make_user("town_office", region=NANHU_TOWN)
    membership = other.memberships.get()
    assert client.post(reverse("people-membership-change", args=[other.pk, membership.pk]),
                       {"region": XIHU_TOWN}).status_code == 404
    assert client.post(reverse("people-membership-add", args=[other.pk]),
                       {"role": "coordinator", "region": NANHU_TOWN}).status_code == 404
    assert client.post(reverse("people-membership-remove",
                               args=[other.pk, membership.pk])).status_code == 404
    county_b = make_user("county_office", region=NANHU)
    assert client.post(reverse("people-membership-change",
                               args=[county_b.pk, county_b.memberships.get().pk]),
                       {"region": XIHU}).status_code == 404


def test_the_token_role_is_never_given_or_changed_by_hand(client, county, town):
    from hexie.accounts.people import grantable_roles

    assert "api_client" not in dict(grantable_roles(county))
    with pytest.raises(DomainError) as to_token:
        change_membership(county, town.memberships.get(), role="api_client", region=XIHU)
    assert to_token.value.field == "role"
    client.force_login(county)
    page = client.post(reverse("people-membership-add", args=[town.pk]),
                       {"role": "api_client", "region": XIHU})
    assert page.status_code == 400 and "角色：" in page.content.decode()
    assert not town.memberships.filter(role="api_client").exists()
