"""The stored search columns (docs/decisions.md D19): one definition, kept right by every write.

``name_search`` and ``name_bigrams`` are derived from the name. Search reads ``name_search`` on
every database (and ``name_bigrams`` through the GIN index on PostgreSQL), so a stale value
would show as a wrong search result: each write path below is checked by searching for the
new name and the old one, and by comparing both columns with the reference functions.
"""

import io
from pathlib import Path

import polars as pl
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from hexie.accounts.roles import Role
from hexie.units import services
from hexie.units.models import Unit
from hexie.units.search import bigram_keys, search_columns, search_text
from hexie.units.selectors import units_for
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_user
from tests.factories import credit_code as new_code

POSTGRES = connection.vendor == "postgresql"
HEADER = "单位类型,单位名称,统一社会信用代码,所在区划代码,行业代码,职工人数,营业收入（元）"


# --- the batch version equals the per-name functions ---------------------------------------

NAME_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(NAME_TEXT, max_size=20))
def test_batch_columns_equal_the_per_name_functions(names):
    for postgres in (True, False):
        search, bigrams = search_columns(pl.Series(names, dtype=pl.String), postgres=postgres)
        assert search.to_list() == [search_text(n) for n in names]
        keys = [bigram_keys(search_text(n)) for n in names]
        if postgres:
            assert bigrams.to_list() == ["{" + ",".join(map(str, k)) + "}" for k in keys]
        else:
            assert bigrams.to_list() == [" ".join(map(str, k)) for k in keys]


def test_keys_are_signed_32_bit_and_distinct_for_chinese_pairs():
    keys = bigram_keys(search_text("西湖ab科技𠀀"))
    assert len(keys) == 6 and all(-(1 << 31) <= k < 1 << 31 for k in keys)
    assert keys[:2] == bigram_keys("西湖A") and keys[2] == bigram_keys("AB")[0]
    assert len(set(bigram_keys("西湖湖西"))) == 3
    assert bigram_keys("西") == [] and bigram_keys("") == []


# --- every write path keeps the columns right -------------------------------------------

@pytest.fixture
def office():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


def found(user, q) -> set[str]:
    return set(units_for(user, {"q": q}).values_list("name", flat=True))


def assert_columns_right():
    for name, text, keys in Unit.objects.values_list("name", "name_search", "name_bigrams"):
        assert text == search_text(name), name
        assert keys == bigram_keys(search_text(name)), name


def enterprise_data(name):
    return {"kind": "企业", "name": name, "credit_code": new_code("330106"),
            "region_code": XIHU_TOWN, "industry": "I6513", "employees": "120",
            "revenue_yuan": "35000000"}


@pytest.mark.django_db
def test_create_and_rename_through_the_services(office):
    unit = services.create_unit(office, enterprise_data("钱塘明珠科技有限公司"))
    assert found(office, "明珠") == {"钱塘明珠科技有限公司"}
    services.update_unit(office, unit, {"name": "北山翠竹软件有限公司"})
    assert_columns_right()
    assert found(office, "明珠") == set()
    assert found(office, "明珠科技") == set()
    assert found(office, "翠竹") == {"北山翠竹软件有限公司"}
    assert found(office, "竹软件") == {"北山翠竹软件有限公司"}
    # Another change leaves the name, and its columns, as they are.
    services.update_unit(office, Unit.objects.get(), {"employees": "130"})
    assert found(office, "翠竹") == {"北山翠竹软件有限公司"}
    assert_columns_right()


@pytest.mark.django_db
def test_the_audit_log_does_not_carry_the_derived_columns(office):
    from hexie.core.models import AuditEvent

    unit = services.create_unit(office, enterprise_data("钱塘明珠科技有限公司"))
    services.update_unit(office, unit, {"name": "北山翠竹软件有限公司"})
    for event in AuditEvent.objects.filter(action__startswith="units."):
        for snapshot in (event.before or {}, event.after or {}):
            assert "name_search" not in snapshot and "name_bigrams" not in snapshot
    event = AuditEvent.objects.get(action="units.update")
    assert {k for k in event.after if event.before.get(k) != event.after[k]} == {
        "name", "updated_at"}


