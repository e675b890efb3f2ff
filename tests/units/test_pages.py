"""Registry pages: list with filters and region cascade, pagination, create per kind, errors in
Chinese next to the field, htmx partials, detail with the audit trail for offices only."""

import re

import pytest

from hexie.accounts.roles import Role
from hexie.core.models import AuditEvent
from hexie.units import credit_code as cc
from hexie.units import services
from hexie.units.models import Kind, Unit
from hexie.units.size import Size
from tests.factories import (
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    make_organisation,
    make_user,
)
from tests.factories import credit_code as new_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)
    return user


@pytest.fixture
def registry():
    return {
        "a": UnitFactory(name="西湖甲制造有限公司"),
        "b": UnitFactory(name="西溪乙科技有限公司", region_id=XIHU_TOWN_2, employees=5,
                         size_derived=Size.MICRO, size=Size.MICRO),
        "park": UnitFactory(kind=Kind.INDUSTRIAL_PARK, name="西湖丙园区", credit_code=None,
                            industry="", industry_section="", employees=None,
                            revenue_yuan=None, assets_yuan=None, size_derived="", size=""),
        "nanhu": UnitFactory(name="南湖丁制造有限公司", region_id=NANHU_TOWN),
    }


def listed_names(html):
    return sorted(re.findall(r'<td class="name"><a href="/units/\d+/"[^>]*>([^<]+)</a>', html))


