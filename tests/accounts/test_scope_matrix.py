"""The region-scope choke point, proven channel by channel.

Requirement (issue): one scoping choke point used by every page, API endpoint and export;
outside scope → 404; after every save the unit must still be inside the actor's scope. For
every role × {inside, outside} × channel these tests show that a user cannot read or change a
unit beyond their reach, and can do exactly what their role allows inside it.

The world of every matrix test (fixture ``world``):

* IN  – an enterprise in 西湖区北山街道 (330106002);
* OUT – an enterprise in 嘉兴市南湖区建设街道 (330402007);
* a user holding one membership of the role under test, whose scope holds IN and not OUT.

Two roles need a note:

* ``province_office`` is scoped to 33, the whole of Zhejiang, so no Zhejiang unit is outside
  it. Its OUT is a unit of another province (a 上海市黄浦区 town created for the test), the only
  kind of unit a province office may not reach; it also sees the 南湖区 unit (checked below).
* ``assessor`` reaches units only through review assignments to its organisation, which do
  not exist yet (DOMAIN.md §1; scoping.UNIT_SCOPE_PROVIDERS has no assessor provider). Its
  organisation sits in 西湖区 but that gives it nothing: its "inside" case expects the same
  404 as "outside" — it sees nothing at all.

The expectations below are written out from DOMAIN.md §1 and the issue, independently of
roles.py, so a change to the permission table shows up here.
"""

