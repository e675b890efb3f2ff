"""Role memberships and the scope they grant (DOMAIN.md §1, hexie.core.scoping)."""

import pytest
from django.core.exceptions import ValidationError

from hexie.accounts.models import CoordinatorAssignment, Membership
from hexie.core.scoping import EMPTY, Scope, _minimal_prefixes, scope_for
from hexie.units.models import Unit
from tests.factories import (
    HANGZHOU,
    JIAXING,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    UserFactory,
    make_organisation,
    make_partner_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db

VIEW = "units.view"
GUANGSHU_TOWN = "330105002"  # 杭州市拱墅区湖墅街道


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is tested in test_auth.py; here it would only slow every user down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user():
    user = UserFactory()
    user.save()
    return user


def fresh(user):
    """The user as a new request would load it (scope_for caches on the instance)."""
    return type(user).objects.get(pk=user.pk)


def visible_ids(user) -> set[int]:
    return set(Unit.objects.visible_to(fresh(user), VIEW).values_list("pk", flat=True))


# --- Membership.clean -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "region"),
    [
        ("province_office", "33"),
        ("city_office", HANGZHOU),
        ("county_office", XIHU),
        ("town_office", XIHU_TOWN),
        ("partner", "33"),
        ("partner", JIAXING),
        ("partner", NANHU),
    ],
)
def test_a_region_scoped_role_accepts_a_region_of_its_level(user, role, region):
    # Given a region-scoped role and a region of the level it needs (partner: its partner
    # organisation's, at province, city or county level)
    partner = make_partner_organisation(region) if role == "partner" else None

    # When the membership is saved
    membership = Membership.objects.create(user=user, role=role, region_id=region,
                                           partner_organisation=partner)

    # Then it is stored and grants that region
    assert membership.pk is not None
    assert scope_for(fresh(user), VIEW).region_prefixes == (region,)


@pytest.mark.parametrize(
    ("role", "region"),
    [
        ("province_office", HANGZHOU),
        ("city_office", "33"),
        ("city_office", XIHU),
        ("county_office", HANGZHOU),
        ("county_office", XIHU_TOWN),
        ("town_office", XIHU),
    ],
)
def test_a_region_scoped_role_refuses_a_region_of_another_level(user, role, region):
    # Given a region-scoped role and a region of the wrong level

    # When the membership is saved
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role=role, region_id=region)

    # Then it is refused on the region, in Chinese, and nothing is stored
    assert refusal.value.message_dict["region"] == ["管辖区划的层级与角色不符。"]
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", ["province_office", "city_office", "county_office",
                                  "town_office"])
def test_a_region_scoped_role_needs_a_region(user, role):
    # Given a region-scoped role without a region

    # When the membership is saved
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role=role)

    # Then it is refused on the region
    assert refusal.value.message_dict["region"] == ["该角色必须指定管辖区划。"]


@pytest.mark.parametrize("role", ["", "boss"])
def test_an_unknown_role_is_a_validation_error(user, role):
    # Given a membership whose role is blank or not one of DOMAIN.md §1's roles

    # When it is saved (save runs full_clean)
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role=role, region_id=XIHU)

    # Then it is refused on the role, like any other invalid input, and nothing is stored
    assert "role" in refusal.value.message_dict
    assert not Membership.objects.filter(user=user).exists()


def test_a_region_scoped_role_cannot_also_name_a_unit(user):
    # Given a county office membership that names a unit as well
    unit = UnitFactory(region_id=XIHU_TOWN)

    # When it is saved
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role="county_office", region_id=XIHU, unit=unit)

    # Then it is refused
    assert "按区划授权的角色不能同时绑定单位或机构。" in refusal.value.messages


def test_a_region_that_does_not_exist_is_refused(user):
    # Given a six-digit code that is no county of Zhejiang

    # When a county office membership names it
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role="county_office", region_id="330199")

    # Then it is refused on the region
    assert "region" in refusal.value.message_dict


def test_a_unit_admin_needs_a_unit(user):
    # Given a unit admin membership without a unit

    # When it is saved
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role="unit_admin")

    # Then it is refused on the unit
    assert refusal.value.message_dict["unit"] == ["创建单位经办人必须且只能绑定一个单位。"]


def test_a_unit_admin_cannot_also_hold_a_region(user):
    # Given a unit admin membership naming a unit and a region
    unit = UnitFactory(region_id=XIHU_TOWN)

    # When it is saved
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role="unit_admin", unit=unit, region_id=XIHU)

    # Then it is refused: a unit admin reaches their unit and nothing else
    assert "unit" in refusal.value.message_dict


def test_a_unit_admin_reaches_exactly_their_unit(user):
    # Given a unit admin of one unit, and a second unit in the same town
    own, neighbour = UnitFactory(region_id=XIHU_TOWN), UnitFactory(region_id=XIHU_TOWN)

    # When the membership is saved
    Membership.objects.create(user=user, role="unit_admin", unit=own)

    # Then the scope is that unit alone
    assert scope_for(fresh(user), VIEW) == Scope((), frozenset({own.pk}))
    assert visible_ids(user) == {own.pk}
    assert neighbour.pk not in visible_ids(user)


