"""Bulk import of the registry (CSV and XLSX): all rows or none, a row-by-row report, idempotent.

Files are written by hand here (headers spelled out, not taken from validation.COLUMNS) so the
tests check the accepted header vocabulary as well as the code. Expected sizes are worked out by
hand from the 2017 table (国统字〔2017〕213号); Y and Z thresholds are in 万元.
"""

import csv
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from hexie.accounts.roles import Role
from hexie.core.errors import NotPermitted
from hexie.core.models import AuditEvent
from hexie.units import credit_code as cc
from hexie.units.importing import ImportFailed, import_units, template_csv
from hexie.units.models import ImportJob, Kind, Unit
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, XIHU_TOWN_2, UnitFactory, make_user
from tests.factories import credit_code as new_code

pytestmark = pytest.mark.django_db


ZH_HEADER = ["单位类型", "单位名称", "统一社会信用代码", "所在区划代码", "行业代码", "职工人数",
             "营业收入（元）", "资产总额（元）", "是否平台企业"]
EN_HEADER = ["kind", "name", "credit_code", "region_code", "industry", "employees",
             "revenue_yuan", "assets_yuan", "platform"]


def enterprise(name="测试导入有限公司", *, code=None, region=XIHU_TOWN, industry="C1711",
               employees="350", revenue="50000000", assets="", platform="否", kind="企业"):
    return [kind, name, code or new_code(region[:6]), region, industry, employees, revenue,
            assets, platform]