import csv
import io
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from hexie.accounts.models import CoordinatorAssignment, Membership, User
from hexie.core.errors import NotPermitted
from hexie.core.models import AuditEvent
from hexie.regions.models import Division
from hexie.units.importing import ImportFailed, import_units
from hexie.units.models import ImportJob, Unit
from tests.factories import (
    HANGZHOU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    credit_code,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db

PROVINCE, CITY, COUNTY, TOWN = "province_office", "city_office", "county_office", "town_office"
COORDINATOR, ASSESSOR, PARTNER, UNIT_ADMIN = "coordinator", "assessor", "partner", "unit_admin"
ROLES = (PROVINCE, CITY, COUNTY, TOWN, COORDINATOR, ASSESSOR, PARTNER, UNIT_ADMIN)
INSIDE, OUTSIDE = "inside", "outside"
PLACES = (INSIDE, OUTSIDE)

# What each role may do to a unit it reaches (DOMAIN.md §1, the issue).
CHANGERS = {PROVINCE, CITY, COUNTY, UNIT_ADMIN}  # edit the registry record
OFFICES_THAT_REGISTER = {PROVINCE, CITY, COUNTY}  # register, deregister, override size
EXPORTERS = {PROVINCE, CITY, COUNTY, TOWN, COORDINATOR, UNIT_ADMIN}  # partner: view only

GUANGSHU_TOWN = "330105002"  # 杭州市拱墅区湖墅街道: same city as 西湖区, another county
SHANGHAI_TOWN = "310101002"  # 上海市黄浦区南京东路街道: outside Zhejiang


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 (tests/accounts/test_auth.py) costs ~0.5 s per user; scope does not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    role: str
    user: User
    inside: Unit
    outside: Unit

    def unit(self, place: str) -> Unit:
        return self.inside if place == INSIDE else self.outside

    def reaches(self, place: str) -> bool:
        """Whether the user may see the unit at ``place`` at all."""
        return place == INSIDE and self.role != ASSESSOR


def _other_province_town() -> str:
    """A town outside Zhejiang (the test database holds only Zhejiang's divisions)."""
    Division.objects.create(code="31", name="上海市", level="province")
    Division.objects.create(code="3101", name="市辖区", level="city", parent_id="31")
    Division.objects.create(code="310101", name="黄浦区", level="county", parent_id="3101")
    Division.objects.create(code=SHANGHAI_TOWN, name="南京东路街道", level="town",
                            parent_id="310101")
    return SHANGHAI_TOWN


def build_user(role: str, inside: Unit):
    """A user of ``role`` whose scope holds ``inside`` (except the assessor, see module doc)."""
    if role == PROVINCE:
        return make_user(role, region="33")
    if role == CITY:
        return make_user(role, region=HANGZHOU)
    if role in (COUNTY, PARTNER):
        return make_user(role, region=XIHU)
    if role == TOWN:
        return make_user(role, region=XIHU_TOWN)
    if role == COORDINATOR:
        user = make_user(role)
        CoordinatorAssignment.objects.create(coordinator=user, unit=inside)
        return user
    if role == ASSESSOR:
        return make_user(role, organisation=make_organisation(XIHU))
    if role == UNIT_ADMIN:
        return make_user(role, unit=inside)
    raise AssertionError(role)


@pytest.fixture
def world(role, client) -> World:
    inside = UnitFactory(region_id=XIHU_TOWN, name="西湖区内的企业")
    outside_town = _other_province_town() if role == PROVINCE else NANHU_TOWN
    outside = UnitFactory(region_id=outside_town, name="辖区外的企业")
    user = build_user(role, inside)
    client.force_login(user)
    return World(role, user, inside, outside)


def snapshot(unit: Unit) -> dict:
    return Unit.objects.filter(pk=unit.pk).values().get()


def events_for(unit: Unit):
    return AuditEvent.objects.filter(object_type="units.unit", object_id=str(unit.pk))


def edit_form_data(unit: Unit, **changes) -> dict:
    """What the edit page's form posts back, with ``changes`` applied."""
    unit.refresh_from_db()
    data = {
        "name": unit.name, "credit_code": unit.credit_code, "region_code": unit.region_id,
        "industry": unit.industry, "employees": unit.employees,
        "revenue_yuan": unit.revenue_yuan, "assets_yuan": unit.assets_yuan,
        "platform": "是" if unit.platform else "否", "address": unit.address,
    }
    data |= changes
    return {k: "" if v is None else str(v) for k, v in data.items()}


def api_ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def xlsx_cells(response) -> tuple[list[str], list[tuple]]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return list(rows[0]), rows[1:]


def assert_unchanged_and_unaudited(unit: Unit, before: dict) -> None:
    assert snapshot(unit) == before
    assert not events_for(unit).exists()


matrix = pytest.mark.parametrize(
    ("role", "place"), [(role, place) for role in ROLES for place in PLACES]
)


# --- Reading: pages -------------------------------------------------------------------------


@matrix
def test_detail_page_shows_a_reached_unit_and_404s_any_other(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)

    # When the user opens its page
    response = client.get(f"/units/{unit.pk}/")

    # Then it is shown only when reached; otherwise it does not exist for them
    if world.reaches(place):
        assert response.status_code == 200
        assert unit.name in response.content.decode()
    else:
        assert response.status_code == 404
        assert unit.name not in response.content.decode()


@matrix
def test_list_page_lists_reached_units_and_never_others(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)

    # When the user opens the registry list, as a full page and as the htmx fragment
    responses = [client.get("/units/"), client.get("/units/", HTTP_HX_REQUEST="true")]

    for response in responses:
        # Then the assessor, who reaches no unit, has no registry at all
        if world.role == ASSESSOR:
            assert response.status_code == 404
            continue
        # And everybody else finds exactly the reached unit in it
        assert response.status_code == 200
        page = response.content.decode()
        assert (unit.credit_code in page) is world.reaches(place)
        assert (f"/units/{unit.pk}/" in page) is world.reaches(place)


@matrix
def test_list_page_region_filter_cannot_widen_the_scope(world, client, place):
    # Given a unit and a region filter naming exactly that unit's county
    unit = world.unit(place)

    # When the user filters the list by it (also through the cascading selects)
    responses = [client.get("/units/", {"region": unit.region_id[:6]}),
                 client.get("/units/", {"r2": unit.region_id[:6], "r3": unit.region_id})]

    # Then the filter narrows the scope, never widens it
    for response in responses:
        if world.role == ASSESSOR:
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        assert (unit.credit_code in response.content.decode()) is world.reaches(place)


# --- Changing: pages ------------------------------------------------------------------------


@matrix
def test_edit_page_get_opens_only_for_roles_that_may_change(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)

    # When the user opens its edit page
    response = client.get(f"/units/{unit.pk}/edit/")

    # Then: outside → 404; inside → the form for changers, 403 for view-only roles
    if not world.reaches(place):
        assert response.status_code == 404
    elif world.role in CHANGERS:
        assert response.status_code == 200
        assert unit.credit_code in response.content.decode()
    else:
        assert response.status_code == 403


@matrix
def test_edit_page_post_changes_only_a_unit_the_role_may_change(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)
    before = snapshot(unit)

    # When the user posts a new name and head count through the edit page
    response = client.post(f"/units/{unit.pk}/edit/",
                           edit_form_data(unit, name="改名后的企业", employees=360))

    # Then only a changer inside their scope gets it saved, and audited
    if world.reaches(place) and world.role in CHANGERS:
        assert response.status_code == 302
        assert response["Location"] == f"/units/{unit.pk}/"
        unit.refresh_from_db()
        assert (unit.name, unit.employees) == ("改名后的企业", 360)
        event = events_for(unit).get()
        assert event.action == "units.update"
        assert (event.actor_id, event.actor_username) == (world.user.pk, world.user.username)
        assert event.before["name"] == before["name"]
        assert (event.after["name"], event.after["employees"]) == ("改名后的企业", 360)
        assert event.ip == "127.0.0.1"
    else:
        assert response.status_code == (403 if world.reaches(place) else 404)
        assert_unchanged_and_unaudited(unit, before)


@matrix
def test_size_override_page_works_only_for_offices_inside_their_scope(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)
    before = snapshot(unit)

    # When the user overrides its size on the page
    response = client.post(f"/units/{unit.pk}/size/",
                           {"size_override": "large", "size_override_reason": "经核实为大型"})

    # Then only a registering office inside its scope succeeds
    if world.reaches(place) and world.role in OFFICES_THAT_REGISTER:
        assert response.status_code == 302
        unit.refresh_from_db()
        assert (unit.size_override, unit.size) == ("large", "large")
        event = events_for(unit).get()
        assert (event.action, event.actor_id, event.ip) == (
            "units.override_size", world.user.pk, "127.0.0.1")
        assert (event.before["size"], event.after["size"]) == ("medium", "large")
    else:
        assert response.status_code == (403 if world.reaches(place) else 404)
        assert_unchanged_and_unaudited(unit, before)


@matrix
def test_delete_page_deregisters_only_for_offices_inside_their_scope(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)
    before = snapshot(unit)

    # When the user posts its deregistration
    response = client.post(f"/units/{unit.pk}/delete/")

    # Then only a registering office inside its scope removes it
    if world.reaches(place) and world.role in OFFICES_THAT_REGISTER:
        assert response.status_code == 302
        assert not Unit.objects.filter(pk=unit.pk).exists()
        event = events_for(unit).get()
        assert (event.action, event.actor_id, event.ip) == (
            "units.delete", world.user.pk, "127.0.0.1")
    else:
        assert response.status_code == (403 if world.reaches(place) else 404)
        assert_unchanged_and_unaudited(unit, before)


# --- Reading and changing: API --------------------------------------------------------------


@matrix
def test_api_detail_answers_a_reached_unit_and_404s_any_other(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)

    # When the user asks the API for it
    response = client.get(f"/api/v1/units/{unit.pk}/")

    # Then it answers only a reached unit
    if world.reaches(place):
        assert response.status_code == 200
        assert response.json()["credit_code"] == unit.credit_code
    else:
        assert response.status_code == 404
        assert unit.credit_code not in response.content.decode()


@matrix
def test_api_options_and_head_reveal_nothing_about_a_unit_out_of_reach(world, client, place):
    # Given a unit inside or outside the user's scope, and a primary key that does not exist
    unit = world.unit(place)
    missing = Unit.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    # When the user sends HEAD and OPTIONS for both
    head = client.head(f"/api/v1/units/{unit.pk}/")
    options = client.options(f"/api/v1/units/{unit.pk}/")
    options_missing = client.options(f"/api/v1/units/{missing}/")

    # Then a unit out of reach answers exactly like one that does not exist
    assert head.status_code == (200 if world.reaches(place) else 404)
    assert options.status_code == 200
    assert unit.credit_code not in options.content.decode()
    if not world.reaches(place):
        assert options.json() == options_missing.json()


@matrix
def test_api_list_holds_reached_units_and_never_others(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)

    # When the user lists units through the API: unfiltered, filtered to the unit's county and
    # searched by the unit's credit code
    plain = client.get("/api/v1/units/")
    filtered = client.get("/api/v1/units/", {"region": unit.region_id[:6]})
    searched = client.get("/api/v1/units/", {"q": unit.credit_code})

    # Then the unit is listed exactly when reached (the assessor gets an empty list)
    for response in (plain, filtered, searched):
        assert response.status_code == 200
        assert (unit.pk in api_ids(response)) is world.reaches(place)
    if world.role == ASSESSOR:
        assert plain.json()["count"] == 0


@matrix
def test_api_patch_changes_only_a_unit_the_role_may_change(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)
    before = snapshot(unit)

    # When the user patches its head count
    response = client.patch(f"/api/v1/units/{unit.pk}/", {"employees": 777},
                            content_type="application/json")

    # Then only a changer inside their scope gets it saved, and audited
    if world.reaches(place) and world.role in CHANGERS:
        assert response.status_code == 200
        assert response.json()["employees"] == 777
        unit.refresh_from_db()
        assert unit.employees == 777
        event = events_for(unit).get()
        assert (event.action, event.actor_id, event.actor_username, event.ip) == (
            "units.update", world.user.pk, world.user.username, "127.0.0.1")
        assert (event.before["employees"], event.after["employees"]) == (350, 777)
    elif world.reaches(place):
        assert response.status_code == 403
        assert "不能修改" in response.json()["detail"]
        assert_unchanged_and_unaudited(unit, before)
    else:
        assert response.status_code == 404
        assert_unchanged_and_unaudited(unit, before)


@matrix
def test_api_put_cannot_reach_a_unit_outside_scope(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)
    before = snapshot(unit)

    # When the user replaces it through PUT
    response = client.put(f"/api/v1/units/{unit.pk}/", {"name": "PUT 改名"},
                          content_type="application/json")

    # Then PUT follows the same rules as PATCH
    if world.reaches(place) and world.role in CHANGERS:
        assert response.status_code == 200
        assert Unit.objects.get(pk=unit.pk).name == "PUT 改名"
    else:
        assert response.status_code == (403 if world.reaches(place) else 404)
        assert_unchanged_and_unaudited(unit, before)


@matrix
def test_api_delete_removes_only_a_unit_the_office_registers(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)
    before = snapshot(unit)

    # When the user deletes it through the API
    response = client.delete(f"/api/v1/units/{unit.pk}/")

    # Then only a registering office inside its scope removes it, and it is audited
    if world.reaches(place) and world.role in OFFICES_THAT_REGISTER:
        assert response.status_code == 204
        assert not Unit.objects.filter(pk=unit.pk).exists()
        event = events_for(unit).get()
        assert (event.action, event.actor_id, event.ip) == (
            "units.delete", world.user.pk, "127.0.0.1")
        assert event.before["credit_code"] == before["credit_code"]
    else:
        assert response.status_code == (403 if world.reaches(place) else 404)
        assert Unit.objects.filter(pk=unit.pk).exists()
        assert_unchanged_and_unaudited(unit, before)


@matrix
def test_api_size_override_works_only_for_offices_inside_their_scope(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)
    before = snapshot(unit)

    # When the user overrides its size through the API
    response = client.post(f"/api/v1/units/{unit.pk}/size-override/",
                           {"size_override": "small", "size_override_reason": "经核实为小型"},
                           content_type="application/json")

    # Then only a registering office inside its scope succeeds
    if world.reaches(place) and world.role in OFFICES_THAT_REGISTER:
        assert response.status_code == 200
        assert response.json()["size"] == "small"
        event = events_for(unit).get()
        assert (event.action, event.actor_id, event.ip) == (
            "units.override_size", world.user.pk, "127.0.0.1")
        assert event.after["reason"] == "经核实为小型"
    else:
        assert response.status_code == (403 if world.reaches(place) else 404)
        assert_unchanged_and_unaudited(unit, before)


# --- Export ---------------------------------------------------------------------------------


@matrix
def test_export_holds_reached_units_and_never_others(world, client, place):
    # Given a unit inside or outside the user's scope
    unit = world.unit(place)

    # When the user exports the registry, unfiltered and filtered to the unit's county
    plain = client.get("/units/export.xlsx")
    filtered = client.get("/units/export.xlsx", {"region": unit.region_id[:6]})

    # Then roles without export have no export at all (partner: view only; assessor: nothing)
    if world.role not in EXPORTERS:
        assert (plain.status_code, filtered.status_code) == (404, 404)
        return
    # And every other role's workbook holds the unit exactly when reached
    for response in (plain, filtered):
        assert response.status_code == 200
        header, rows = xlsx_cells(response)
        codes = {row[header.index("统一社会信用代码")] for row in rows}
        assert (unit.credit_code in codes) is world.reaches(place)
        if not world.reaches(place):
            every_cell = {str(v) for row in rows for v in row}
            assert unit.credit_code not in every_cell
            assert unit.name not in every_cell


# --- Neighbours just outside the scope ------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "region", "neighbour_town"),
    [
        (CITY, HANGZHOU, NANHU_TOWN),        # another city
        (COUNTY, XIHU, GUANGSHU_TOWN),       # another county of the same city
        (PARTNER, XIHU, GUANGSHU_TOWN),      # another county of the same city
        (TOWN, XIHU_TOWN, XIHU_TOWN_2),      # another town of the same county
    ],
)
def test_a_unit_just_across_the_border_is_404_everywhere(client, role, region, neighbour_town):
    # Given a region-scoped user and a unit in the neighbouring division
    user = make_user(role, region=region)
    neighbour = UnitFactory(region_id=neighbour_town)
    before = snapshot(neighbour)
    client.force_login(user)

    # When they try every channel on it
    answers = [
        client.get(f"/units/{neighbour.pk}/").status_code,
        client.get(f"/units/{neighbour.pk}/edit/").status_code,
        client.post(f"/units/{neighbour.pk}/edit/", edit_form_data(neighbour)).status_code,
        client.get(f"/api/v1/units/{neighbour.pk}/").status_code,
        client.patch(f"/api/v1/units/{neighbour.pk}/", {"employees": 1},
                     content_type="application/json").status_code,
        client.delete(f"/api/v1/units/{neighbour.pk}/").status_code,
    ]

    # Then the unit does not exist for them and stays as it was
    assert answers == [404] * len(answers)
    assert neighbour.pk not in api_ids(client.get("/api/v1/units/"))
    assert_unchanged_and_unaudited(neighbour, before)


