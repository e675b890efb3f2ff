"""The registry as people use it, in the system Chromium: a county office logs in, filters the
list, opens a unit; a unit admin sees only their own unit; the list works on a phone.

Each step leaves a screenshot in docs/screenshots/ (look at them after a change to the pages).
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from hexie.accounts.roles import Role
from hexie.regions.loader import load_divisions
from hexie.units import credit_code as cc
from hexie.units import services
from hexie.units.models import Unit
from tests.factories import NANHU, NANHU_TOWN, XIHU, XIHU_TOWN, XIHU_TOWN_2, make_user

pytestmark = pytest.mark.browser

PASSWORD = "Browser-test-2026"
TARGET_NAME = "西湖浏览器测试科技有限公司"
SEARCH = "浏览器测试"
OWN_UNIT_NAME = "杭州西湖经办人自有制造有限公司"

# Enterprises in 西湖区: (name, town, industry, employees, revenue in yuan). The mix of
# industries and sizes gives large, medium, small and micro units.
XIHU_ENTERPRISES = [
    (TARGET_NAME, XIHU_TOWN, "I6513", 260, 120_000_000),
    # Same search word, other town: the town filter must drop it.
    ("西溪浏览器测试软件有限公司", XIHU_TOWN_2, "I6513", 45, 9_000_000),
    (OWN_UNIT_NAME, XIHU_TOWN, "C3489", 1200, 520_000_000),
    ("北山华兴制造有限公司", XIHU_TOWN, "C1711", 320, 60_000_000),
    ("北山鑫恒贸易有限公司", XIHU_TOWN, "F5137", 12, 3_000_000),
    ("北山瑞丰餐饮有限公司", XIHU_TOWN, "H6210", 8, 900_000),
    ("北山博创技术有限公司", XIHU_TOWN, "M7320", 150, 25_000_000),
    ("北山宏昌建设有限公司", XIHU_TOWN, "E4810", 700, 300_000_000),
    ("北山天宇物流有限公司", XIHU_TOWN, "G5430", 90, 40_000_000),
    ("北山云星商务有限公司", XIHU_TOWN, "L7212", 30, 5_000_000),
    ("北山佳新家政服务有限公司", XIHU_TOWN, "O8010", 60, 2_000_000),
    ("北山汇金置业有限公司", XIHU_TOWN, "K7020", 40, 80_000_000),
    ("西溪恒源制造有限公司", XIHU_TOWN_2, "C3311", 2100, 900_000_000),
    ("西溪隆安科技有限公司", XIHU_TOWN_2, "I6513", 320, 150_000_000),
    ("西溪盛达贸易有限公司", XIHU_TOWN_2, "F5212", 25, 12_000_000),
    ("西溪景成餐饮有限公司", XIHU_TOWN_2, "H6110", 110, 20_000_000),
    ("西溪通汇物流有限公司", XIHU_TOWN_2, "G5910", 400, 120_000_000),
    ("西溪海天文化有限公司", XIHU_TOWN_2, "R8610", 18, 1_500_000),
    ("西溪光明环境有限公司", XIHU_TOWN_2, "N7820", 75, 8_000_000),
    ("西溪诚信制造有限公司", XIHU_TOWN_2, "C2927", 5, 800_000),
    ("西溪新力技术有限公司", XIHU_TOWN_2, "M7320", 9, 1_200_000),
    ("西溪远德商务有限公司", XIHU_TOWN_2, "L7212", 300, 110_000_000),
]
XIHU_OTHERS = [
    # Same search word and town as the target but another kind: the kind filter must drop it.
    {"kind": "industrial_park", "name": "北山浏览器测试工业园区", "region_code": XIHU_TOWN},
    {"kind": "industrial_park", "name": "西溪数字工业园区", "region_code": XIHU_TOWN_2},
    {"kind": "construction_project", "name": "北山街道综合楼项目工程",
     "project_code": "2026-330106-48-01-000001", "region_code": XIHU_TOWN,
     "contractor_credit_code": cc.make("91330106", "BRW00001"), "start_date": "2026-03-01",
     "end_date": "2027-12-31", "workers": "260"},
    {"kind": "construction_project", "name": "西溪湿地配套道路项目工程",
     "project_code": "2026-330106-48-01-000002", "region_code": XIHU_TOWN_2,
     "contractor_credit_code": cc.make("91330106", "BRW00002"), "start_date": "2025-06-15",
     "end_date": "2027-06-30", "workers": "120"},
    {"kind": "construction_project", "name": "西溪浏览器测试大楼项目工程",
     "project_code": "2026-330106-48-01-000003", "region_code": XIHU_TOWN_2,
     "contractor_credit_code": cc.make("91330106", "BRW00003"), "start_date": "2026-01-10",
     "end_date": "2028-01-10", "workers": "300"},
    {"kind": "town", "name": "北山街道", "region_code": XIHU_TOWN},
    {"kind": "town", "name": "西溪街道", "region_code": XIHU_TOWN_2},
    {"kind": "industry", "name": "西湖区软件行业协会", "industry": "I65", "region_code": XIHU},
]
XIHU_TOTAL = len(XIHU_ENTERPRISES) + len(XIHU_OTHERS)
NANHU_NAMES = [
    "南湖浏览器测试科技有限公司",  # matches the search word but lies outside 西湖区
    "南湖华兴制造有限公司", "南湖鑫恒贸易有限公司", "南湖瑞丰餐饮有限公司",
    "南湖博创技术有限公司", "南湖宏昌建设有限公司", "南湖天宇物流有限公司",
    "南湖云星商务有限公司", "南湖恒源制造有限公司", "南湖隆安科技有限公司",
]


@dataclass
class Registry:
    county_username: str
    unit_admin_username: str
    target: Unit
    own_unit: Unit
    other_xihu_unit: Unit
    nanhu_unit: Unit


def _enterprise(n: int, name: str, town: str, industry: str, employees: int,
                revenue: int) -> dict:
    return {
        "kind": "enterprise", "name": name, "region_code": town, "industry": industry,
        "credit_code": cc.make("91" + town[:6], f"BRW{n:05d}"), "employees": str(employees),
        "revenue_yuan": str(revenue), "assets_yuan": str(revenue // 2), "platform": "否",
    }


@pytest.fixture
def registry(live_server) -> Registry:
    """~30 units in 西湖区 and 10 in 南湖区, entered through the real service (validated and
    audited) by each county's office; a 西湖 county office user and a unit admin."""
    load_divisions()  # a previous transactional test's flush removed them
    county = make_user(Role.COUNTY_OFFICE, region=XIHU, username="xihu-office")
    nanhu_office = make_user(Role.COUNTY_OFFICE, region=NANHU, username="nanhu-office")
    county.display_name = "西湖区三方办"
    county.set_password(PASSWORD)
    county.save()

    units = {}
    for n, row in enumerate(XIHU_ENTERPRISES, start=100):
        units[row[0]] = services.create_unit(county, _enterprise(n, *row))
    for raw in XIHU_OTHERS:
        units[raw["name"]] = services.create_unit(county, raw)
    for n, name in enumerate(NANHU_NAMES, start=500):
        units[name] = services.create_unit(
            nanhu_office, _enterprise(n, name, NANHU_TOWN, "C1711", 50 + 40 * n % 600,
                                      20_000_000 + n * 100_000))
    target = units[TARGET_NAME]
    # One change, so the audit trail shows an edit next to the creation.
    services.update_unit(county, target,
                         {"employees": 280, "address": "杭州市西湖区北山街道测试路 1 号"})

    own_unit = units[OWN_UNIT_NAME]
    admin = make_user(Role.UNIT_ADMIN, unit=own_unit, username="unit-admin")
    admin.display_name = "企业经办人"
    admin.set_password(PASSWORD)
    admin.save()

    assert Unit.objects.filter(region__code__startswith=XIHU).count() == XIHU_TOTAL == 30
    assert Unit.objects.filter(region__code__startswith=NANHU).count() == len(NANHU_NAMES)
    return Registry(
        county_username=county.username, unit_admin_username=admin.username, target=target,
        own_unit=own_unit, other_xihu_unit=units["北山华兴制造有限公司"],
        nanhu_unit=units[NANHU_NAMES[0]],
    )


