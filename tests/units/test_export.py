"""XLSX export: the console command and the page export both write exactly the filtered,
scoped list."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from hexie.accounts.roles import Role
from hexie.units.models import Kind, Unit
from hexie.units.size import Size
from tests.factories import (
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    make_user,
)

pytestmark = pytest.mark.django_db


HEADER = ["编号", "单位类型", "单位名称", "统一社会信用代码", "所在区划代码", "所在区划",
          "行业代码", "职工人数", "营业收入（元）", "资产总额（元）", "企业规模", "规模核定理由",
          "是否平台企业", "项目代码", "总承包单位信用代码", "地址", "开工日期", "竣工日期",
          "务工人数"]


@pytest.fixture
def registry():
    units = {
        "xihu_a": UnitFactory(name="西湖甲有限公司", platform=True),
        "xihu_b": UnitFactory(name="西湖乙有限公司", region_id=XIHU_TOWN_2, employees=5,
                              revenue_yuan=Decimal("1234567.89"), size_derived=Size.MICRO,
                              size=Size.MICRO),
        "xihu_c": UnitFactory(name="西湖丙有限公司", size_override=Size.LARGE,
                              size_override_reason="集团口径", size=Size.LARGE),
        "xihu_park": UnitFactory(kind=Kind.INDUSTRIAL_PARK, name="西湖园区", credit_code=None,
                                 industry="", industry_section="", employees=None,
                                 revenue_yuan=None, assets_yuan=None, size_derived="", size=""),
        "nanhu_a": UnitFactory(name="南湖甲有限公司", region_id=NANHU_TOWN),
        "nanhu_park": UnitFactory(kind=Kind.INDUSTRIAL_PARK, name="南湖园区", credit_code=None,
                                  region_id=NANHU_TOWN, industry="", industry_section="",
                                  employees=None, revenue_yuan=None, assets_yuan=None,
                                  size_derived="", size=""),
    }
    return units


def read_rows(source):
    workbook = load_workbook(source, read_only=True)
    sheet = workbook.worksheets[0]
    assert sheet.title == "创建单位"
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows[0], rows[1:]


def test_command_exports_exactly_the_filter(tmp_path, registry):
    path = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command("units", "export", str(path), "--region", XIHU, "--kind", "enterprise",
                 stdout=out)
    expected = list(Unit.objects.filter(region__code__startswith=XIHU, kind="enterprise")
                    .order_by("id"))
    assert len(expected) == 3
    assert out.getvalue().strip() == f"已导出 3 个单位到 {path}"
    header, rows = read_rows(path)
    assert header == HEADER
    assert [r[0] for r in rows] == [u.pk for u in expected]
    assert [r[3] for r in rows] == [u.credit_code for u in expected]
    by_name = {r[2]: dict(zip(HEADER, r, strict=True)) for r in rows}
    assert set(by_name) == {"西湖甲有限公司", "西湖乙有限公司", "西湖丙有限公司"}
    a = by_name["西湖甲有限公司"]
    assert (a["单位类型"], a["所在区划代码"], a["所在区划"]) == ("企业", XIHU_TOWN, "北山街道")
    assert (a["职工人数"], a["营业收入（元）"], a["资产总额（元）"]) == (
        350, 50_000_000, 30_000_000)
    assert (a["企业规模"], a["是否平台企业"], a["行业代码"]) == ("中型", "是", "C13")
    b = by_name["西湖乙有限公司"]
    assert (b["企业规模"], b["是否平台企业"]) == ("微型", "否")
    assert b["营业收入（元）"] == pytest.approx(1234567.89)
    c = by_name["西湖丙有限公司"]
    assert (c["企业规模"], c["规模核定理由"]) == ("大型", "集团口径")


@pytest.mark.parametrize("args,keys", [
    ((), ["xihu_a", "xihu_b", "xihu_c", "xihu_park", "nanhu_a", "nanhu_park"]),
    (("--kind", "industrial_park"), ["xihu_park", "nanhu_park"]),
    (("--region", XIHU_TOWN_2), ["xihu_b"]),
    (("--size", "large"), ["xihu_c"]),
    (("--q", "南湖"), ["nanhu_a", "nanhu_park"]),
])
def test_command_filters(tmp_path, registry, args, keys):
    path = tmp_path / "out.xlsx"
    call_command("units", "export", str(path), *args, stdout=io.StringIO())
    _, rows = read_rows(path)
    assert sorted(r[0] for r in rows) == sorted(registry[k].pk for k in keys)


def test_command_as_user_exports_only_the_users_scope(tmp_path, registry):
    make_user(Role.COUNTY_OFFICE, region=XIHU, username="xihu-export")
    path = tmp_path / "out.xlsx"
    call_command("units", "export", str(path), "--as-user", "xihu-export", "--kind",
                 "industrial_park", stdout=io.StringIO())
    _, rows = read_rows(path)
    assert [r[0] for r in rows] == [registry["xihu_park"].pk]


def test_command_with_an_empty_result_writes_the_header(tmp_path, registry):
    path = tmp_path / "none.xlsx"
    out = io.StringIO()
    call_command("units", "export", str(path), "--kind", "town", stdout=out)
    header, rows = read_rows(path)
    assert (header, rows) == (HEADER, [])
    assert out.getvalue().startswith("已导出 0 个单位")


def test_command_refuses_an_unknown_filter_value(tmp_path, registry):
    """A mistyped filter must not silently export the whole registry."""
    path = tmp_path / "typo.xlsx"
    with pytest.raises(CommandError) as exc:
        call_command("units", "export", str(path), "--kind", "enterprize",
                     stdout=io.StringIO())
    assert "enterprize" in str(exc.value)
    assert not path.exists()


def page_rows(response):
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    return read_rows(io.BytesIO(b"".join(response.streaming_content)))


def test_page_export_respects_the_filters(client, registry):
    client.force_login(make_user(Role.COUNTY_OFFICE, region=XIHU))
    # For a county office the first region select (r1) lists its towns.
    header, rows = page_rows(client.get("/units/export.xlsx",
                                        {"kind": "enterprise", "r1": XIHU_TOWN}))
    assert header == HEADER
    assert sorted(r[0] for r in rows) == sorted([registry["xihu_a"].pk, registry["xihu_c"].pk])
    _, rows = page_rows(client.get("/units/export.xlsx", {"kind": "enterprise"}))
    assert sorted(r[0] for r in rows) == sorted(
        registry[k].pk for k in ("xihu_a", "xihu_b", "xihu_c"))


def test_page_export_never_leaves_the_scope(client, registry):
    client.force_login(make_user(Role.COUNTY_OFFICE, region=XIHU))
    _, rows = page_rows(client.get("/units/export.xlsx"))
    assert sorted(r[0] for r in rows) == sorted(
        registry[k].pk for k in ("xihu_a", "xihu_b", "xihu_c", "xihu_park"))
    _, rows = page_rows(client.get("/units/export.xlsx", {"r1": NANHU_TOWN}))
    assert rows == []
    _, rows = page_rows(client.get("/units/export.xlsx", {"region": "33"}))
    assert len(rows) == 4


def test_city_office_export_by_county(client, registry):
    client.force_login(make_user(Role.CITY_OFFICE, region="3301"))
    _, rows = page_rows(client.get("/units/export.xlsx", {"r1": XIHU, "kind": "enterprise",
                                                          "size": "micro"}))
    assert [r[0] for r in rows] == [registry["xihu_b"].pk]


def test_unit_admin_exports_only_their_own_unit(client, registry):
    client.force_login(make_user(Role.UNIT_ADMIN, unit=registry["xihu_a"]))
    _, rows = page_rows(client.get("/units/export.xlsx"))
    assert [r[2] for r in rows] == ["西湖甲有限公司"]


def test_page_export_needs_the_export_permission(client, registry):
    client.force_login(make_user(Role.PARTNER, region=XIHU))
    assert client.get("/units/export.xlsx").status_code == 404


def test_page_export_over_the_row_limit_is_refused_in_chinese(client, registry, monkeypatch):
    from hexie.units import views

    monkeypatch.setattr(views, "EXPORT_MAX_ROWS", 2)
    client.force_login(make_user(Role.COUNTY_OFFICE, region=XIHU))
    response = client.get("/units/export.xlsx", {"kind": "enterprise"}, follow=True)
    html = response.content.decode()
    assert "导出结果超过 2 条，请缩小筛选范围" in html
    assert response.redirect_chain[0][0] == "/units/?kind=enterprise"