def test_the_province_office_reaches_every_zhejiang_county(client):
    # Given a province office and units in two cities
    user = make_user(PROVINCE, region="33")
    xihu, nanhu = UnitFactory(region_id=XIHU_TOWN), UnitFactory(region_id=NANHU_TOWN)
    client.force_login(user)

    # When it lists the API
    ids = api_ids(client.get("/api/v1/units/"))

    # Then both are there
    assert {xihu.pk, nanhu.pk} <= ids


# --- No moving a unit out of one's scope ----------------------------------------------------


@pytest.fixture
def county_office(client):
    user = make_user(COUNTY, region=XIHU)
    client.force_login(user)
    return user


def test_county_office_cannot_move_its_unit_into_another_county_through_the_api(
    client, county_office
):
    # Given a county office's unit in 西湖区
    unit = UnitFactory(region_id=XIHU_TOWN)
    before = snapshot(unit)

    # When it patches the region to a town in 嘉兴南湖区
    response = client.patch(f"/api/v1/units/{unit.pk}/", {"region_code": NANHU_TOWN},
                            content_type="application/json")

    # Then the change is refused in Chinese, rolled back and not audited
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "out_of_scope"
    assert body["field"] == "region_code"
    assert "管辖范围" in body["detail"]
    assert_unchanged_and_unaudited(unit, before)
    assert not AuditEvent.objects.exists()