@pytest.mark.django_db
def test_api_create_and_patch(office):
    api = APIClient()
    api.force_authenticate(office)
    response = api.post("/api/v1/units/", enterprise_data("接口明珠有限公司"), format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert found(office, "口明") == {"接口明珠有限公司"}
    response = api.patch(f"/api/v1/units/{pk}/", {"name": "接口翠竹有限公司"}, format="json")
    assert response.status_code == 200
    assert found(office, "口明") == set() and found(office, "口翠") == {"接口翠竹有限公司"}
    assert [u["name"] for u in api.get("/api/v1/units/", {"q": "翠竹有"}).json()["results"]] == [
        "接口翠竹有限公司"]
    assert_columns_right()


@pytest.mark.django_db
def test_save_with_update_fields_that_include_the_name():
    unit = UnitFactory(name="旧名有限公司")
    unit.name = "新名有限公司"
    unit.save(update_fields=["name"])
    assert_columns_right()
    unit.refresh_from_db()
    assert unit.name_search == "新名有限公司"


def write_file(path: Path, names) -> Path:
    lines = [HEADER] + [f"企业,{n},{new_code('330106')},{XIHU_TOWN},C1711,350,50000000"
                        for n in names]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_import(path):
    call_command("units", "import", str(path), stdout=io.StringIO(), stderr=io.StringIO())


NAMES = ["余杭明珠制造有限公司", "临平abc科技有限公司", "Straße贸易", "中国（杭州）𠀀物流", "西"]


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True], ids=["row by row", "bulk"])
def test_both_import_paths_write_the_columns(tmp_path, settings, office, bulk):
    """Bulk: on PostgreSQL the indexes are dropped and rebuilt around the COPY; elsewhere both
    parameters take the same path."""
    UnitFactory(name="已有企业有限公司")
    settings.HEXIE_IMPORT_BULK_ROWS = 1 if bulk else 10**9
    run_import(write_file(tmp_path / "units.csv", NAMES))
    assert Unit.objects.count() == 6
    assert_columns_right()
    assert found(office, "明珠") == {"余杭明珠制造有限公司"}
    assert found(office, "ABC") == found(office, "bc科") == {"临平abc科技有限公司"}
    assert found(office, "strasse") == {"Straße贸易"}  # Python's upper: ß → SS
    assert found(office, "𠀀物") == {"中国（杭州）𠀀物流"}
    assert found(office, "）𠀀") == {"中国（杭州）𠀀物流"}
    assert found(office, "西") == {"西"}
    assert found(office, "有企") == {"已有企业有限公司"}


@pytest.mark.django_db
def test_seed_writes_the_columns(office):
    call_command("seed", "--units", "40", "--seed", "3", "--region", "330106",
                 stdout=io.StringIO())
    assert Unit.objects.count() == 40
    assert_columns_right()
    name = Unit.objects.filter(kind="enterprise").first().name
    assert name in found(office, name[2:5])


@pytest.mark.django_db
def test_demo_writes_the_columns():
    from hexie.site.demo import load_demo

    load_demo()
    assert Unit.objects.exists()
    assert_columns_right()


# --- the data migration fills existing rows -------------------------------------------------

@pytest.mark.django_db
def test_data_migration_fills_stale_columns(office):
    import importlib

    fill = importlib.import_module("hexie.units.migrations.0006_fill_name_search").fill
    for name in NAMES:
        UnitFactory(name=name)
    Unit.objects.update(name_search="", name_bigrams=[])  # as 0005 left them
    assert found(office, "明珠") == set()

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    fill(apps, editor)
    assert_columns_right()
    assert found(office, "明珠") == {"余杭明珠制造有限公司"}
    assert found(office, "bc科") == {"临平abc科技有限公司"}


@pytest.mark.django_db
def test_refresh_search_command_recomputes_every_row_in_chunks(office, monkeypatch):
    from hexie.units import search

    for name in NAMES:
        UnitFactory(name=name)
    Unit.objects.update(name_search="陈旧", name_bigrams=[1, 2])
    original = search.fill_columns
    monkeypatch.setattr("hexie.units.management.commands.units.fill_columns",
                        lambda model, conn: original(model, conn, chunk=2))
    out = io.StringIO()
    call_command("units", "refresh-search", stdout=out)
    assert "已重新计算 5 个单位" in out.getvalue()
    assert_columns_right()
    assert found(office, "陈旧") == set()
    assert found(office, "明珠") == {"余杭明珠制造有限公司"}


@pytest.mark.django_db
def test_a_stale_column_would_show_in_the_results(office):
    """The guard behind the tests above: search really reads the stored columns."""
    UnitFactory(name="余杭明珠制造有限公司")
    Unit.objects.update(name_search="余杭翠竹制造有限公司")
    assert found(office, "明珠") == set()
    assert found(office, "翠竹") == ({"余杭明珠制造有限公司"} if not POSTGRES else set())
    # On PostgreSQL the keys still say 明珠, so the index finds no 翠竹 either.