def shot(page: Page, directory, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(directory / name), full_page=full_page)


def log_in(page: Page, username: str, directory=None) -> None:
    page.goto("/login/")
    expect(page.locator("h1")).to_have_text("登录")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if directory is not None:
        shot(page, directory, "01-login.png", full_page=False)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text("工作台")


def htmx_done(page: Page) -> int:
    return page.evaluate("window.__hx.done")


def wait_for_htmx(page: Page, since: int) -> None:
    """Wait until at least one htmx swap finished after ``since`` and none is in flight."""
    page.wait_for_function(
        "since => window.__hx.done > since && window.__hx.pending === 0", arg=since
    )


def result_rows(page: Page):
    return page.locator("#unit-list table.table-units tbody tr")


def test_county_office_filters_list_and_opens_unit(registry, new_page, screenshot_dir):
    page = new_page()
    log_in(page, registry.county_username, screenshot_dir)
    expect(page.get_by_test_id("unit-count")).to_have_text(str(XIHU_TOTAL))

    page.locator("nav").get_by_role("link", name="创建单位", exact=True).click()
    page.wait_for_url(re.compile(r"/units/$"))
    expect(page.locator("h1")).to_have_text("创建单位信息库")
    expect(page.get_by_test_id("result-count")).to_have_text(f"共 {XIHU_TOTAL} 个单位")
    expect(result_rows(page)).to_have_count(XIHU_TOTAL)
    expect(page.locator("#unit-list")).not_to_contain_text("南湖")
    # The region filter offers this county's towns, and no other county's.
    region = page.get_by_test_id("region-r1")
    expect(region.locator("option", has_text="北山街道")).to_have_count(1)
    expect(region.locator("option", has_text="建设街道")).to_have_count(0)
    shot(page, screenshot_dir, "02-county-list.png")

    # Each filter change reloads the list through htmx (the form is re-rendered with it).
    since = htmx_done(page)
    region.select_option(XIHU_TOWN)
    wait_for_htmx(page, since)
    expect(page.get_by_test_id("region-r1")).to_have_value(XIHU_TOWN)
    xihu_town_total = Unit.objects.filter(region_id=XIHU_TOWN).count()
    expect(page.get_by_test_id("result-count")).to_have_text(f"共 {xihu_town_total} 个单位")

    since = htmx_done(page)
    page.select_option("#id_kind", "enterprise")
    wait_for_htmx(page, since)
    expect(page.locator("#id_kind")).to_have_value("enterprise")

    since = htmx_done(page)
    page.fill("#id_q", SEARCH)
    page.locator("#filters").get_by_role("button", name="查询").click()
    wait_for_htmx(page, since)
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 个单位")
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text(TARGET_NAME)
    expect(result_rows(page).first).to_contain_text("企业")
    expect(result_rows(page).first).to_contain_text("北山街道")
    # The filters are in the address bar, so the filtered list can be bookmarked or shared.
    assert f"r1={XIHU_TOWN}" in page.url and "kind=enterprise" in page.url
    # The filters survive the swap.
    expect(page.get_by_test_id("region-r1")).to_have_value(XIHU_TOWN)
    expect(page.locator("#id_q")).to_have_value(SEARCH)
    shot(page, screenshot_dir, "03-county-filtered.png")

    page.get_by_role("link", name=TARGET_NAME).click()
    page.wait_for_url(re.compile(rf"/units/{registry.target.pk}/$"))
    expect(page.get_by_test_id("unit-name")).to_have_text(TARGET_NAME)
    expect(page.locator("dl.unit-fields")).to_contain_text(registry.target.credit_code)
    expect(page.locator("dl.unit-fields")).to_contain_text("杭州市西湖区北山街道测试路 1 号")
    audit = page.locator("#audit")
    expect(audit).to_be_visible()
    expect(audit).to_contain_text("操作记录（审计）")
    expect(audit.locator("tbody tr")).to_have_count(2)
    expect(audit).to_contain_text("units.create")
    expect(audit).to_contain_text("units.update")
    expect(audit).to_contain_text(registry.county_username)
    expect(page.get_by_role("link", name="修改")).to_be_visible()
    shot(page, screenshot_dir, "04-unit-detail.png")

    # Another county's unit does not exist for this office.
    response = page.goto(f"/units/{registry.nanhu_unit.pk}/")
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("不在您的管辖范围内")


