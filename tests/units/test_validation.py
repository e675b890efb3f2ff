"""The one validator for a unit's raw fields (pages, API and bulk import share it)."""

import datetime
from decimal import Decimal

import pytest

from hexie.units import credit_code as cc
from hexie.units.size import Size
from hexie.units.validation import UnitValidator
from tests.factories import HANGZHOU, NANHU_TOWN, XIHU, XIHU_TOWN
from tests.factories import credit_code as new_credit_code

pytestmark = pytest.mark.django_db

ENTERPRISE, PROJECT, PARK, TOWN, INDUSTRY = (
    "enterprise", "construction_project", "industrial_park", "town", "industry"
)
KIND_LABEL = {ENTERPRISE: "企业", PROJECT: "工地项目", PARK: "工业园区", TOWN: "乡镇（街道）",
              INDUSTRY: "行业（协会）"}
# Every field the validator knows (the import template's columns).
ALL_FIELDS = ("kind", "name", "credit_code", "region_code", "industry", "employees",
              "revenue_yuan", "assets_yuan", "platform", "project_code",
              "contractor_credit_code", "address", "start_date", "end_date", "workers")
# Written out from the domain guide, independently of validation._REQUIRED / _OPTIONAL.
REQUIRED = {
    ENTERPRISE: ("name", "credit_code", "region_code", "industry", "employees", "revenue_yuan"),
    PROJECT: ("name", "project_code", "contractor_credit_code", "region_code", "start_date",
              "end_date", "workers"),
    PARK: ("name", "region_code"),
    TOWN: ("region_code",),
    INDUSTRY: ("name", "industry", "region_code"),
}
OPTIONAL = {
    ENTERPRISE: ("assets_yuan", "platform", "address"),
    PROJECT: ("address",),
    PARK: ("credit_code", "address"),
    TOWN: ("name", "address"),
    INDUSTRY: ("credit_code", "address"),
}
# A non-blank sample value for each field, used to fill fields a kind must not have.
SAMPLE = {
    "name": "样例", "credit_code": "91440300708461136T", "region_code": XIHU_TOWN,
    "industry": "C13", "employees": "10", "revenue_yuan": "1000", "assets_yuan": "1000",
    "platform": "是", "project_code": "P-1", "contractor_credit_code": "91440300708461136T",
    "address": "某路 1 号", "start_date": "2026-01-01", "end_date": "2026-12-31", "workers": "5",
}


@pytest.fixture
def validator():
    return UnitValidator.from_database()


def valid_row(kind: str) -> dict:
    if kind == ENTERPRISE:
        return {"kind": ENTERPRISE, "name": "杭州测试制造有限公司",
                "credit_code": new_credit_code(), "region_code": XIHU_TOWN, "industry": "C13",
                "employees": "350", "revenue_yuan": "50000000", "assets_yuan": "",
                "platform": "否", "address": "西湖区某路 1 号"}
    if kind == PROJECT:
        return {"kind": PROJECT, "name": "某某安置房工程", "project_code": "330106-2026-001",
                "contractor_credit_code": new_credit_code(), "region_code": XIHU_TOWN,
                "start_date": "2026-03-01", "end_date": "2027-06-30", "workers": "120"}
    if kind == PARK:
        return {"kind": PARK, "name": "嘉兴测试工业园区", "region_code": NANHU_TOWN}
    if kind == TOWN:
        return {"kind": TOWN, "region_code": XIHU_TOWN}
    return {"kind": INDUSTRY, "name": "西湖区餐饮行业协会", "industry": "H", "region_code": XIHU}


def errors_of(result) -> dict[str, str]:
    _out, errors = result
    return {e.field: e.message for e in errors}


def clean_ok(validator, raw):
    out, errors = validator.clean(raw)
    assert errors == []
    return out


# --- valid rows -----------------------------------------------------------------------------


