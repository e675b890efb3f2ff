"""The synthetic province: reproducible by seed, valid by the same rules as a real file."""

import csv
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hexie.core.models import AuditEvent
from hexie.regions.models import Division
from hexie.units import credit_code as cc
from hexie.units.models import Unit
from hexie.units.seed import synthetic_rows
from hexie.units.validation import UnitValidator

pytestmark = pytest.mark.django_db

KINDS = {"enterprise", "construction_project", "industrial_park", "town", "industry"}


@pytest.fixture
def towns():
    return list(Division.objects.filter(level="town").values_list("code", "name"))


@pytest.fixture
def rows_5000(towns):
    return list(synthetic_rows(5000, 11, towns))


def test_same_seed_same_rows_different_seed_different_rows(towns):
    first = list(synthetic_rows(200, 7, towns))
    again = list(synthetic_rows(200, 7, towns))
    other = list(synthetic_rows(200, 8, towns))
    assert len(first) == len(other) == 200
    assert first == again
    assert first != other
    assert {r.get("credit_code") for r in first} != {r.get("credit_code") for r in other}


def test_rows_do_not_depend_on_the_order_of_the_town_list(towns):
    assert list(synthetic_rows(100, 5, towns)) == list(synthetic_rows(100, 5, towns[::-1]))


def test_credit_codes_are_valid_and_unique(rows_5000):
    codes = [r["credit_code"] for r in rows_5000 if "credit_code" in r]
    assert len(codes) > 4000
    assert all(cc.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)
    contractors = [r["contractor_credit_code"] for r in rows_5000
                   if "contractor_credit_code" in r]
    assert contractors and all(cc.is_valid(c) for c in contractors)
    projects = [r["project_code"] for r in rows_5000 if "project_code" in r]
    assert len(set(projects)) == len(projects)


def test_credit_codes_carry_the_units_county(rows_5000):
    for row in rows_5000:
        if "credit_code" in row:
            assert row["credit_code"][:8] == "91" + row["region_code"][:6]


def test_region_codes_are_real(rows_5000):
    levels = dict(Division.objects.values_list("code", "level"))
    for row in rows_5000:
        expected = "county" if row["kind"] == "industry" else "town"
        assert levels.get(row["region_code"]) == expected, row
    town_units = [r["region_code"] for r in rows_5000 if r["kind"] == "town"]
    assert len(set(town_units)) == len(town_units)  # one creating unit per town
    assert len({r["region_code"][:4] for r in rows_5000}) == 11  # every city


def test_kind_distribution_is_plausible(rows_5000):
    kinds = Counter(r["kind"] for r in rows_5000)
    assert set(kinds) == KINDS
    assert kinds["enterprise"] / 5000 > 0.8
    assert kinds["construction_project"] > kinds["industrial_park"]
    assert all(kinds[k] >= 10 for k in KINDS)


def test_every_row_passes_the_shared_validator(rows_5000):
    validator = UnitValidator.from_database()
    sizes = Counter()
    sections = Counter()
    for row in rows_5000:
        cleaned, errors = validator.clean(row)
        assert errors == [], (row, errors)
        if cleaned["kind"] == "enterprise":
            sizes[cleaned["size_derived"]] += 1
            sections[cleaned["industry_section"]] += 1
    assert {"large", "medium", "small", "micro"} <= set(sizes)
    assert sizes["micro"] + sizes["small"] > sizes["medium"] + sizes["large"]
    assert sections.most_common(1)[0][0] == "C"  # Zhejiang: manufacturing first


def test_region_prefix_limits_the_towns(towns):
    rows = list(synthetic_rows(300, 2, towns, "330106"))
    assert all(r["region_code"].startswith("330106") for r in rows)
    with pytest.raises(ValueError, match="区划 339999 下没有乡镇"):
        list(synthetic_rows(1, 2, towns, "339999"))


def kind_counts():
    return dict(Counter(Unit.objects.values_list("kind", flat=True)))


def test_seed_command_imports_a_reproducible_province(towns, tmp_path):
    out = io.StringIO()
    call_command("seed", "--units", "500", "--seed", "3", stdout=out)
    assert out.getvalue().strip() == "已生成并导入 500 个单位（种子 3）。"
    assert Unit.objects.count() == 500
    counts = kind_counts()
    # Fixed by the seed: the same command on any machine gives these numbers.
    assert counts == {"enterprise": 455, "construction_project": 17, "industry": 11,
                      "industrial_park": 7, "town": 10}
    assert counts == dict(Counter(r["kind"] for r in synthetic_rows(500, 3, towns)))
    tiers = set(Unit.objects.filter(kind="enterprise").values_list("size_derived", flat=True))
    assert len(tiers & {"large", "medium", "small", "micro"}) >= 3
    event = AuditEvent.objects.get(action="units.import")
    assert event.after["rows"] == 500
    assert event.after["by_kind"] == counts
    # The --csv file of the same seed holds the same rows.
    path = tmp_path / "seed.csv"
    call_command("seed", "--units", "500", "--seed", "3", "--csv", str(path),
                 stdout=io.StringIO())
    with open(path, encoding="utf-8", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert dict(Counter(r["kind"] for r in written)) == counts
    assert {r["credit_code"] for r in written if r["credit_code"]} == set(
        Unit.objects.exclude(credit_code=None).filter(kind="enterprise")
        .values_list("credit_code", flat=True))


def test_seeding_the_same_province_twice_changes_nothing():
    call_command("seed", "--units", "200", "--seed", "9", stdout=io.StringIO())
    before = kind_counts()
    with pytest.raises(CommandError, match="合成数据导入失败"):
        call_command("seed", "--units", "200", "--seed", "9", stdout=io.StringIO())
    assert kind_counts() == before
    assert Unit.objects.count() == 200
    assert AuditEvent.objects.filter(action="units.import").count() == 1


def test_seed_in_one_county(towns):
    call_command("seed", "--units", "150", "--seed", "4", "--region", "330106",
                 stdout=io.StringIO())
    assert Unit.objects.count() == 150
    assert not Unit.objects.exclude(region__code__startswith="330106").exists()


def test_seed_csv_only_writes_nothing_to_the_database(tmp_path):
    path = tmp_path / "s.csv"
    out = io.StringIO()
    call_command("seed", "--units", "50", "--seed", "1", "--csv", str(path), stdout=out)
    assert out.getvalue().strip() == f"已写出 50 行到 {path}"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        assert header[:9] == ["kind", "name", "credit_code", "region_code", "industry",
                              "employees", "revenue_yuan", "assets_yuan", "platform"]
        assert len(list(reader)) == 50
    assert not Unit.objects.exists()


def test_seed_on_top_of_the_demo_data(towns):
    """`hexie up` loads the demo; `hexie seed` for a trial then adds its units to it."""
    from hexie.site.demo import load_demo

    load_demo()
    before = Unit.objects.count()
    call_command("seed", "--units", "500", "--seed", "1", stdout=io.StringIO())
    assert Unit.objects.count() == before + 500