def test_county_office_cannot_move_its_unit_into_another_county_through_the_edit_page(
    client, county_office
):
    # Given a county office's unit in 西湖区
    unit = UnitFactory(region_id=XIHU_TOWN)
    before = snapshot(unit)

    # When it posts the edit form with a 拱墅区 town (same city, other county)
    response = client.post(f"/units/{unit.pk}/edit/",
                           edit_form_data(unit, region_code=GUANGSHU_TOWN))

    # Then the form comes back with the Chinese refusal on the region field; nothing is saved
    assert response.status_code == 200
    assert "所在区划超出您的管辖范围，未保存。" in response.content.decode()
    assert response.context["form"].errors["region_code"] == ["所在区划超出您的管辖范围，未保存。"]
    assert_unchanged_and_unaudited(unit, before)


def test_county_office_may_move_its_unit_between_towns_of_its_own_county(client, county_office):
    # Given a county office's unit in 北山街道
    unit = UnitFactory(region_id=XIHU_TOWN)

    # When it moves the unit to 西溪街道, also in 西湖区
    response = client.patch(f"/api/v1/units/{unit.pk}/", {"region_code": XIHU_TOWN_2},
                            content_type="application/json")

    # Then the move is saved and audited
    assert response.status_code == 200
    assert Unit.objects.get(pk=unit.pk).region_id == XIHU_TOWN_2
    event = events_for(unit).get()
    assert (event.before["region_id"], event.after["region_id"]) == (XIHU_TOWN, XIHU_TOWN_2)