def test_valid_enterprise_is_cleaned_and_sized(validator):
    row = valid_row(ENTERPRISE)
    out = clean_ok(validator, row)
    assert out["kind"] == ENTERPRISE
    assert out["region_id"] == XIHU_TOWN
    assert out["credit_code"] == row["credit_code"]
    assert out["industry"] == "C13"
    assert out["industry_section"] == "C"
    assert out["employees"] == 350
    assert out["revenue_yuan"] == Decimal("50000000")
    assert out["assets_yuan"] is None
    assert out["platform"] is False
    # 350 people (300 ≤ X < 1000) and 5,000万 revenue (2,000 ≤ Y < 40,000) → medium
    assert out["size_derived"] == Size.MEDIUM


def test_valid_project_is_cleaned(validator):
    row = valid_row(PROJECT)
    out = clean_ok(validator, row)
    assert out["start_date"] == datetime.date(2026, 3, 1)
    assert out["end_date"] == datetime.date(2027, 6, 30)
    assert out["workers"] == 120
    assert out["project_code"] == "330106-2026-001"
    assert out["contractor_credit_code"] == row["contractor_credit_code"]
    assert out["credit_code"] is None


def test_valid_park_town_and_industry_are_cleaned(validator):
    assert clean_ok(validator, valid_row(PARK))["region_id"] == NANHU_TOWN
    assert clean_ok(validator, valid_row(TOWN))["region_id"] == XIHU_TOWN
    industry = clean_ok(validator, valid_row(INDUSTRY))
    assert (industry["industry"], industry["industry_section"]) == ("H", "H")
    assert industry["region_id"] == XIHU


# --- kind -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,kind",
    [("企业", ENTERPRISE), ("工地项目", PROJECT), ("工业园区", PARK), ("乡镇（街道）", TOWN),
     ("行业（协会）", INDUSTRY), ("乡镇", TOWN), ("街道", TOWN), ("行业", INDUSTRY),
     ("协会", INDUSTRY), ("园区", PARK), ("工地", PROJECT), (" 企业 ", ENTERPRISE),
     ("enterprise", ENTERPRISE), ("construction_project", PROJECT)],
)
def test_kind_may_be_given_as_code_or_chinese_label(validator, text, kind):
    row = valid_row(kind)
    row["kind"] = text
    assert clean_ok(validator, row)["kind"] == kind


@pytest.mark.parametrize("text,kind", [("乡镇(街道)", TOWN), ("行业(协会)", INDUSTRY)])
def test_kind_labels_as_written_in_the_domain_guide_are_accepted(validator, text, kind):
    # DOMAIN.md §2 writes these labels with ASCII parentheses; a spreadsheet typed from the
    # guide (or on a keyboard without a Chinese IME) must not be refused for that
    row = valid_row(kind)
    row["kind"] = text
    assert clean_ok(validator, row)["kind"] == kind


@pytest.mark.parametrize("text", ["", None, "公司", "Enterprise", "个体户"])
def test_unknown_kind_is_the_only_error(validator, text):
    row = valid_row(ENTERPRISE)
    row["kind"] = text
    out, errors = validator.clean(row)
    assert out == {}
    assert [e.field for e in errors] == ["kind"]
    assert "企业、工地项目、工业园区" in errors[0].message


# --- required and foreign fields ------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,field", [(kind, field) for kind, fields in REQUIRED.items() for field in fields]
)
@pytest.mark.parametrize("blank", ["", "   ", None, "missing"])
def test_required_fields_per_kind(validator, kind, field, blank):
    # given a valid row of this kind with one required field left blank
    row = valid_row(kind)
    if blank == "missing":
        row.pop(field, None)
    else:
        row[field] = blank
    # then the error names exactly that field as required
    assert errors_of(validator.clean(row)) == {field: "必填"}


@pytest.mark.parametrize(
    "kind,field",
    [(kind, field) for kind in REQUIRED for field in ALL_FIELDS
     if field != "kind" and field not in REQUIRED[kind] and field not in OPTIONAL[kind]],
)
def test_fields_of_other_kinds_are_refused(validator, kind, field):
    # given a valid row with a field that does not apply to its kind
    row = valid_row(kind)
    row[field] = SAMPLE[field]
    # then that field is named, with the kind's label
    errors = errors_of(validator.clean(row))
    assert list(errors) == [field]
    assert "不适用于单位类型" in errors[field]
    assert KIND_LABEL[kind] in errors[field]