def test_unit_admin_sees_only_own_unit(registry, new_page, screenshot_dir):
    page = new_page()
    log_in(page, registry.unit_admin_username)
    expect(page.get_by_test_id("unit-count")).to_have_text("1")

    page.goto("/units/")
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 个单位")
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text(OWN_UNIT_NAME)
    # No region tree for a unit-scoped role, and no office actions.
    expect(page.locator("[data-testid^=region-]")).to_have_count(0)
    expect(page.get_by_role("link", name="登记单位")).to_have_count(0)
    expect(page.get_by_role("link", name="批量导入")).to_have_count(0)
    shot(page, screenshot_dir, "05-unit-admin-list.png")

    page.get_by_role("link", name=OWN_UNIT_NAME).click()
    expect(page.get_by_test_id("unit-name")).to_have_text(OWN_UNIT_NAME)
    expect(page.locator("#audit")).to_have_count(0)  # the audit trail is for offices

    for other in (registry.other_xihu_unit, registry.target, registry.nanhu_unit):
        response = page.goto(f"/units/{other.pk}/")
        assert response.status == 404, other.name
        expect(page.locator("main")).to_contain_text("不在您的管辖范围内")
        expect(page.locator("body")).not_to_contain_text(other.name)
    shot(page, screenshot_dir, "06-unit-admin-404.png")