@pytest.mark.parametrize("channel", ["api", "page"])
def test_county_office_cannot_register_a_unit_in_another_county(client, county_office, channel):
    # Given a county office of 西湖区
    code = credit_code("330402")
    data = {"name": "越界登记的企业", "credit_code": code, "region_code": NANHU_TOWN,
            "industry": "C13", "employees": "20", "revenue_yuan": "1000000", "platform": "否"}

    # When it registers an enterprise located in 南湖区, through the API or the page
    if channel == "api":
        response = client.post("/api/v1/units/", data | {"kind": "企业"},
                               content_type="application/json")
    else:
        response = client.post("/units/new/", data | {"kind": "enterprise"})

    # Then it is refused in Chinese, nothing is written and nothing is audited
    if channel == "api":
        assert response.status_code == 400
        assert "管辖范围" in response.json()["detail"]
    else:
        assert response.status_code == 200
        assert "所在区划超出您的管辖范围，未保存。" in response.content.decode()
    assert not Unit.objects.filter(credit_code=code).exists()
    assert not AuditEvent.objects.exists()


def test_county_office_registers_a_unit_in_its_own_county(client, county_office):
    # Given a county office of 西湖区 (a control for the refusal above)
    code = credit_code(XIHU)

    # When it registers an enterprise in 西湖区 on the page
    response = client.post("/units/new/", {
        "kind": "enterprise", "name": "本县新登记企业", "credit_code": code,
        "region_code": XIHU_TOWN, "industry": "C13", "employees": "20",
        "revenue_yuan": "1000000", "platform": "否"})

    # Then it is registered and audited
    unit = Unit.objects.get(credit_code=code)
    assert response.status_code == 302
    event = events_for(unit).get()
    assert (event.action, event.actor_id, event.ip) == (
        "units.create", county_office.pk, "127.0.0.1")