@pytest.mark.parametrize("kind", [PROJECT, PARK, TOWN, INDUSTRY])
@pytest.mark.parametrize("value", ["", "否", False, None, "0", "false"])
def test_platform_no_is_tolerated_on_other_kinds(validator, kind, value):
    # an import template has the column for every row; "否" there is not an answer to refuse
    row = valid_row(kind)
    row["platform"] = value
    clean_ok(validator, row)


@pytest.mark.parametrize("kind", [PROJECT, PARK, TOWN])
@pytest.mark.parametrize("value", ["FALSE", "no"])
def test_platform_no_in_any_spelling_the_parser_accepts_is_tolerated(validator, kind, value):
    # parse_bool reads these as "no" for an enterprise; the same column on another kind's row
    # (a CSV export writes FALSE) must not then be refused as a foreign field
    row = valid_row(kind)
    row["platform"] = value
    clean_ok(validator, row)


@pytest.mark.parametrize("kind", [PROJECT, PARK, TOWN, INDUSTRY])
def test_platform_yes_is_refused_on_other_kinds(validator, kind):
    row = valid_row(kind)
    row["platform"] = "是"
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["platform"]
    assert "不适用于单位类型" in errors["platform"]


@pytest.mark.parametrize("kind", [PARK, INDUSTRY])
def test_optional_credit_code_is_checked_when_given(validator, kind):
    row = valid_row(kind)
    row["credit_code"] = "91440300708461136A"
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["credit_code"]
    assert "校验位" in errors["credit_code"]


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,field,value",
    [(ENTERPRISE, "employees", "-1"), (ENTERPRISE, "employees", -5),
     (ENTERPRISE, "revenue_yuan", "-0.01"), (ENTERPRISE, "revenue_yuan", Decimal("-1")),
     (ENTERPRISE, "assets_yuan", "-100"), (PROJECT, "workers", "-3"), (PROJECT, "workers", -1)],
)
def test_negative_numbers_are_refused(validator, kind, field, value):
    row = valid_row(kind)
    row[field] = value
    errors = errors_of(validator.clean(row))
    assert errors == {field: "不能为负数"}


@pytest.mark.parametrize(
    "field,value",
    [("employees", "12.5"), ("employees", 12.5), ("employees", "abc"), ("employees", True),
     ("employees", "1e3"), ("employees", "十二"), ("employees", Decimal("12.5")),
     ("employees", float("nan")), ("employees", float("inf")), ("employees", "nan")],
)
def test_non_integer_employees_are_refused(validator, field, value):
    row = valid_row(ENTERPRISE)
    row[field] = value
    assert errors_of(validator.clean(row)) == {field: "应为整数"}


@pytest.mark.parametrize(
    "value,expected",
    [("350", 350), (350, 350), (350.0, 350), ("350.0", 350), ("1,200", 1200), (" 42 ", 42),
     (Decimal("42"), 42)],
)
def test_employees_in_common_spreadsheet_forms_are_accepted(validator, value, expected):
    row = valid_row(ENTERPRISE)
    row["employees"] = value
    assert clean_ok(validator, row)["employees"] == expected


def test_too_many_employees_is_refused(validator):
    row = valid_row(ENTERPRISE)
    row["employees"] = "2000000001"
    assert errors_of(validator.clean(row)) == {"employees": "数值过大"}


@pytest.mark.parametrize("field", ["revenue_yuan", "assets_yuan"])
@pytest.mark.parametrize("value", ["100.123", "0.001", Decimal("5.555"), 0.125])
def test_money_with_three_decimals_is_refused(validator, field, value):
    row = valid_row(ENTERPRISE)
    row[field] = value
    assert errors_of(validator.clean(row)) == {field: "最多保留两位小数"}