def write_csv(path: Path, header, rows, *, encoding="utf-8", lines=None) -> Path:
    """Rows joined with commas (no field here needs quoting); ``lines`` overrides everything."""
    if lines is None:
        lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, header, rows) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run_import(path, *extra):
    """Run ``units import``; returns (exit code, stdout, stderr). 0 when it did not exit."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("units", "import", str(path), *extra, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def import_events():
    return AuditEvent.objects.filter(action="units.import")


def assert_refused(path, *expected_lines, units_before=0):
    """Exit 2, each expected line in stderr, nothing written, no import event."""
    code, out, err = run_import(path)
    assert code == 2, (out, err)
    for line in expected_lines:
        assert line in err.splitlines(), err
    assert "未写入任何数据" in err
    assert "已导入" not in out
    assert Unit.objects.count() == units_before
    assert not import_events().exists()
    return err


# --- Good files ---------------------------------------------------------------------------

SIZED_ROWS = [
    # C manufacturing: X 1200 ≥ 1000, Y 50000万 ≥ 40000 → large
    ("大型制造有限公司", "C1711", "1200", "500000000", "", "large"),
    # C manufacturing: X 350 ≥ 300, Y 5000万 ≥ 2000 → medium
    ("中型制造有限公司", "C1810", "350", "50000000", "", "medium"),
    # 52 retail: X 30 ≥ 10 (< 50), Y 200万 ≥ 100 (< 500) → small
    ("小型零售有限公司", "F5212", "30", "2000000", "", "small"),
    # 65 software: X 5 < 10 → micro, whatever the revenue
    ("微型软件有限公司", "I6513", "5", "300000", "", "micro"),
    # 7010 real estate: Y 200000万 → large, Z 5000万 → medium → medium (assets required here)
    ("中型置业有限公司", "K7010", "80", "2000000000", "50000000", "medium"),
]


def sized_rows():
    return [enterprise(name, industry=industry, employees=x, revenue=y, assets=z)
            for name, industry, x, y, z, _ in SIZED_ROWS]


def test_csv_with_chinese_headers_imports_every_row_with_derived_sizes(tmp_path):
    rows = sized_rows()
    path = write_csv(tmp_path / "units.csv", ZH_HEADER, rows)
    code, out, err = run_import(path)
    assert code == 0, err
    assert out.strip() == f"已导入 {len(rows)} 个单位。"
    assert Unit.objects.count() == 5
    for (name, industry, x, y, z, size), row in zip(SIZED_ROWS, rows, strict=True):
        unit = Unit.objects.get(credit_code=row[2])
        assert unit.name == name
        assert unit.kind == Kind.ENTERPRISE
        assert unit.region_id == XIHU_TOWN
        assert unit.industry == industry
        assert unit.industry_section == industry[0]
        assert unit.employees == int(x)
        assert unit.revenue_yuan == Decimal(y)
        assert unit.assets_yuan == (Decimal(z) if z else None)
        assert unit.size_derived == size
        assert unit.size == size
        assert unit.size_override == ""
        assert unit.platform is False


def test_successful_import_is_audited_once_with_the_file_hash(tmp_path):
    path = write_csv(tmp_path / "units.csv", ZH_HEADER, sized_rows())
    code, _, err = run_import(path)
    assert code == 0, err
    events = list(import_events())
    assert len(events) == 1
    event = events[0]
    assert event.after["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert event.after["rows"] == 5
    assert event.after["by_kind"] == {"enterprise": 5}
    assert event.after["file"] == "units.csv"
    assert event.actor_username == "system"
    assert event.region_code == XIHU_TOWN  # the common prefix of every imported row


def test_csv_with_english_headers(tmp_path):
    rows = [enterprise("英文表头有限公司", industry="C13", employees="20", revenue="3000000",
                       platform="yes")]
    path = write_csv(tmp_path / "en.csv", EN_HEADER, rows)
    code, out, err = run_import(path)
    assert code == 0, err
    assert out.strip() == "已导入 1 个单位。"
    unit = Unit.objects.get()
    assert (unit.name, unit.credit_code, unit.platform) == ("英文表头有限公司", rows[0][2], True)
    # C: X 20 ≥ 20 and Y 300万 ≥ 300: both exactly on the small bound (inclusive)
    assert unit.size == "small"


def test_assets_are_optional_only_where_the_size_rule_does_not_use_them(tmp_path):
    rows = [enterprise("无资产制造有限公司", industry="C13", assets=""),
            enterprise("无资产建筑有限公司", industry="E4810", employees="100",
                       revenue="70000000", assets="")]
    path = write_csv(tmp_path / "assets.csv", EN_HEADER, rows)
    err = assert_refused(path, "第 3 行[资产总额（元）]：建筑业按资产总额划分规模，必填")
    assert "第 2 行" not in err


def test_construction_enterprise_with_assets_is_sized_on_revenue_and_assets(tmp_path):
    # E: Y 7000万 ≥ 6000 → medium; Z 4000万 < 5000 (≥ 300) → small → small
    rows = [enterprise("示例建筑有限公司", industry="E4810", employees="100",
                       revenue="70000000", assets="40000000")]
    code, _, err = run_import(write_csv(tmp_path / "e.csv", ZH_HEADER, rows))
    assert code == 0, err
    assert Unit.objects.get().size == "small"


def test_xlsx_with_typed_cells(tmp_path):
    code1, code2 = new_code(), new_code()
    rows = [
        ["企业", "表格导入有限公司", code1, 330106002, "C1711", 350, 50000000, None, "否"],
        ["enterprise", "表格导入二有限公司", code2, "330106004", "I6513", 120, 35000000.0,
         20000000, True],
    ]
    path = write_xlsx(tmp_path / "units.xlsx", ZH_HEADER, rows)
    code, out, err = run_import(path)
    assert code == 0, err
    assert out.strip() == "已导入 2 个单位。"
    first, second = Unit.objects.get(credit_code=code1), Unit.objects.get(credit_code=code2)
    assert (first.region_id, first.employees, first.revenue_yuan) == (
        "330106002", 350, Decimal("50000000"))
    assert first.size == "medium"
    assert (second.region_id, second.platform, second.assets_yuan) == (
        "330106004", True, Decimal("20000000"))
    # 65 software: X 120 ≥ 100, Y 3500万 ≥ 1000 → medium
    assert second.size == "medium"


def test_xlsx_errors_name_the_sheet_row(tmp_path):
    rows = [enterprise(), [], enterprise(employees="abc")]
    path = write_xlsx(tmp_path / "bad.xlsx", EN_HEADER, rows)
    assert_refused(path, "第 4 行[职工人数]：应为整数")


def test_gbk_encoded_csv(tmp_path):
    rows = [enterprise("国标编码有限公司"), enterprise("国标编码二有限公司", region=XIHU_TOWN_2)]
    path = write_csv(tmp_path / "gbk.csv", ZH_HEADER, rows, encoding="gb18030")
    code, out, err = run_import(path)
    assert code == 0, err
    assert out.strip() == "已导入 2 个单位。"
    assert set(Unit.objects.values_list("name", flat=True)) == {"国标编码有限公司",
                                                                "国标编码二有限公司"}


def test_gbk_csv_whose_only_chinese_is_at_the_very_end(tmp_path):
    """English headers and codes; the one GBK character (“否”) is the file's last field."""
    row = ["enterprise", "Example Co", new_code(), XIHU_TOWN, "C13", "350", "50000000", "",
           "否"]
    path = write_csv(tmp_path / "tail.csv", EN_HEADER, [row], encoding="gb18030")
    code, out, err = run_import(path)
    assert code == 0, err
    assert out.strip() == "已导入 1 个单位。"
    assert Unit.objects.get().platform is False