def get_html(client, url, params=None, **headers):
    response = client.get(url, params or {}, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


# --- list -------------------------------------------------------------------------------

def test_list_shows_the_scope_only(client, office, registry):
    html = get_html(client, "/units/")
    assert listed_names(html) == sorted(["西湖甲制造有限公司", "西溪乙科技有限公司", "西湖丙园区"])
    assert "共 3 个单位" in html
    assert "南湖丁制造有限公司" not in html


@pytest.mark.parametrize("params,expected", [
    ({"kind": "industrial_park"}, ["西湖丙园区"]),
    ({"kind": "enterprise"}, ["西湖甲制造有限公司", "西溪乙科技有限公司"]),
    ({"size": "micro"}, ["西溪乙科技有限公司"]),
    ({"size": "medium"}, ["西湖甲制造有限公司"]),
    ({"q": "科技"}, ["西溪乙科技有限公司"]),
    ({"q": "南湖"}, []),
    ({"r1": XIHU_TOWN_2}, ["西溪乙科技有限公司"]),
    ({"r1": XIHU_TOWN, "kind": "enterprise"}, ["西湖甲制造有限公司"]),
])
def test_list_filters(client, office, registry, params, expected):
    html = get_html(client, "/units/", params)
    assert listed_names(html) == sorted(expected)
    assert f"共 {len(expected)} 个单位" in html


def test_q_finds_an_exact_credit_code(client, office, registry):
    html = get_html(client, "/units/", {"q": registry["b"].credit_code})
    assert listed_names(html) == ["西溪乙科技有限公司"]


def test_selected_filters_are_kept_in_the_form(client, office, registry):
    html = get_html(client, "/units/", {"kind": "enterprise", "size": "micro", "q": "乙"})
    assert '<option value="enterprise" selected>' in html
    assert '<option value="micro" selected>' in html
    assert 'value="乙"' in html


def select_options(html, name):
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {name}"
    return [(code, bool(chosen)) for code, chosen in
            re.findall(r'<option value="(\d*)"\s*(selected)?>', match.group(1))]


def test_region_cascade_for_a_city_office(client, registry):
    client.force_login(make_user(Role.CITY_OFFICE, region="3301"))
    html = get_html(client, "/units/")
    r1 = [code for code, _ in select_options(html, "r1")]
    assert r1[0] == "" and XIHU in r1 and "330108" in r1
    assert all(len(c) == 6 and c.startswith("3301") for c in r1[1:])
    assert 'name="r2"' not in html
    html = get_html(client, "/units/", {"r1": XIHU})
    assert (XIHU, True) in select_options(html, "r1")
    r2 = [code for code, _ in select_options(html, "r2")]
    assert r2[0] == ""
    assert {XIHU_TOWN, XIHU_TOWN_2} <= set(r2[1:])
    assert all(len(c) == 9 and c.startswith(XIHU) for c in r2[1:])
    assert "北山街道" in html
    assert 'name="r3"' not in html
    assert listed_names(html) == sorted(["西湖甲制造有限公司", "西溪乙科技有限公司", "西湖丙园区"])
    html = get_html(client, "/units/", {"r1": XIHU, "r2": XIHU_TOWN_2})
    assert (XIHU_TOWN_2, True) in select_options(html, "r2")
    assert listed_names(html) == ["西溪乙科技有限公司"]


def test_region_select_outside_the_scope_is_ignored_not_leaked(client, registry):
    client.force_login(make_user(Role.CITY_OFFICE, region="3301"))
    html = get_html(client, "/units/", {"r1": "330402"})
    assert ("330402", True) not in select_options(html, "r1")
    assert "南湖丁制造有限公司" not in html
    assert listed_names(html) == []


def test_county_office_first_select_lists_its_towns(client, office, registry):
    html = get_html(client, "/units/")
    r1 = [code for code, _ in select_options(html, "r1")]
    assert {XIHU_TOWN, XIHU_TOWN_2} <= set(r1)
    assert all(c.startswith(XIHU) and len(c) == 9 for c in r1[1:])


def test_pagination(client, office):
    UnitFactory.create_batch(51)
    first = get_html(client, "/units/")
    assert len(listed_names(first)) == 50
    assert "共 51 个单位" in first
    assert "第 1 / 2 页" in first
    assert "page=2" in first
    second = get_html(client, "/units/", {"page": 2})
    assert len(listed_names(second)) == 1
    assert "第 2 / 2 页" in second
    assert set(listed_names(first)).isdisjoint(listed_names(second))
    # Filters survive in the page links.
    filtered = get_html(client, "/units/", {"kind": "enterprise"})
    assert "?kind=enterprise&page=2" in filtered


def test_htmx_request_gets_the_partial(client, office, registry):
    partial = get_html(client, "/units/", {"kind": "industrial_park"}, HX_Request="true")
    assert "<html" not in partial
    assert "<body" not in partial
    assert listed_names(partial) == ["西湖丙园区"]
    assert 'id="filters"' in partial
    full = get_html(client, "/units/", {"kind": "industrial_park"})
    assert "<html" in full


def test_list_needs_a_role_that_sees_units(client):
    # An assessor with no review assignment reaches no unit at all.
    client.force_login(make_user(Role.ASSESSOR, organisation=make_organisation()))
    assert client.get("/units/").status_code == 404


def test_list_requires_login(client):
    response = client.get("/units/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- create -----------------------------------------------------------------------------

FIELDS = {
    "enterprise": {"name", "credit_code", "region_code", "industry", "employees",
                   "revenue_yuan", "assets_yuan", "platform", "address"},
    "construction_project": {"name", "project_code", "contractor_credit_code", "region_code",
                             "start_date", "end_date", "workers", "address"},
    "industrial_park": {"name", "region_code", "credit_code", "address"},
    "town": {"name", "region_code", "address"},
    "industry": {"name", "industry", "region_code", "credit_code", "address"},
}
ALL_FIELDS = set().union(*FIELDS.values())


def form_fields(html):
    return set(re.findall(r'<(?:input|select|textarea)[^>]*name="(\w+)"', html)) - {
        "csrfmiddlewaretoken", "kind"}


@pytest.mark.parametrize("kind", list(FIELDS))
def test_create_page_shows_the_fields_of_the_kind(client, office, kind):
    html = get_html(client, "/units/new/", {"kind": kind})
    assert form_fields(html) == FIELDS[kind]
    assert f'<option value="{kind}" selected>' in html
    partial = get_html(client, "/units/new/", {"kind": kind}, HX_Request="true")
    assert "<html" not in partial
    assert form_fields(partial) == FIELDS[kind]


def test_create_page_labels_are_chinese(client, office):
    html = get_html(client, "/units/new/", {"kind": "construction_project"})
    for label in ("项目代码", "总承包单位信用代码", "开工日期", "竣工日期", "务工人数"):
        assert f">{label}</label>" in html


def enterprise_post(**overrides):
    return {"kind": "enterprise", "name": "页面登记有限公司", "credit_code": new_code(),
            "region_code": XIHU_TOWN, "industry": "C13", "employees": "300",
            "revenue_yuan": "20000000", "assets_yuan": "", "platform": "否",
            "address": ""} | overrides


def test_create_valid_redirects_to_the_detail_and_is_audited(client, office):
    data = enterprise_post()
    response = client.post("/units/new/", data)
    unit = Unit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/units/{unit.pk}/"
    assert (unit.name, unit.credit_code, unit.size) == ("页面登记有限公司", data["credit_code"],
                                                        "medium")
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.actor_id) == (
        "units.create", str(unit.pk), office.pk)
    detail = get_html(client, response["Location"])
    assert "已登记：页面登记有限公司" in detail
    assert "中型" in detail


def test_create_a_construction_project(client, office):
    response = client.post("/units/new/", {
        "kind": "construction_project", "name": "页面工程", "project_code": "P-2026-1",
        "contractor_credit_code": new_code(), "region_code": XIHU_TOWN,
        "start_date": "2026-03-01", "end_date": "2027-03-01", "workers": "80", "address": ""})
    unit = Unit.objects.get()
    assert response["Location"] == f"/units/{unit.pk}/"
    assert (unit.kind, unit.project_code, unit.workers) == ("construction_project", "P-2026-1",
                                                            80)


def error_text(html, field):
    match = re.search(rf'data-testid="error-{field}">([^<]*)</div>', html)
    return match.group(1) if match else None


def test_create_invalid_shows_the_chinese_error_next_to_the_field(client, office):
    code = new_code()
    response = client.post("/units/new/", enterprise_post(credit_code=code[:17] + (
        "0" if code[17] != "0" else "1"), employees="abc"))
    assert response.status_code == 200
    html = response.content.decode()
    assert error_text(html, "credit_code") == (
        "统一社会信用代码校验位（第 18 位）不正确，请核对代码是否抄录有误")
    assert error_text(html, "employees") == "应为整数"
    assert error_text(html, "name") is None
    assert 'value="页面登记有限公司"' in html  # what was typed stays
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create_missing_required_field(client, office):
    html = client.post("/units/new/", enterprise_post(name="")).content.decode()
    assert error_text(html, "name") == "必填"
    assert not Unit.objects.exists()


def test_create_duplicate_credit_code(client, office, registry):
    html = client.post("/units/new/", enterprise_post(
        credit_code=registry["a"].credit_code)).content.decode()
    assert error_text(html, "credit_code") == "该统一社会信用代码已登记"
    assert Unit.objects.count() == 4


def test_create_outside_the_scope_names_the_region(client, office):
    html = client.post("/units/new/", enterprise_post(region_code=NANHU_TOWN)).content.decode()
    assert error_text(html, "region_code") == "所在区划超出您的管辖范围，未保存。"
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create_page_needs_the_create_permission(client, registry):
    client.force_login(make_user(Role.TOWN_OFFICE, region=XIHU_TOWN))
    assert client.get("/units/new/").status_code == 404
    assert client.post("/units/new/", enterprise_post()).status_code == 404
    assert Unit.objects.count() == 4


# --- detail, edit, size, delete ---------------------------------------------------------

def test_detail_shows_the_audit_trail_to_the_county_office(client, office):
    client.post("/units/new/", enterprise_post(name="审计可见有限公司"))
    unit = Unit.objects.get()
    client.post(f"/units/{unit.pk}/edit/", enterprise_post(
        name="审计可见有限公司", credit_code=unit.credit_code, employees="1000",
        revenue_yuan="400000000"))
    assert Unit.objects.get().size == "large"
    html = get_html(client, f"/units/{unit.pk}/")
    assert 'id="audit"' in html
    assert "units.create" in html
    assert "units.update" in html
    assert re.search(r"职工人数：300 → 1,?000<br>", html)
    assert "新建" in html
    assert office.username in html


def test_detail_hides_the_audit_trail_from_the_unit_admin(client, registry):
    unit = registry["a"]
    # The factory wrote no event; an office's change gives the unit an audit trail.
    services.update_unit(make_user(Role.COUNTY_OFFICE, region=XIHU), unit, {"employees": 400})
    assert AuditEvent.objects.filter(object_id=str(unit.pk)).count() == 1
    client.force_login(make_user(Role.UNIT_ADMIN, unit=unit))
    html = get_html(client, f"/units/{unit.pk}/")
    assert "西湖甲制造有限公司" in html
    assert 'id="audit"' not in html
    assert "units.update" not in html
    assert f'/units/{unit.pk}/size/' not in html  # no size override form either
    assert f'/units/{unit.pk}/delete/' not in html


def test_detail_warns_about_a_wrong_embedded_organisation_code(client, office):
    # given a valid credit code whose GB 11714 part has a wrong check character (7, not 6)
    first17 = "91330106" + "70846113" + "7"
    unit = UnitFactory(credit_code=first17 + cc.check_character(first17))
    # then the page shows the code and, beside it, the warning (registration stays valid)
    html = get_html(client, f"/units/{unit.pk}/")
    assert unit.credit_code in html
    assert 'data-testid="credit-code-warning"' in html
    assert "内嵌组织机构代码校验位不符（仅提示，不影响登记）" in html


def test_detail_has_no_warning_for_a_consistent_code(client, office, registry):
    html = get_html(client, f"/units/{registry['a'].pk}/")
    assert registry["a"].credit_code in html
    assert "credit-code-warning" not in html


def test_detail_outside_the_scope_is_404(client, office, registry):
    assert client.get(f"/units/{registry['nanhu'].pk}/").status_code == 404
    assert client.get(f"/units/{registry['nanhu'].pk}/edit/").status_code == 404


def test_edit_invalid_shows_the_error_and_changes_nothing(client, office, registry):
    unit = registry["a"]
    response = client.post(f"/units/{unit.pk}/edit/", enterprise_post(
        credit_code=unit.credit_code, employees="-1", name="改名"))
    assert response.status_code == 200
    assert error_text(response.content.decode(), "employees") == "不能为负数"
    unit.refresh_from_db()
    assert (unit.name, unit.employees) == ("西湖甲制造有限公司", 350)
    assert not AuditEvent.objects.exists()


def test_size_override_form(client, office, registry):
    unit = registry["a"]
    response = client.post(f"/units/{unit.pk}/size/", {"size_override": "large",
                                                       "size_override_reason": ""},
                           follow=True)
    assert "核定（或撤销核定）企业规模必须填写理由。" in response.content.decode()
    unit.refresh_from_db()
    assert unit.size == "medium"
    client.post(f"/units/{unit.pk}/size/", {"size_override": "large",
                                           "size_override_reason": "集团口径"})
    unit.refresh_from_db()
    assert (unit.size, unit.size_override_reason) == ("large", "集团口径")
    assert AuditEvent.objects.get().action == "units.override_size"


def test_delete_from_the_page(client, office, registry):
    unit = registry["park"]
    response = client.post(f"/units/{unit.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/units/"
    assert not Unit.objects.filter(pk=unit.pk).exists()
    assert AuditEvent.objects.get().action == "units.delete"