def test_an_assessor_needs_an_organisation(user):
    # Given an assessor membership without an organisation

    # When it is saved
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role="assessor")

    # Then it is refused on the organisation
    assert refusal.value.message_dict["organisation"] == ["评估机构人员必须绑定所属评估机构。"]


def test_an_assessor_with_an_organisation_reaches_no_unit_yet(user):
    # Given an assessor of an organisation located in 西湖区, and a unit there
    UnitFactory(region_id=XIHU_TOWN)

    # When the membership is saved
    Membership.objects.create(user=user, role="assessor", organisation=make_organisation(XIHU))

    # Then it is stored but reaches nothing (review assignments come later)
    assert scope_for(fresh(user), VIEW).is_empty
    assert visible_ids(user) == set()


def test_an_assessor_cannot_also_hold_a_region(user):
    # Given an assessor membership that names a region too

    # When it is saved
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role="assessor",
                                  organisation=make_organisation(XIHU), region_id=XIHU)

    # Then it is refused
    assert "organisation" in refusal.value.message_dict


def test_a_coordinator_cannot_be_bound_to_a_unit_directly(user):
    # Given a coordinator membership naming a unit
    unit = UnitFactory(region_id=XIHU_TOWN)

    # When it is saved
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=user, role="coordinator", unit=unit)

    # Then it is refused: coordinators get units through fixed-point assignments
    assert "协调员通过定点联系指派单位，不直接绑定单位。" in refusal.value.messages


def test_a_coordinator_reaches_only_assigned_units_even_with_a_region(user):
    # Given a coordinator membership naming 西湖区, assigned to one of two 西湖区 units
    assigned, other = UnitFactory(region_id=XIHU_TOWN), UnitFactory(region_id=XIHU_TOWN)
    Membership.objects.create(user=user, role="coordinator", region_id=XIHU)
    CoordinatorAssignment.objects.create(coordinator=user, unit=assigned)

    # When their scope is computed
    scope = scope_for(fresh(user), VIEW)

    # Then the region grants nothing: only the assignment counts
    assert scope == Scope((), frozenset({assigned.pk}))
    assert visible_ids(user) == {assigned.pk}
    assert other.pk not in visible_ids(user)


# --- The union of several memberships -------------------------------------------------------


def test_two_county_memberships_reach_both_counties_and_nothing_else(client, user):
    # Given a user who is county office of 西湖区 and of 南湖区
    Membership.objects.create(user=user, role="county_office", region_id=XIHU)
    Membership.objects.create(user=user, role="county_office", region_id=NANHU)
    xihu, nanhu = UnitFactory(region_id=XIHU_TOWN), UnitFactory(region_id=NANHU_TOWN)
    gongshu = UnitFactory(region_id=GUANGSHU_TOWN)

    # When their scope is computed and they browse
    scope = scope_for(fresh(user), VIEW)
    client.force_login(user)

    # Then it is the union of the two counties: pages, API and detail agree
    assert scope.region_prefixes == (XIHU, NANHU)
    assert visible_ids(user) == {xihu.pk, nanhu.pk}
    api = {row["id"] for row in client.get("/api/v1/units/").json()["results"]}
    assert api == {xihu.pk, nanhu.pk}
    assert client.get(f"/units/{xihu.pk}/").status_code == 200
    assert client.get(f"/units/{nanhu.pk}/").status_code == 200
    assert client.get(f"/units/{gongshu.pk}/").status_code == 404


def test_a_city_and_one_of_its_counties_collapse_to_the_city(user):
    # Given a user who is city office of 杭州市 and county office of 西湖区
    Membership.objects.create(user=user, role="city_office", region_id=HANGZHOU)
    Membership.objects.create(user=user, role="county_office", region_id=XIHU)

    # When their scope is computed
    scope = scope_for(fresh(user), VIEW)

    # Then the county adds nothing to the city
    assert scope.region_prefixes == (HANGZHOU,)


def test_a_unit_admin_and_a_county_office_membership_add_up(user):
    # Given a county office of 西湖区 who also administers a unit in 南湖区
    own_nanhu = UnitFactory(region_id=NANHU_TOWN)
    other_nanhu = UnitFactory(region_id=NANHU_TOWN)
    xihu = UnitFactory(region_id=XIHU_TOWN)
    Membership.objects.create(user=user, role="county_office", region_id=XIHU)
    Membership.objects.create(user=user, role="unit_admin", unit=own_nanhu)

    # When their scope is computed
    scope = scope_for(fresh(user), VIEW)

    # Then it holds the county and that one unit, not its neighbours
    assert scope == Scope((XIHU,), frozenset({own_nanhu.pk}))
    assert visible_ids(user) == {xihu.pk, own_nanhu.pk}
    assert other_nanhu.pk not in visible_ids(user)