def test_list_is_usable_on_a_phone(registry, new_page, screenshot_dir):
    page = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                    is_mobile=True, has_touch=True)
    log_in(page, registry.county_username)
    page.goto("/units/")
    expect(page.get_by_test_id("result-count")).to_have_text(f"共 {XIHU_TOTAL} 个单位")

    # The menu collapses behind the toggler; the filters stay reachable.
    expect(page.locator(".navbar-toggler")).to_be_visible()
    expect(page.locator("#nav")).not_to_be_visible()
    for selector in ("#id_r1", "#id_kind", "#id_size", "#id_q"):
        expect(page.locator(selector)).to_be_visible()
    # Nothing widens the page itself: the wide table scrolls inside its own box.
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], f"page overflows horizontally: {widths}"
    table_box = page.locator(".table-responsive").bounding_box()
    assert table_box["x"] >= 0 and table_box["x"] + table_box["width"] <= 390 + 1
    shot(page, screenshot_dir, "07-mobile-list.png")

    # Filtering works by touch too.
    since = htmx_done(page)
    page.fill("#id_q", SEARCH)
    page.locator("#filters").get_by_role("button", name="查询").tap()
    wait_for_htmx(page, since)
    expect(page.get_by_test_id("result-count")).to_have_text("共 4 个单位")

    page.locator(".navbar-toggler").tap()
    # Wait for Bootstrap's collapse animation to end ("collapsing" -> "collapse show").
    expect(page.locator("#nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(page.locator("#nav").get_by_role("link", name="创建单位", exact=True)).to_be_visible()
    shot(page, screenshot_dir, "08-mobile-menu.png", full_page=False)


def test_the_county_menu_stays_on_one_line_with_its_admin_items(registry, new_page):
    """A county office has the most menu items; at 1366 px they fit on one line, and the
    office's administration (accounts, audit log) sits under one "管理" item."""
    page = new_page()
    log_in(page, registry.county_username)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the menu widens the page: {widths}"
    assert page.locator(".hx-navbar").bounding_box()["height"] < 70  # one row, not wrapped

    page.get_by_test_id("nav-admin").click()
    expect(page.locator("nav").get_by_role("link", name="账号管理")).to_be_visible()
    page.locator("nav").get_by_role("link", name="审计日志").click()
    expect(page.locator("h1")).to_have_text("审计日志")