def test_city_office_may_move_a_unit_between_two_counties_of_its_city(client):
    # Given a 杭州市 city office and a unit in 西湖区
    user = make_user(CITY, region=HANGZHOU)
    unit = UnitFactory(region_id=XIHU_TOWN)
    client.force_login(user)

    # When it moves the unit to 拱墅区
    response = client.patch(f"/api/v1/units/{unit.pk}/", {"region_code": GUANGSHU_TOWN},
                            content_type="application/json")

    # Then the move is saved and audited with actor, before/after and IP
    assert response.status_code == 200
    assert response.json()["region_code"] == GUANGSHU_TOWN
    assert Unit.objects.get(pk=unit.pk).region_id == GUANGSHU_TOWN
    event = events_for(unit).get()
    assert event.action == "units.update"
    assert (event.actor_id, event.actor_username) == (user.pk, user.username)
    assert (event.before["region_id"], event.after["region_id"]) == (XIHU_TOWN, GUANGSHU_TOWN)
    assert event.region_code == GUANGSHU_TOWN
    assert event.ip == "127.0.0.1"


def test_city_office_cannot_move_a_unit_into_another_city(client):
    # Given a 杭州市 city office and a unit in 西湖区
    user = make_user(CITY, region=HANGZHOU)
    unit = UnitFactory(region_id=XIHU_TOWN)
    before = snapshot(unit)
    client.force_login(user)

    # When it moves the unit to 嘉兴市南湖区
    response = client.patch(f"/api/v1/units/{unit.pk}/", {"region_code": NANHU_TOWN},
                            content_type="application/json")

    # Then it is refused and nothing changes
    assert response.status_code == 400
    assert "管辖范围" in response.json()["detail"]
    assert_unchanged_and_unaudited(unit, before)


@pytest.mark.parametrize("channel", ["api", "page"])
def test_being_also_the_units_admin_does_not_license_a_move_out_of_the_county(
    client, county_office, channel
):
    # Given a 西湖区 county office who is also the admin of one 西湖区 unit
    unit = UnitFactory(region_id=XIHU_TOWN)
    Membership.objects.create(user=county_office, role=UNIT_ADMIN, unit=unit)
    before = snapshot(unit)

    # When it moves that unit to 嘉兴南湖区 (neither role alone may do so)
    if channel == "api":
        client.patch(f"/api/v1/units/{unit.pk}/", {"region_code": NANHU_TOWN},
                     content_type="application/json")
    else:
        client.post(f"/units/{unit.pk}/edit/", edit_form_data(unit, region_code=NANHU_TOWN))

    # Then the move is refused: the unit stays in 西湖区 and nothing is audited
    assert_unchanged_and_unaudited(unit, before)


# --- A unit admin and their own unit --------------------------------------------------------


@pytest.fixture
def own_unit_admin(client):
    unit = UnitFactory(region_id=XIHU_TOWN)
    user = make_user(UNIT_ADMIN, unit=unit)
    client.force_login(user)
    return user, unit


@pytest.mark.parametrize(
    ("field", "new_value", "label"),
    [
        ("credit_code", lambda: credit_code(XIHU), "统一社会信用代码"),
        ("region_code", lambda: XIHU_TOWN_2, "所在区划代码"),
        ("region_code", lambda: NANHU_TOWN, "所在区划代码"),
    ],
)
def test_unit_admin_cannot_change_identity_or_location_of_their_unit(
    client, own_unit_admin, field, new_value, label
):
    # Given a unit admin and their own unit
    _, unit = own_unit_admin
    before = snapshot(unit)

    # When they patch its credit code or region
    response = client.patch(f"/api/v1/units/{unit.pk}/", {field: new_value()},
                            content_type="application/json")

    # Then it is forbidden, in Chinese naming the field, and nothing changes
    assert response.status_code == 403
    body = response.json()
    assert body["detail"] == f"单位经办人不能修改：{label}"
    assert body["field"] == field
    assert_unchanged_and_unaudited(unit, before)