@pytest.mark.parametrize("field", ["revenue_yuan", "assets_yuan"])
@pytest.mark.parametrize(
    "value", ["NaN", "nan", "sNaN", "inf", "-inf", "Infinity", float("nan"), float("inf"),
              Decimal("NaN"), "abc", "12元", "1.2.3"],
)
def test_money_that_is_not_a_finite_number_is_refused(validator, field, value):
    row = valid_row(ENTERPRISE)
    row[field] = value
    errors = errors_of(validator.clean(row))
    assert list(errors) == [field]
    assert "应为金额数字" in errors[field]


@pytest.mark.parametrize(
    "value,expected",
    [("100.12", Decimal("100.12")), ("1,000,000", Decimal("1000000")), (2500, Decimal("2500")),
     (0.5, Decimal("0.5")), ("0", Decimal("0")), ("9999999999999999.99",
                                                 Decimal("9999999999999999.99"))],
)
def test_money_is_parsed_to_decimal(validator, value, expected):
    row = valid_row(ENTERPRISE)
    row["revenue_yuan"] = value
    assert clean_ok(validator, row)["revenue_yuan"] == expected


def test_money_too_large_for_the_column_is_refused(validator):
    row = valid_row(ENTERPRISE)
    row["assets_yuan"] = "10000000000000000"
    assert errors_of(validator.clean(row)) == {"assets_yuan": "数值过大"}


def test_enterprise_with_zero_employees_is_refused(validator):
    row = valid_row(ENTERPRISE)
    row["employees"] = "0"
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["employees"]
    assert "不能为 0" in errors["employees"]


def test_project_with_zero_workers_is_accepted(validator):
    # only an enterprise's head count must be positive (DOMAIN.md §3)
    row = valid_row(PROJECT)
    row["workers"] = "0"
    assert clean_ok(validator, row)["workers"] == 0


# --- regions --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [ENTERPRISE, PROJECT, PARK, TOWN, INDUSTRY])
@pytest.mark.parametrize("code", ["330106999", "330199", "3399", "34", "11010100", "abc"])
def test_unknown_region_code_is_refused(validator, kind, code):
    row = valid_row(kind)
    row["region_code"] = code
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["region_code"]
    assert code in errors["region_code"]
    assert "不存在" in errors["region_code"]


@pytest.mark.parametrize("kind", [ENTERPRISE, PROJECT, PARK, TOWN])
@pytest.mark.parametrize("code", [XIHU, HANGZHOU, "33"])
def test_town_bound_kinds_refuse_a_higher_level_region(validator, kind, code):
    # given an enterprise (park, project, town) placed at county, city or province level
    row = valid_row(kind)
    row["region_code"] = code
    # then the region must be a 9-digit town code
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["region_code"]
    assert "9 位" in errors["region_code"]


def test_region_code_is_stripped(validator):
    row = valid_row(ENTERPRISE)
    row["region_code"] = f" {XIHU_TOWN} "
    assert clean_ok(validator, row)["region_id"] == XIHU_TOWN


@pytest.mark.parametrize("code", [XIHU, HANGZHOU, "33", XIHU_TOWN])
def test_industry_association_may_sit_at_any_level(validator, code):
    row = valid_row(INDUSTRY)
    row["region_code"] = code
    assert clean_ok(validator, row)["region_id"] == code


@pytest.mark.parametrize("code,name", [(XIHU_TOWN, "北山街道"), (NANHU_TOWN, "建设街道"),
                                       ("330383198", "龙港县直辖村级区划")])
def test_town_gets_its_division_name_when_name_is_blank(validator, code, name):
    out = clean_ok(validator, {"kind": TOWN, "region_code": code, "name": ""})
    assert out["name"] == name


def test_town_keeps_a_given_name(validator):
    out = clean_ok(validator, {"kind": "乡镇", "region_code": XIHU_TOWN, "name": "北山街道办事处"})
    assert out["name"] == "北山街道办事处"