def test_scope_is_per_permission(user):
    # Given a town office (may view and export, not change) who is also admin of a unit
    own = UnitFactory(region_id=XIHU_TOWN_2)
    Membership.objects.create(user=user, role="town_office", region_id=XIHU_TOWN)
    Membership.objects.create(user=user, role="unit_admin", unit=own)
    fresh_user = fresh(user)

    # When the scopes of different permissions are computed
    view = scope_for(fresh_user, "units.view")
    change = scope_for(fresh_user, "units.change")
    create = scope_for(fresh_user, "units.create")

    # Then each holds only what a membership grants for that permission
    assert view == Scope((XIHU_TOWN,), frozenset({own.pk}))
    assert change == Scope((), frozenset({own.pk}))
    assert create.is_empty


def test_an_inactive_user_has_an_empty_scope(user):
    # Given a county office who has been deactivated
    Membership.objects.create(user=user, role="county_office", region_id=XIHU)
    UnitFactory(region_id=XIHU_TOWN)
    user.is_active = False
    user.save()

    # When their scope is computed
    scope = scope_for(fresh(user), VIEW)

    # Then it is empty
    assert scope is EMPTY
    assert visible_ids(user) == set()


# --- _minimal_prefixes and Scope ------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefixes", "expected"),
    [
        ([], ()),
        (["33", "3301"], ("33",)),
        (["3301", "33"], ("33",)),
        (["3301", XIHU, XIHU_TOWN], ("3301",)),
        ([XIHU_TOWN, XIHU_TOWN_2], (XIHU_TOWN, XIHU_TOWN_2)),
        ([NANHU, XIHU, XIHU], (XIHU, NANHU)),
        ([JIAXING, XIHU, HANGZHOU], (HANGZHOU, JIAXING)),
    ],
)
def test_minimal_prefixes_drop_what_a_shorter_prefix_covers(prefixes, expected):
    # Given some region prefixes

    # When they are reduced
    reduced = _minimal_prefixes(prefixes)

    # Then covered, duplicate ones are gone and the rest are sorted
    assert reduced == expected


def test_minimal_prefixes_do_not_merge_siblings_with_a_common_start():
    # Given 杭州市 (3301) and 温州市 (3303): they share "330" but neither covers the other

    # When they are reduced
    reduced = _minimal_prefixes(["3303", "3301"])

    # Then both stay
    assert reduced == ("3301", "3303")


def test_an_empty_scope_matches_no_unit():
    # Given units in two cities
    UnitFactory(region_id=XIHU_TOWN)
    UnitFactory(region_id=NANHU_TOWN)

    # When the empty scope filters them
    matched = Unit.objects.filter(EMPTY.q())

    # Then none is matched
    assert matched.count() == 0
    assert EMPTY.is_empty


def test_scope_covers_by_prefix_or_unit_id():
    # Given a scope of 西湖区 plus unit 7
    scope = Scope((XIHU,), frozenset({7}))

    # When regions and units are checked against it
    # Then prefixes cover their towns only, and unit 7 is covered wherever it lies
    assert scope.covers_region(XIHU_TOWN)
    assert not scope.covers_region(NANHU_TOWN)
    assert not scope.covers_region(HANGZHOU)  # the city above the county is not inside it
    assert scope.covers(7, NANHU_TOWN)
    assert not scope.covers(8, NANHU_TOWN)
    assert not scope.covers(None, NANHU_TOWN)


# --- A user with no membership --------------------------------------------------------------


def test_a_user_without_membership_sees_nothing(client, user):
    # Given a signed-in user with no membership, and a unit
    unit = UnitFactory(region_id=XIHU_TOWN)
    client.force_login(user)

    # When they open the home page, the registry, the unit, the API and the export
    home = client.get("/")

    # Then the home page tells them they have no role yet and reaches no unit
    assert home.status_code == 200
    assert "尚未分配角色，请联系管理员。" in home.content.decode()
    assert home.context["unit_count"] == 0
    # And every registry channel is closed to them
    assert client.get("/units/").status_code == 404
    assert client.get(f"/units/{unit.pk}/").status_code == 404
    assert client.get(f"/units/{unit.pk}/edit/").status_code == 404
    assert client.get("/units/export.xlsx").status_code == 404
    assert client.get("/units/import/").status_code == 404
    assert client.get("/api/v1/units/").json()["count"] == 0
    assert client.get(f"/api/v1/units/{unit.pk}/").status_code == 404
    assert scope_for(fresh(user), VIEW).is_empty


def test_the_home_page_counts_the_units_in_scope(client):
    # Given a 西湖区 county office, two units inside and one outside
    user = make_user("county_office", region=XIHU)
    UnitFactory(region_id=XIHU_TOWN)
    UnitFactory(region_id=XIHU_TOWN_2)
    UnitFactory(region_id=NANHU_TOWN)
    client.force_login(user)

    # When they open the home page
    home = client.get("/")

    # Then it counts only their two
    assert home.status_code == 200
    assert home.context["unit_count"] == 2