def test_unit_admin_may_correct_the_head_count_of_their_unit(client, own_unit_admin):
    # Given a unit admin and their own unit
    user, unit = own_unit_admin

    # When they correct its employees (resending unchanged identity fields is harmless)
    response = client.patch(f"/api/v1/units/{unit.pk}/",
                            {"employees": 420, "credit_code": unit.credit_code,
                             "region_code": unit.region_id},
                            content_type="application/json")

    # Then it is saved and audited
    assert response.status_code == 200
    assert Unit.objects.get(pk=unit.pk).employees == 420
    event = events_for(unit).get()
    assert (event.action, event.actor_id, event.ip) == ("units.update", user.pk, "127.0.0.1")
    assert (event.before["employees"], event.after["employees"]) == (350, 420)
    assert event.before["credit_code"] == event.after["credit_code"] == unit.credit_code


def test_unit_admin_edit_page_ignores_posted_identity_fields(client, own_unit_admin):
    # Given a unit admin and their own unit
    _, unit = own_unit_admin
    old_code = unit.credit_code

    # When they post the edit form with a new credit code, a 南湖区 town and a new head count
    response = client.post(f"/units/{unit.pk}/edit/", edit_form_data(
        unit, credit_code=credit_code(XIHU), region_code=NANHU_TOWN, employees=410))

    # Then only the head count is saved: the identity fields are locked on their form
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.credit_code, unit.region_id, unit.employees) == (old_code, XIHU_TOWN, 410)
    event = events_for(unit).get()
    assert event.after["credit_code"] == old_code
    assert event.after["region_id"] == XIHU_TOWN


def test_unit_admin_cannot_deregister_their_own_unit(client, own_unit_admin):
    # Given a unit admin and their own unit
    _, unit = own_unit_admin

    # When they delete it through the API
    response = client.delete(f"/api/v1/units/{unit.pk}/")

    # Then it is forbidden and the unit stays
    assert response.status_code == 403
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert not AuditEvent.objects.exists()


# --- Import ---------------------------------------------------------------------------------

HEADER = ["单位类型", "单位名称", "统一社会信用代码", "所在区划代码", "行业代码", "职工人数",
          "营业收入（元）"]


def write_csv(path, rows) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)


@pytest.fixture
def mixed_file(tmp_path):
    """Row 2 in the county office's own 西湖区, row 3 in 嘉兴南湖区."""
    path = tmp_path / "units.csv"
    inside, outside = credit_code(XIHU), credit_code("330402")
    write_csv(path, [
        ["企业", "本县企业", inside, XIHU_TOWN, "C13", "20", "1000000"],
        ["企业", "外县企业", outside, NANHU_TOWN, "C13", "20", "1000000"],
    ])
    return path, inside, outside


def test_county_office_import_with_a_row_in_another_county_writes_nothing(mixed_file):
    # Given a 西湖区 county office and a file with one row of its own and one of 南湖区
    user = make_user(COUNTY, region=XIHU)
    path, inside, outside = mixed_file
    units_before = Unit.objects.count()

    # When it imports the file
    with pytest.raises(ImportFailed) as failure:
        import_units(user, path)

    # Then row 3 is reported out of scope and no row at all is written or audited
    assert [(e.row, e.column) for e in failure.value.report.errors] == [(3, "所在区划代码")]
    assert failure.value.report.errors[0].message == f"区划 {NANHU_TOWN} 不在您的管辖范围内"
    assert Unit.objects.count() == units_before
    assert not Unit.objects.filter(credit_code__in=[inside, outside]).exists()
    assert not AuditEvent.objects.exists()


def test_county_office_import_through_the_upload_page_fails_the_job(
    client, county_office, mixed_file, settings, tmp_path
):
    # Given a 西湖区 county office and a file with a row in 南湖区
    settings.MEDIA_ROOT = tmp_path / "media"
    path, inside, outside = mixed_file

    # When it uploads the file on the import page (the job runs inline without a broker)
    with open(path, "rb") as fh:
        response = client.post("/units/import/", {"file": fh})

    # Then the job failed with the row error and nothing was written
    assert response.status_code == 302
    job = ImportJob.objects.get(created_by=county_office)
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 3, "column": "所在区划代码",
                           "message": f"区划 {NANHU_TOWN} 不在您的管辖范围内"}]
    assert not Unit.objects.filter(credit_code__in=[inside, outside]).exists()
    assert not AuditEvent.objects.exists()