# --- enterprise identity and industry -------------------------------------------------------


def test_enterprise_credit_code_is_normalised(validator):
    row = valid_row(ENTERPRISE)
    row["credit_code"] = " 91440300708461136t "
    assert clean_ok(validator, row)["credit_code"] == "91440300708461136T"


@pytest.mark.parametrize(
    "code,fragment",
    [("91440300708461136A", "校验位"), ("9144030070846113", "18 位"),
     ("91440300708461136S", "不允许的字符"), ("B1440300708461136T", "第 1 位")],
)
def test_enterprise_bad_credit_code_names_the_field(validator, code, fragment):
    row = valid_row(ENTERPRISE)
    row["credit_code"] = code
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["credit_code"]
    assert errors["credit_code"].startswith("统一社会信用代码")
    assert fragment in errors["credit_code"]


def test_enterprise_with_a_n_y_credit_code_is_accepted(validator):
    for first in "ANY":
        row = valid_row(ENTERPRISE)
        row["credit_code"] = cc.make(f"{first}1330106", "MA2H0001")
        assert clean_ok(validator, row)["credit_code"][0] == first


def test_project_contractor_code_is_checked_and_normalised(validator):
    row = valid_row(PROJECT)
    row["contractor_credit_code"] = "91440300708461136t"
    assert clean_ok(validator, row)["contractor_credit_code"] == "91440300708461136T"
    row["contractor_credit_code"] = "91440300708461136A"
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["contractor_credit_code"]
    assert "校验位" in errors["contractor_credit_code"]


@pytest.mark.parametrize("kind", [ENTERPRISE, INDUSTRY])
@pytest.mark.parametrize(
    "industry,fragment",
    [("A13", "属于门类 C"), ("99", "行业大类 99 不存在"), ("制造业", "应为门类字母")],
)
def test_bad_industry_names_the_field(validator, kind, industry, fragment):
    row = valid_row(kind)
    row["industry"] = industry
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["industry"]
    assert fragment in errors["industry"]


@pytest.mark.parametrize("industry", ["C１３", "７０１０", "Ｃ１３"])
def test_full_width_industry_digits_are_not_stored_as_is(validator, industry):
    # given an industry code typed with a Chinese IME's full-width digits, assets left blank
    row = valid_row(ENTERPRISE)
    row["industry"] = industry
    out, errors = validator.clean(row)
    # then the row is refused, or accepted with the canonical ASCII code (so "７０１０" cannot
    # slip past the assets check for real estate with no size)
    if errors:
        assert {e.field for e in errors} <= {"industry", "assets_yuan"}
    else:
        assert out["industry"].isascii()
        assert out["size_derived"] != ""


@pytest.mark.parametrize(
    "industry,rule_name",
    [("E", "建筑业"), ("E4710", "建筑业"), ("7010", "房地产开发经营"),
     ("K7010", "房地产开发经营"), ("L", "租赁和商务服务业"), ("7111", "租赁和商务服务业")],
)
def test_assets_are_required_where_the_size_rule_uses_them(validator, industry, rule_name):
    # given an enterprise whose size rule uses total assets, with assets left blank
    row = valid_row(ENTERPRISE)
    row["industry"] = industry
    row["assets_yuan"] = ""
    # then assets are named as required, with the rule's name
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["assets_yuan"]
    assert rule_name in errors["assets_yuan"]
    assert "必填" in errors["assets_yuan"]


@pytest.mark.parametrize(
    "industry,assets,expected",
    [("E", "60000000", Size.SMALL),       # Y 5,000万 (300 ≤ Y < 6,000) small, Z 6,000万 medium
     ("7010", "60000000", Size.MEDIUM),   # Y 5,000万 (≥ 1,000), Z 6,000万 (≥ 5,000): medium
     ("L", "60000000", Size.SMALL),       # X 350 large, Z 6,000万 (100 ≤ Z < 8,000) small
     ("L", "80000000", Size.MEDIUM)],     # Z 8,000万 exactly: medium
)
def test_assets_given_where_required_give_a_size(validator, industry, assets, expected):
    row = valid_row(ENTERPRISE)
    row["industry"] = industry
    row["assets_yuan"] = assets
    assert clean_ok(validator, row)["size_derived"] == expected