def test_gbk_csv_with_chinese_only_after_the_first_64_kib(tmp_path):
    """A long GBK file whose first rows happen to be plain ASCII (English names)."""
    rows = [["enterprise", f"Example Co {n}", new_code(), XIHU_TOWN, "C13", "350", "50000000",
             "", "no"] for n in range(1000)]
    rows.append(enterprise("最后一家有限公司", kind="enterprise"))
    path = write_csv(tmp_path / "long.csv", EN_HEADER, rows, encoding="gb18030")
    assert path.stat().st_size > 1 << 16
    code, out, err = run_import(path)
    assert code == 0, err[-500:]
    assert out.strip() == "已导入 1001 个单位。"
    assert Unit.objects.filter(name="最后一家有限公司").exists()


def test_utf8_bom_csv(tmp_path):
    path = tmp_path / "bom.csv"
    write_csv(path, ZH_HEADER, [enterprise("带签名有限公司")], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    code, _, err = run_import(path)
    assert code == 0, err
    assert Unit.objects.get().name == "带签名有限公司"


def test_all_five_kinds_from_the_template(tmp_path):
    path = tmp_path / "template.csv"
    path.write_bytes(template_csv())
    code, out, err = run_import(path)
    assert code == 0, err
    assert out.strip() == "已导入 5 个单位。"
    by_kind = {u.kind: u for u in Unit.objects.all()}
    assert set(by_kind) == {"enterprise", "construction_project", "industrial_park", "town",
                            "industry"}
    assert by_kind["enterprise"].credit_code == cc.make("91330106", "MA2H7K3P")
    assert by_kind["enterprise"].size == "medium"  # 65: X 120, Y 3500万
    project = by_kind["construction_project"]
    assert (project.project_code, project.workers) == ("2026-330106-47-01-000001", 350)
    assert str(project.start_date) == "2026-03-01"
    assert by_kind["town"].name == "北山街道"  # blank name: the division's
    assert by_kind["town"].region_id == "330106002"
    assert by_kind["industry"].region_id == XIHU
    assert by_kind["industry"].industry == "I65"
    assert import_events().get().after["by_kind"] == {
        "enterprise": 1, "construction_project": 1, "industrial_park": 1, "town": 1,
        "industry": 1}


def test_blank_lines_are_ignored(tmp_path):
    header = ",".join(ZH_HEADER)
    a, b = enterprise("甲有限公司"), enterprise("乙有限公司")
    lines = [header, "", ",".join(a), "   ", ",,,,,,,,", ",".join(b), "", ""]
    path = write_csv(tmp_path / "blank.csv", None, None, lines=lines)
    code, out, err = run_import(path)
    assert code == 0, err
    assert out.strip() == "已导入 2 个单位。"
    assert set(Unit.objects.values_list("name", flat=True)) == {"甲有限公司", "乙有限公司"}
    assert import_events().get().after["rows"] == 2


def test_row_numbers_are_file_line_numbers(tmp_path):
    header = ",".join(ZH_HEADER)
    lines = [header, ",".join(enterprise()), "", "", ",".join(enterprise()),
             ",".join(enterprise(employees="-3"))]
    path = write_csv(tmp_path / "rows.csv", None, None, lines=lines)
    err = assert_refused(path, "第 6 行[职工人数]：不能为负数")
    with pytest.raises(ImportFailed) as exc:
        import_units(None, path, scope=_province())
    assert [(e.row, e.column) for e in exc.value.report.errors] == [(6, "职工人数")]
    assert exc.value.report.rows == 3
    assert "第 6 行" in err


# --- Bad files: each category on its own, third line of the file ---------------------------

def _province():
    from hexie.core.scoping import Scope

    return Scope(("33",))


def _bad_check_character():
    code = new_code()
    wrong = next(c for c in cc.ALPHABET if c != code[17])
    return enterprise(code=code[:17] + wrong)


BAD_ROWS = {
    "bad check character": (
        _bad_check_character,
        "第 3 行[统一社会信用代码]：统一社会信用代码校验位（第 18 位）不正确，"
        "请核对代码是否抄录有误"),
    "unknown region code": (
        lambda: enterprise(region="330106999"),
        "第 3 行[所在区划代码]：区划代码 330106999 不存在"),
    "county code for an enterprise": (
        lambda: enterprise(code=new_code(), region=XIHU),
        "第 3 行[所在区划代码]：应为乡镇（街道）级 9 位区划代码"),
    "missing name": (lambda: enterprise(name=""), "第 3 行[单位名称]：必填"),
    "missing credit code": (
        lambda: ["企业", "无代码有限公司", "", XIHU_TOWN, "C13", "350", "50000000", "", "否"],
        "第 3 行[统一社会信用代码]：必填"),
    "missing employees": (lambda: enterprise(employees=""), "第 3 行[职工人数]：必填"),
    "wrong type employees": (lambda: enterprise(employees="abc"), "第 3 行[职工人数]：应为整数"),
    "negative revenue": (lambda: enterprise(revenue="-100"), "第 3 行[营业收入（元）]：不能为负数"),
    "money that is not a number": (
        lambda: enterprise(revenue="五百万"), "第 3 行[营业收入（元）]：应为金额数字（单位：元）"),
    "unknown kind": (
        lambda: enterprise(kind="公司"),
        "第 3 行[单位类型]：应为：企业、工地项目、工业园区、乡镇（街道）或行业（协会）"),
    "bad platform": (lambda: enterprise(platform="也许"),
                     "第 3 行[是否平台企业]：应填“是”或“否”"),
    "zero employees": (lambda: enterprise(employees="0"),
                       "第 3 行[职工人数]：企业职工人数不能为 0"),
}


@pytest.mark.parametrize("category", list(BAD_ROWS))
def test_one_bad_row_refuses_the_whole_file(tmp_path, category):
    make_row, line = BAD_ROWS[category]
    path = write_csv(tmp_path / "bad.csv", ZH_HEADER, [enterprise("好单位有限公司"), make_row()])
    err = assert_refused(path, line)
    assert "第 2 行" not in err
    assert err.splitlines()[-1] == "导入失败：1 处错误，共 2 行，未写入任何数据。"


def test_duplicate_within_the_file_names_the_first_row(tmp_path):
    code = new_code()
    rows = [enterprise("甲有限公司", code=code), enterprise("乙有限公司"),
            enterprise("丙有限公司", code=code.lower())]
    path = write_csv(tmp_path / "dup.csv", ZH_HEADER, rows)
    err = assert_refused(path, "第 4 行[统一社会信用代码]：与第 2 行统一社会信用代码重复")
    assert "第 2 行[" not in err and "第 3 行" not in err


def test_duplicate_against_the_database(tmp_path):
    existing = UnitFactory()
    rows = [enterprise(), enterprise("重复登记有限公司", code=existing.credit_code)]
    path = write_csv(tmp_path / "dup.csv", ZH_HEADER, rows)
    assert_refused(path, "第 3 行[统一社会信用代码]：该统一社会信用代码已登记", units_before=1)
    assert list(Unit.objects.values_list("pk", flat=True)) == [existing.pk]


def test_duplicate_town_within_the_file(tmp_path):
    header = ["单位类型", "单位名称", "所在区划代码"]
    rows = [["乡镇（街道）", "", XIHU_TOWN], ["乡镇（街道）", "北山", XIHU_TOWN]]
    path = write_csv(tmp_path / "towns.csv", header, rows)
    assert_refused(path, "第 3 行[所在区划代码]：与第 2 行为同一乡镇（街道）")


def test_town_already_registered_in_the_database(tmp_path):
    UnitFactory(kind=Kind.TOWN, name="北山街道", region_id=XIHU_TOWN, credit_code=None,
                industry="", industry_section="", employees=None, revenue_yuan=None,
                assets_yuan=None, size_derived="", size="")
    header = ["单位类型", "单位名称", "所在区划代码"]
    rows = [["乡镇（街道）", "", XIHU_TOWN_2], ["乡镇（街道）", "", XIHU_TOWN]]
    path = write_csv(tmp_path / "towns.csv", header, rows)
    assert_refused(path, "第 3 行[所在区划代码]：该乡镇（街道）已登记为创建单位", units_before=1)


def test_duplicate_project_code_within_the_file(tmp_path):
    header = ["单位类型", "单位名称", "项目代码", "总承包单位信用代码", "所在区划代码", "开工日期",
              "竣工日期", "务工人数"]
    contractor = new_code()
    rows = [["工地项目", f"示例工程{n}", "P-2026-001", contractor, XIHU_TOWN, "2026-03-01",
             "2027-03-01", "100"] for n in (1, 2)]
    path = write_csv(tmp_path / "projects.csv", header, rows)
    assert_refused(path, "第 3 行[项目代码]：与第 2 行项目代码重复")


def test_unknown_header(tmp_path):
    header = [*ZH_HEADER, "备注"]
    path = write_csv(tmp_path / "h.csv", header, [[*enterprise(), "无"]])
    assert_refused(path, "第 1 行[备注]：第 10 列的列名“备注”无法识别")


def test_missing_required_column(tmp_path):
    header = [h for h in ZH_HEADER if h != "所在区划代码"]
    row = enterprise()
    del row[3]
    path = write_csv(tmp_path / "h.csv", header, [row])
    assert_refused(path, "第 1 行[所在区划代码]：缺少必需的列“所在区划代码”")


def test_row_longer_than_the_header(tmp_path):
    path = write_csv(tmp_path / "wide.csv", ZH_HEADER, [enterprise(), [*enterprise(), "多余"]])
    assert_refused(path, "第 3 行：该行的列数多于表头")


def test_header_only_file_is_refused(tmp_path):
    path = write_csv(tmp_path / "empty.csv", ZH_HEADER, [])
    assert_refused(path, "第 2 行：文件中没有数据行")


def test_every_error_is_reported_not_only_the_first(tmp_path):
    rows = [enterprise(employees="abc"), enterprise(), enterprise(region="330106999"),
            enterprise(revenue="-1", name="")]
    path = write_csv(tmp_path / "many.csv", ZH_HEADER, rows)
    err = assert_refused(path, "第 2 行[职工人数]：应为整数",
                         "第 4 行[所在区划代码]：区划代码 330106999 不存在",
                         "第 5 行[单位名称]：必填")
    assert err.splitlines()[-1] == "导入失败：3 处错误，共 4 行，未写入任何数据。"


def test_three_good_rows_and_one_bad_row_write_nothing(tmp_path):
    UnitFactory()  # an unrelated unit already registered
    rows = [enterprise("一有限公司"), enterprise("二有限公司"), enterprise("三有限公司"),
            enterprise("四有限公司", region="330106999")]
    path = write_csv(tmp_path / "mixed.csv", ZH_HEADER, rows)
    assert_refused(path, "第 5 行[所在区划代码]：区划代码 330106999 不存在", units_before=1)
    assert not Unit.objects.filter(name__in=["一有限公司", "二有限公司", "三有限公司"]).exists()
    # The file is fine once corrected, and then every row lands.
    rows[3] = enterprise("四有限公司")
    write_csv(path, ZH_HEADER, rows)
    code, out, err = run_import(path)
    assert (code, out.strip()) == (0, "已导入 4 个单位。"), err
    assert Unit.objects.count() == 5


def test_importing_the_same_file_again_is_refused(tmp_path):
    path = write_csv(tmp_path / "once.csv", ZH_HEADER, sized_rows())
    assert run_import(path)[0] == 0
    event = import_events().get()
    code, out, err = run_import(path)
    assert code == 2
    assert "已导入" not in out
    assert f"（事件 #{event.pk}），未重复导入" in err
    assert Unit.objects.count() == 5
    assert import_events().count() == 1
    # The same bytes under another name are the same file.
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    assert run_import(copy)[0] == 2
    assert Unit.objects.count() == 5


def test_missing_file_is_a_command_error_with_status_2(tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("units", "import", str(tmp_path / "nope.csv"))
    assert exc.value.returncode == 2
    assert "文件不存在" in str(exc.value)


def test_unsupported_suffix_is_refused(tmp_path):
    path = tmp_path / "units.json"
    path.write_text("[]")
    code, _, err = run_import(path)
    assert code == 2
    assert err.strip() == "只支持 CSV 或 XLSX 文件。"


def test_undecodable_csv_is_refused_in_chinese(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"kind,name,region_code\n\x80\xff\xfe\x00,abc,330106002\n")
    code, _, err = run_import(path)
    assert code == 2
    assert "编码" in err or "无法读取" in err, err
    assert Unit.objects.count() == 0


def test_corrupt_xlsx_is_refused_in_chinese(tmp_path):
    path = write_csv(tmp_path / "not-really.xlsx", ZH_HEADER, [enterprise()])
    code, _, err = run_import(path)
    assert code == 2
    assert "XLSX" in err or "无法读取" in err, err
    assert Unit.objects.count() == 0


# --- The service directly and with a user's scope -------------------------------------------

def test_service_report_lists_row_column_message(tmp_path):
    office = make_user(Role.COUNTY_OFFICE, region=XIHU)
    rows = [enterprise(), enterprise(region=NANHU_TOWN, code=new_code("330402"))]
    path = write_csv(tmp_path / "scope.csv", EN_HEADER, rows)
    with pytest.raises(ImportFailed) as exc:
        import_units(office, path)
    report = exc.value.report
    assert (report.rows, report.error_count, report.imported) == (2, 1, 0)
    assert [e.as_dict() for e in report.errors] == [
        {"row": 3, "column": "所在区划代码", "message": "区划 330402007 不在您的管辖范围内"}]
    assert exc.value.errors == [e.as_dict() for e in report.errors]
    assert "未写入任何数据" in str(exc.value.message)
    assert Unit.objects.count() == 0


def test_service_imports_as_the_acting_office(tmp_path):
    office = make_user(Role.COUNTY_OFFICE, region=XIHU)
    path = write_csv(tmp_path / "ok.csv", EN_HEADER, sized_rows())
    report = import_units(office, path, original_name="西湖区名单.csv")
    assert (report.rows, report.imported, report.error_count) == (5, 5, 0)
    assert report.by_kind == {"enterprise": 5}
    event = import_events().get()
    assert (event.actor_id, event.actor_username) == (office.pk, office.username)
    assert event.object_repr == "西湖区名单.csv"
    assert Unit.objects.count() == 5


def test_command_as_user_applies_the_users_scope(tmp_path):
    office = make_user(Role.COUNTY_OFFICE, region=XIHU, username="xihu-import")
    rows = [enterprise(region=NANHU_TOWN, code=new_code("330402"))]
    path = write_csv(tmp_path / "scope.csv", ZH_HEADER, rows)
    code, _, err = run_import(path, "--as-user", office.username)
    assert code == 2
    assert "第 2 行[所在区划代码]：区划 330402007 不在您的管辖范围内" in err.splitlines()
    assert Unit.objects.count() == 0


def test_roles_without_the_import_permission_are_refused(tmp_path):
    unit = UnitFactory()
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    path = write_csv(tmp_path / "x.csv", ZH_HEADER, [enterprise()])
    with pytest.raises(NotPermitted):
        import_units(admin, path)
    assert Unit.objects.count() == 1


# --- The upload page ------------------------------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def office(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)
    return user


def upload(client, name, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/units/import/", {"file": SimpleUploadedFile(name, content)})


def csv_bytes(header, rows, encoding="utf-8"):
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def test_upload_page_imports_and_shows_the_result(client, media, office):
    response = upload(client, "名单.csv", csv_bytes(ZH_HEADER, sized_rows()))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/units/import/jobs/{job.pk}/"
    assert (job.status, job.rows, job.imported, job.error_count) == ("succeeded", 5, 5, 0)
    assert job.created_by == office
    assert job.original_name == "名单.csv"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "已导入 5 个单位。" in html
    assert "名单.csv" in html
    assert Unit.objects.count() == 5
    assert import_events().get().actor_id == office.pk


def test_upload_page_with_a_bad_file_lists_the_errors(client, media, office):
    rows = [enterprise(), enterprise(employees="abc"), enterprise(region="330106999")]
    response = upload(client, "bad.csv", csv_bytes(ZH_HEADER, rows))
    job = ImportJob.objects.get()
    assert (job.status, job.rows, job.error_count) == ("failed", 3, 2)
    assert job.errors == [
        {"row": 3, "column": "职工人数", "message": "应为整数"},
        {"row": 4, "column": "所在区划代码", "message": "区划代码 330106999 不存在"},
    ]
    html = client.get(response["Location"]).content.decode()
    assert "发现 2 处错误，未写入任何数据。" in html
    assert "<td>3</td><td>职工人数</td><td>应为整数</td>" in html
    assert "<td>4</td><td>所在区划代码</td><td>区划代码 330106999 不存在</td>" in html
    errors_url = f"/units/import/jobs/{job.pk}/errors.csv"
    assert errors_url in html
    download = client.get(errors_url)
    assert download.status_code == 200
    text = download.content.decode("utf-8-sig")
    assert text.splitlines() == ["行号,列,问题", "3,职工人数,应为整数",
                                 "4,所在区划代码,区划代码 330106999 不存在"]
    assert Unit.objects.count() == 0
    assert not import_events().exists()


def test_upload_outside_the_office_scope_is_refused(client, media, office):
    rows = [enterprise(region=NANHU_TOWN, code=new_code("330402"))]
    upload(client, "nanhu.csv", csv_bytes(ZH_HEADER, rows))
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.errors == [{"row": 2, "column": "所在区划代码",
                           "message": "区划 330402007 不在您的管辖范围内"}]
    assert Unit.objects.count() == 0


def test_upload_xlsx(client, media, office, tmp_path):
    path = write_xlsx(tmp_path / "u.xlsx", EN_HEADER, [enterprise("表格上传有限公司")])
    upload(client, "u.xlsx", path.read_bytes())
    job = ImportJob.objects.get()
    assert (job.status, job.imported) == ("succeeded", 1)
    assert Unit.objects.get().name == "表格上传有限公司"


def test_upload_of_a_corrupt_xlsx_fails_the_job_with_a_chinese_message(client, media, office):
    response = upload(client, "broken.xlsx", b"this is not a spreadsheet")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.error_count == 1
    assert job.errors[0]["row"] == 0
    assert "XLSX" in job.errors[0]["message"] or "无法读取" in job.errors[0]["message"]


def test_uploading_the_same_file_twice_imports_it_once(client, media, office):
    content = csv_bytes(ZH_HEADER, sized_rows())
    upload(client, "名单.csv", content)
    response = upload(client, "名单（再次）.csv", content)
    first, second = ImportJob.objects.order_by("id")
    assert (first.status, second.status) == ("succeeded", "failed")
    assert second.error_count == 1
    assert second.errors[0]["message"].endswith(
        f"（事件 #{import_events().get().pk}），未重复导入")
    assert "未重复导入" in client.get(response["Location"]).content.decode()
    assert Unit.objects.count() == 5


def test_errors_csv_is_valid_csv_when_a_value_holds_a_comma(client, media, office, tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", ["单位类型", "单位名称", "所在区划代码", "备注,说明"],
                      [["工业园区", "示例园区", XIHU_TOWN, "x"]])
    upload(client, "h.xlsx", path.read_bytes())
    job = ImportJob.objects.get()
    assert job.errors == [{"row": 1, "column": "备注,说明",
                           "message": "第 4 列的列名“备注,说明”无法识别"}]
    text = client.get(f"/units/import/jobs/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["行号", "列", "问题"], ["1", "备注,说明", "第 4 列的列名“备注,说明”无法识别"]]


def test_another_user_cannot_open_someone_elses_job(client, media, office):
    response = upload(client, "名单.csv", csv_bytes(ZH_HEADER, [enterprise()]))
    job_url = response["Location"]
    job = ImportJob.objects.get()
    other = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(other)
    assert client.get(job_url).status_code == 404
    assert client.get(f"/units/import/jobs/{job.pk}/errors.csv").status_code == 404
    assert "名单.csv" not in client.get("/units/import/").content.decode()
    client.force_login(office)
    assert client.get(job_url).status_code == 200


def test_template_download_has_chinese_headers(client, office):
    response = client.get("/units/import/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == [*ZH_HEADER, "项目代码", "总承包单位信用代码", "地址",
                                   "开工日期", "竣工日期", "务工人数",
                                   "联系人姓名", "联系电话", "电子邮箱"]
    assert [line.split(",")[0] for line in lines[1:]] == [
        "企业", "工地项目", "工业园区", "乡镇（街道）", "行业（协会）"]


def test_non_csv_or_xlsx_upload_is_refused_in_chinese(client, media, office):
    response = upload(client, "units.xls", b"\xd0\xcf\x11\xe0")
    assert response.status_code == 200
    assert "只支持 CSV 或 XLSX 文件。" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert Unit.objects.count() == 0


def test_oversized_upload_is_refused_in_chinese(client, media, office, settings):
    settings.UNIT_IMPORT_MAX_BYTES = 100
    response = upload(client, "big.csv", csv_bytes(ZH_HEADER, sized_rows()))
    assert response.status_code == 200
    assert "文件过大。" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert Unit.objects.count() == 0


def test_upload_page_needs_the_import_permission(client, media):
    unit = UnitFactory()
    client.force_login(make_user(Role.UNIT_ADMIN, unit=unit))
    assert client.get("/units/import/").status_code == 404
    assert upload(client, "x.csv", csv_bytes(ZH_HEADER, [enterprise()])).status_code == 404
    assert client.get("/units/import/template.csv").status_code == 404
    assert not ImportJob.objects.exists()


def test_upload_page_requires_login(client):
    response = client.get("/units/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- The bulk load path (PostgreSQL: indexes dropped, rows COPYed, indexes rebuilt) ----------

def _table_structures() -> set[tuple[str, str]]:
    """Every index and constraint definition of units_unit (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'units_unit'")
        found = set(cursor.fetchall())
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'units_unit'::regclass")
        return found | set(cursor.fetchall())


@pytest.fixture
def bulk(settings):
    """Every import counts as big enough for the bulk path."""
    settings.HEXIE_IMPORT_BULK_ROWS = 1
    from django.db import connection

    return _table_structures() if connection.vendor == "postgresql" else None


def test_bulk_load_writes_every_row_and_restores_every_index(tmp_path, bulk):
    existing = UnitFactory()
    path = write_csv(tmp_path / "big.csv", ZH_HEADER, sized_rows())
    code, out, err = run_import(path)
    assert (code, out.strip()) == (0, "已导入 5 个单位。"), err
    assert {u.name: u.size for u in Unit.objects.exclude(pk=existing.pk)} == {
        name: size for name, *_, size in SIZED_ROWS}
    if bulk is not None:
        assert _table_structures() == bulk
        # The rebuilt unique constraint is live.
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            UnitFactory(credit_code=existing.credit_code)


def test_bulk_load_finds_duplicates_of_the_table(tmp_path, bulk):
    existing = UnitFactory()
    town = UnitFactory(kind=Kind.TOWN, name="北山街道", region_id=XIHU_TOWN, credit_code=None,
                       industry="", industry_section="", employees=None, revenue_yuan=None,
                       assets_yuan=None, size_derived="", size="")
    rows = [enterprise(), enterprise("重复登记有限公司", code=existing.credit_code),
            enterprise("另一家有限公司")]
    path = write_csv(tmp_path / "dup.csv", ZH_HEADER, rows)
    assert_refused(path, "第 3 行[统一社会信用代码]：该统一社会信用代码已登记", units_before=2)
    header = ["单位类型", "单位名称", "所在区划代码"]
    towns = write_csv(tmp_path / "towns.csv", header, [["乡镇（街道）", "", XIHU_TOWN_2],
                                                       ["乡镇（街道）", "", XIHU_TOWN],
                                                       ["乡镇（街道）", "", NANHU_TOWN]])
    assert_refused(towns, "第 3 行[所在区划代码]：该乡镇（街道）已登记为创建单位",
                   units_before=2)
    assert set(Unit.objects.values_list("pk", flat=True)) == {existing.pk, town.pk}
    if bulk is not None:
        assert _table_structures() == bulk  # the rollback brought every index back


def test_small_import_into_a_bigger_table_keeps_the_indexes(tmp_path, settings):
    """Rebuilding costs in proportion to the whole table: a file smaller than the table is
    written row by row into the indexed table (the duplicate check then runs per batch)."""
    settings.HEXIE_IMPORT_BULK_ROWS = 1
    existing = [UnitFactory() for _ in range(3)]
    rows = [enterprise(), enterprise("重复有限公司", code=existing[0].credit_code)]
    path = write_csv(tmp_path / "small.csv", ZH_HEADER, rows)
    assert_refused(path, "第 3 行[统一社会信用代码]：该统一社会信用代码已登记", units_before=3)


# --- Reading: batches, quoting, ragged rows ------------------------------------------------

def test_rows_across_read_blocks_keep_their_numbers(tmp_path, monkeypatch):
    """Tiny read blocks: rows, quoted commas and quoted newlines straddle block edges, and
    every row keeps its record number (a quoted newline is a control character in an
    address, so those rows are refused, by number)."""
    from hexie.units import tabular

    monkeypatch.setattr(tabular, "BLOCK_BYTES", 64)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*ZH_HEADER, "地址"])
    for n in range(40):
        address = f"杭州市, 某路\n{n} 号" if n % 10 == 9 else f"杭州市, 某路 {n} 号"
        writer.writerow([*enterprise(f"第{n}号有限公司"), address])
    writer.writerow([*enterprise(employees="abc"), ""])
    path = tmp_path / "blocks.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        import_units(None, path, scope=_province())
    assert [(e.row, e.column, e.message) for e in exc.value.report.errors] == [
        (n, "地址", "含有不可见的控制字符") for n in (11, 21, 31, 41)] + [
        (42, "职工人数", "应为整数")]
    assert exc.value.report.rows == 41
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*ZH_HEADER, "地址"])
    for n in range(40):
        writer.writerow([*enterprise(f"第{n}号有限公司"), f"杭州市, 某路 {n} 号"])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    report = import_units(None, path, scope=_province())
    assert report.imported == 40
    assert Unit.objects.get(name="第7号有限公司").address == "杭州市, 某路 7 号"


def test_a_ragged_row_inside_a_block_is_read_by_the_reference_reader(tmp_path):
    """Polars refuses a row with extra fields; that block is read again by Python's csv, so
    an empty extra field is tolerated and a filled one is reported on its own line."""
    header = ",".join(ZH_HEADER)
    lines = [header, ",".join(enterprise("甲有限公司")) + ",",
             ",".join(enterprise("乙有限公司")) + ",多余", ",".join(enterprise("丙有限公司"))]
    path = write_csv(tmp_path / "ragged.csv", None, None, lines=lines)
    with pytest.raises(ImportFailed) as exc:
        import_units(None, path, scope=_province())
    assert [(e.row, e.message) for e in exc.value.report.errors] == [(3, "该行的列数多于表头")]


def test_errors_are_reported_by_row_and_capped(tmp_path):
    """More errors than the report keeps: the first 1,000 by row, the count of all."""
    rows = [enterprise(f"坏{n}有限公司", employees="abc") for n in range(1500)]
    path = write_csv(tmp_path / "bad.csv", ZH_HEADER, rows)
    with pytest.raises(ImportFailed) as exc:
        import_units(None, path, scope=_province())
    report = exc.value.report
    assert report.error_count == 1500
    assert [e.row for e in report.errors] == list(range(2, 1002))


def test_duplicates_across_read_blocks_name_the_first_row(tmp_path, monkeypatch):
    from hexie.units import tabular

    monkeypatch.setattr(tabular, "BLOCK_BYTES", 200)
    codes = [new_code() for _ in range(12)]
    codes[9] = codes[1]  # row 11 repeats row 3 (another block)
    codes[11] = codes[1]  # and row 13 too
    codes[10] = codes[5]  # row 12 repeats row 7
    rows = [enterprise(f"跨块{n}有限公司", code=code) for n, code in enumerate(codes)]
    path = write_csv(tmp_path / "dups.csv", ZH_HEADER, rows)
    with pytest.raises(ImportFailed) as exc:
        import_units(None, path, scope=_province())
    assert [(e.row, e.message) for e in exc.value.report.errors] == [
        (11, "与第 3 行统一社会信用代码重复"), (12, "与第 7 行统一社会信用代码重复"),
        (13, "与第 3 行统一社会信用代码重复")]
