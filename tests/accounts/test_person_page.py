"""A person's page (/people/<pk>/): facts, memberships, invitations made for them and their
audit history; only for offices covering every membership (404 otherwise) and for the person."""

import pytest
from django.urls import reverse

from hexie.accounts.invitations import invite
from hexie.accounts.models import Membership
from hexie.accounts.services import change_membership, deactivate, grant_membership
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(client):
    user = make_user("county_office", region=XIHU)
    client.force_login(user)
    return user


def test_the_page_shows_facts_memberships_invitations_and_history(client, county):
    town = make_user("town_office", region=XIHU_TOWN, username="beishan")
    town.email, town.display_name, town.phone = "bs@example.com", "北山", "0571-1234"
    town.save()
    change_membership(county, town.memberships.get(), region=XIHU_TOWN_2, reason="调岗")
    invite(county, "coordinator", region=XIHU_TOWN_2, email="BS@example.com")
    body = client.get(reverse("people-detail", args=[town.pk])).content.decode()
    assert "beishan" in body and "北山" in body and "0571-1234" in body
    assert 'data-testid="memberships"' in body and XIHU_TOWN_2 in body
    assert 'data-testid="person-invitations"' in body  # the invitation to the same e-mail
    assert "accounts.change_membership" in body
    assert f"{XIHU_TOWN} → {XIHU_TOWN_2}" in body  # the change in words
    people = client.get(reverse("people")).content.decode()
    assert reverse("people-detail", args=[town.pk]) in people


def test_history_holds_acts_about_revoked_memberships_and_own_acts_in_scope(client, county):
    town = make_user("town_office", region=XIHU_TOWN)
    extra = grant_membership(county, town, "coordinator", region=XIHU_TOWN)
    from hexie.accounts.services import revoke_membership
    revoke_membership(county, extra)
    coordinator = make_user("coordinator", region=XIHU_TOWN, username="xiezuo")
    deactivate(town, coordinator)  # the person's own act, inside the county
    body = client.get(reverse("people-detail", args=[town.pk])).content.decode()
    assert "accounts.grant_membership" in body and "accounts.revoke_membership" in body
    assert "accounts.deactivate" in body and "xiezuo" in body


def test_the_history_is_paginated(client, county):
    town = make_user("town_office", region=XIHU_TOWN)
    for i in range(30):
        change_membership(county, town.memberships.get(),
                          region=XIHU_TOWN_2 if i % 2 == 0 else XIHU_TOWN)
    first = client.get(reverse("people-detail", args=[town.pk])).content.decode()
    assert "第 1 / 2 页" in first
    second = client.get(reverse("people-detail", args=[town.pk]) + "?page=2")
    assert second.status_code == 200 and "第 2 / 2 页" in second.content.decode()


def test_out_of_scope_people_are_404(client, county):
    for other in (make_user("town_office", region=NANHU_TOWN),
                  make_user("county_office", region=NANHU),
                  make_user("city_office", region=HANGZHOU),
                  make_user("unit_admin", unit=UnitFactory(region_id=NANHU_TOWN))):
        assert client.get(reverse("people-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("people-detail", args=[999999])).status_code == 404


def test_a_person_with_one_membership_outside_the_scope_is_404(client, county):
    both = make_user("town_office", region=XIHU_TOWN)
    Membership.objects.create(user=both, role="coordinator", region_id=NANHU_TOWN)
    assert client.get(reverse("people-detail", args=[both.pk])).status_code == 404


def test_units_assessors_and_colleagues_in_scope(client, county):
    unit_admin = make_user("unit_admin", unit=UnitFactory(region_id=XIHU_TOWN))
    assessor = make_user("assessor", organisation=make_organisation(XIHU))
    colleague = make_user("county_office", region=XIHU)
    for person in (unit_admin, assessor, colleague):
        assert client.get(reverse("people-detail", args=[person.pk])).status_code == 200


def test_non_offices_get_404_for_others_and_read_only_for_themselves(client):
    unit_admin = make_user("unit_admin", unit=UnitFactory(region_id=XIHU_TOWN))
    colleague = make_user("unit_admin", unit=unit_admin.memberships.get().unit)
    client.force_login(unit_admin)
    assert client.get(reverse("people-detail", args=[colleague.pk])).status_code == 404
    own = client.get(reverse("people-detail", args=[unit_admin.pk]))
    body = own.content.decode()
    assert own.status_code == 200 and "本人" in body
    assert "people-password-reset" not in body and "修改角色或区划" not in body
    assert client.post(reverse("people-password-reset",
                               args=[unit_admin.pk])).status_code == 404
    assert reverse("people-detail", args=[unit_admin.pk]) in client.get(
        reverse("home")).content.decode()  # the header links to one's own page


def test_an_office_sees_no_forms_on_its_own_page(client, county):
    body = client.get(reverse("people-detail", args=[county.pk])).content.decode()
    assert "重置密码" not in body and "增加角色授权" not in body


def test_acts_outside_the_viewers_scope_are_hidden_but_the_person_sees_them(client, county):
    from django.db import transaction

    from hexie.core import audit

    town = make_user("town_office", region=XIHU_TOWN)
    with transaction.atomic():  # something the person did before, recorded in another county
        audit.record(town, "units.update", None, object_type="units.unit", object_id="77",
                     object_repr="南湖某单位", region_code=NANHU_TOWN)
        audit.record(town, "units.update", None, object_type="units.unit", object_id="78",
                     object_repr="西湖某单位", region_code=XIHU_TOWN)
    body = client.get(reverse("people-detail", args=[town.pk])).content.decode()
    assert "西湖某单位" in body and "南湖某单位" not in body
    client.force_login(town)
    own = client.get(reverse("people-detail", args=[town.pk])).content.decode()
    assert "西湖某单位" in own and "南湖某单位" in own


def test_the_office_sees_the_persons_sign_in_history_and_others_do_not(client, county):
    """Issue 10 §4: sign-in history per person, visible to them and to their office."""
    from hexie.accounts.models import SignIn

    town = make_user("town_office", region=XIHU_TOWN, username="denglu")
    SignIn.objects.create(user=town, username="denglu", ip="10.1.2.3", success=True,
                          method=SignIn.Method.PASSWORD)
    SignIn.objects.create(user=county, username=county.username, ip="10.9.9.9", success=True,
                          method=SignIn.Method.PASSWORD)
    body = client.get(reverse("people-detail", args=[town.pk])).content.decode()
    assert 'data-testid="sign-ins"' in body
    assert "10.1.2.3" in body and "10.9.9.9" not in body  # only this person's sign-ins