@pytest.mark.parametrize("industry,expected", [("C13", Size.MEDIUM), ("51", Size.MEDIUM),
                                               ("M", Size.LARGE), ("J", ""), ("84", ""),
                                               ("F", "")])
def test_assets_are_optional_where_the_rule_does_not_use_them(validator, industry, expected):
    row = valid_row(ENTERPRISE)
    row["industry"] = industry
    row["assets_yuan"] = ""
    out = clean_ok(validator, row)
    assert out["assets_yuan"] is None
    assert out["size_derived"] == expected


# --- platform -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [("是", True), ("否", False), ("true", True), ("TRUE", True), ("True", True), ("1", True),
     ("0", False), ("false", False), ("yes", True), ("no", False), ("√", True), (" 是 ", True),
     (True, True), (False, False), (1, True), (0, False), ("", False), (None, False)],
)
def test_platform_parsing(validator, value, expected):
    row = valid_row(ENTERPRISE)
    row["platform"] = value
    assert clean_ok(validator, row)["platform"] is expected


@pytest.mark.parametrize("value", ["garbage", "2", "maybe", "是的吧", "×"])
def test_platform_garbage_is_refused(validator, value):
    row = valid_row(ENTERPRISE)
    row["platform"] = value
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["platform"]
    assert "是" in errors["platform"]
    assert "否" in errors["platform"]


# --- construction projects ------------------------------------------------------------------


def test_project_ending_before_it_starts_is_refused(validator):
    row = valid_row(PROJECT)
    row["start_date"], row["end_date"] = "2026-03-01", "2026-02-28"
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["end_date"]
    assert "不能早于开工日期" in errors["end_date"]


def test_project_ending_the_day_it_starts_is_accepted(validator):
    row = valid_row(PROJECT)
    row["start_date"], row["end_date"] = "2026-03-01", "2026-03-01"
    out = clean_ok(validator, row)
    assert out["start_date"] == out["end_date"] == datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    "value,expected",
    [("2026/03/01", datetime.date(2026, 3, 1)), ("2026.03.01", datetime.date(2026, 3, 1)),
     (" 2026-03-01 ", datetime.date(2026, 3, 1)), (datetime.date(2026, 3, 1),
                                                   datetime.date(2026, 3, 1)),
     (datetime.datetime(2026, 3, 1, 8, 30), datetime.date(2026, 3, 1))],
)
def test_project_dates_in_common_forms(validator, value, expected):
    row = valid_row(PROJECT)
    row["start_date"] = value
    assert clean_ok(validator, row)["start_date"] == expected


@pytest.mark.parametrize("field", ["start_date", "end_date"])
@pytest.mark.parametrize("value", ["明年", "2026-13-01", "2026-02-30", "20260301x"])
def test_project_bad_dates_name_the_field(validator, field, value):
    row = valid_row(PROJECT)
    row[field] = value
    errors = errors_of(validator.clean(row))
    assert list(errors) == [field]
    assert "应为日期" in errors[field]


# --- several errors at once -----------------------------------------------------------------


def test_all_field_errors_are_reported_together(validator):
    row = valid_row(ENTERPRISE)
    row.update(credit_code="91440300708461136A", region_code=XIHU, industry="A13",
               employees="-1", revenue_yuan="1.234", platform="garbage")
    errors = errors_of(validator.clean(row))
    assert set(errors) == {"credit_code", "region_code", "industry", "employees",
                           "revenue_yuan", "platform"}


def test_name_longer_than_200_characters_is_refused(validator):
    row = valid_row(PARK)
    row["name"] = "园" * 201
    errors = errors_of(validator.clean(row))
    assert list(errors) == ["name"]
    assert "200" in errors["name"]
