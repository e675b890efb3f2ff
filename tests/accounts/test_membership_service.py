"""Memberships are created and removed only by accounts.services (issue 9 point 6): inside the
actor's scope, no higher than the actor's own role, audited, all or nothing."""

import pytest
from django.core.management import call_command

from hexie.accounts.models import Membership, User
from hexie.accounts.services import grant_membership, revoke_membership
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.models import AuditEvent
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    UnitFactory,
    UserFactory,
    make_organisation,
    make_partner_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def person():
    user = UserFactory()
    user.save()
    return user


@pytest.fixture
def county():
    return make_user("county_office", region=XIHU)


def test_an_office_grants_inside_its_region_and_the_grant_is_audited(county, person):
    made = grant_membership(county, person, "town_office", region=XIHU_TOWN)
    assert Membership.objects.filter(pk=made.pk, user=person, region_id=XIHU_TOWN).exists()
    event = AuditEvent.objects.get(action="accounts.grant_membership")
    assert event.actor_username == county.username
    assert event.object_id == str(made.pk)
    assert event.region_code == XIHU_TOWN
    assert event.after["role"] == "town_office" and event.after["user_id"] == person.pk


def test_an_office_may_grant_its_own_level_and_roles_below_offices(county, person):
    grant_membership(county, person, "county_office", region=XIHU)
    grant_membership(county, person, "partner", organisation=make_partner_organisation(XIHU))
    unit = UnitFactory(region_id=XIHU_TOWN)
    grant_membership(county, person, "unit_admin", unit=unit)
    grant_membership(county, person, "assessor", organisation=make_organisation(XIHU))
    assert person.memberships.count() == 4


def test_outside_the_scope_is_refused_and_nothing_changes(county, person):
    with pytest.raises(NotPermitted) as refused:
        grant_membership(county, person, "town_office", region=NANHU_TOWN)
    assert refused.value.field == "region"
    with pytest.raises(NotPermitted):
        grant_membership(county, person, "unit_admin", unit=UnitFactory(region_id=NANHU_TOWN))
    with pytest.raises(NotPermitted):
        grant_membership(county, person, "assessor", organisation=make_organisation(NANHU))
    assert not person.memberships.exists()
    assert not AuditEvent.objects.filter(action="accounts.grant_membership").exists()


def test_a_role_above_the_actors_own_is_refused(county, person):
    with pytest.raises(NotPermitted) as refused:
        grant_membership(county, person, "city_office", region=HANGZHOU)
    assert refused.value.field == "role"
    unit = UnitFactory(region_id=XIHU_TOWN)
    unit_admin = make_user("unit_admin", unit=unit)
    with pytest.raises(NotPermitted):
        grant_membership(unit_admin, person, "town_office", region=XIHU_TOWN)
    assert not person.memberships.exists()


def test_a_unit_admin_grants_its_own_unit_only(person):
    unit, other = UnitFactory(region_id=XIHU_TOWN), UnitFactory(region_id=XIHU_TOWN)
    unit_admin = make_user("unit_admin", unit=unit)
    grant_membership(unit_admin, person, "unit_admin", unit=unit)
    with pytest.raises(NotPermitted):
        grant_membership(unit_admin, person, "unit_admin", unit=other)
    assert list(person.memberships.values_list("unit_id", flat=True)) == [unit.pk]


def test_roles_without_the_grant_permission_grant_nothing(person):
    partner = make_user("partner", region=XIHU)
    with pytest.raises(NotPermitted):
        grant_membership(partner, person, "partner",
                         organisation=make_partner_organisation(XIHU))
    assert not person.memberships.exists()


def test_an_invalid_or_duplicate_membership_is_refused_with_its_field(county, person):
    with pytest.raises(DomainError) as invalid:
        grant_membership(county, person, "county_office", region=XIHU_TOWN)  # a town code
    assert invalid.value.field == "region"
    union = make_partner_organisation(XIHU)
    grant_membership(county, person, "partner", organisation=union)
    with pytest.raises(DomainError) as duplicate:
        grant_membership(county, person, "partner", region=XIHU, organisation=union)
    assert duplicate.value.code == "duplicate"
    assert person.memberships.count() == 1
    assert AuditEvent.objects.filter(action="accounts.grant_membership").count() == 1


def test_revoke_follows_the_same_rules_and_is_audited(county, person):
    inside = grant_membership(None, person, "town_office", region=XIHU_TOWN, reason="test")
    outside = grant_membership(None, person, "town_office", region=NANHU_TOWN, reason="test")
    with pytest.raises(NotPermitted):
        revoke_membership(county, outside)
    revoke_membership(county, inside, reason="调离")
    assert list(person.memberships.values_list("pk", flat=True)) == [outside.pk]
    event = AuditEvent.objects.get(action="accounts.revoke_membership")
    assert event.object_id == str(inside.pk)
    assert event.before["region_id"] == XIHU_TOWN and event.after == {"reason": "调离"}


def test_the_system_grants_anything_but_names_its_reason(person):
    with pytest.raises(ValueError):
        grant_membership(None, person, "province_office", region="33")
    grant_membership(None, person, "province_office", region="33", reason="demo")
    event = AuditEvent.objects.get(action="accounts.grant_membership")
    assert event.actor_username == "system" and event.after["reason"] == "demo"


def test_the_operator_command_grants_and_revokes(person):
    call_command("membership", "grant", person.username, "city_office", "--region", HANGZHOU,
                 "--reason", "新任")
    assert person.memberships.get().region_id == HANGZHOU
    call_command("membership", "revoke", person.username, "city_office", "--region", HANGZHOU,
                 "--reason", "离任")
    assert not person.memberships.exists()
    assert AuditEvent.objects.filter(action__endswith="_membership").count() == 2


def test_a_superuser_grants_above_any_office(person):
    operator = User.objects.create_superuser("op", "op@example.org", "Op-pass-123")
    grant_membership(operator, person, "province_office", region="33")
    assert person.memberships.get().role == "province_office"