def test_county_office_import_inside_its_county_succeeds(tmp_path):
    # Given a 西湖区 county office and a file entirely inside 西湖区 (a control for the above)
    user = make_user(COUNTY, region=XIHU)
    path = tmp_path / "own.csv"
    codes = [credit_code(XIHU), credit_code(XIHU)]
    write_csv(path, [["企业", f"本县企业{i}", code, town, "C13", "20", "1000000"]
                     for i, (code, town) in enumerate(zip(codes, (XIHU_TOWN, XIHU_TOWN_2),
                                                              strict=True))])

    # When it imports the file
    report = import_units(user, path)

    # Then both rows are written and the import is audited once
    assert report.imported == 2
    assert Unit.objects.filter(credit_code__in=codes).count() == 2
    assert AuditEvent.objects.filter(action="units.import", actor_id=user.pk).count() == 1


def test_import_jobs_and_their_error_reports_belong_to_their_uploader(
    client, county_office, mixed_file, settings, tmp_path
):
    # Given a failed import job of the 西湖区 county office (its report names a 南湖区 row)
    settings.MEDIA_ROOT = tmp_path / "media"
    path, _, _ = mixed_file
    with open(path, "rb") as fh:
        client.post("/units/import/", {"file": fh})
    job = ImportJob.objects.get(created_by=county_office)

    # When the 南湖区 county office asks for that job and its error report
    other = Client()
    other.force_login(make_user(COUNTY, region="330402"))
    answers = [other.get(f"/units/import/jobs/{job.pk}/"),
               other.get(f"/units/import/jobs/{job.pk}/errors.csv")]

    # Then neither exists for it, while the uploader gets both
    assert [r.status_code for r in answers] == [404, 404]
    assert client.get(f"/units/import/jobs/{job.pk}/").status_code == 200
    assert NANHU_TOWN in client.get(f"/units/import/jobs/{job.pk}/errors.csv").content.decode()


@pytest.mark.parametrize("role", [TOWN, PARTNER, COORDINATOR, UNIT_ADMIN])
def test_roles_without_import_permission_have_no_import(client, role, mixed_file):
    # Given a user whose role may not import
    inside = UnitFactory(region_id=XIHU_TOWN)
    user = build_user(role, inside)
    client.force_login(user)
    path, _, _ = mixed_file

    # When they open the import page or call the import service
    page = client.get("/units/import/")

    # Then the page does not exist for them and the service refuses
    assert page.status_code == 404
    with pytest.raises(NotPermitted, match="没有导入创建单位的权限"):
        import_units(user, path)


# --- Query budget ---------------------------------------------------------------------------

# Measured: 12 = session + user + count + page of units + 2 for the region selects + 6 reads
# of the user's memberships (scope_for caches per permission, and the page asks for five
# permissions plus the navigation's membership list).
LIST_PAGE_QUERY_BUDGET = 12


def test_list_page_for_a_county_office_has_a_fixed_query_budget(
    client, county_office, django_assert_max_num_queries
):
    # Given a county office with 60 units in its county (more than one page)
    UnitFactory.create_batch(60, region_id=XIHU_TOWN)

    # When it opens the list page
    with django_assert_max_num_queries(LIST_PAGE_QUERY_BUDGET):
        response = client.get("/units/")

    # Then the first page of 50 renders within the budget
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 60
    assert len(response.context["page"].object_list) == 50


def test_list_page_query_count_does_not_grow_with_the_rows(client, county_office):
    # Given the list page's query count with a single unit
    UnitFactory(region_id=XIHU_TOWN)
    with CaptureQueriesContext(connection) as one:
        client.get("/units/")

    # When 59 more units (of two kinds of region) are added and the page is opened again
    UnitFactory.create_batch(30, region_id=XIHU_TOWN)
    UnitFactory.create_batch(29, region_id=XIHU_TOWN_2)
    with CaptureQueriesContext(connection) as sixty:
        response = client.get("/units/")

    # Then the page needs exactly as many queries (no query per row)
    assert response.context["page"].paginator.count == 60
    assert len(sixty) == len(one)


def test_csrf_is_enforced_on_scoped_changes():
    # Given a county office signed in through a browser-like client that enforces CSRF
    user = make_user(COUNTY, region=XIHU)
    unit = UnitFactory(region_id=XIHU_TOWN)
    before = snapshot(unit)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    # When it changes its own unit without a CSRF token, on the page and through the API
    page = browser.post(f"/units/{unit.pk}/edit/", edit_form_data(unit, employees=1))
    api = browser.patch(f"/api/v1/units/{unit.pk}/", {"employees": 1},
                        content_type="application/json")

    # Then both are refused before reaching the service
    assert (page.status_code, api.status_code) == (403, 403)
    assert "CSRF" in api.json()["detail"]
    assert_unchanged_and_unaudited(unit, before)
