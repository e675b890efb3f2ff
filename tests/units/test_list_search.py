"""The list at province size (docs/decisions.md D17): name search by substring, exact on every
database (2 characters through the bigram index on PostgreSQL), and a count that stops at
UNIT_LIST_COUNT_CAP but stays exact below it, with the pages still reachable above it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hexie.accounts.roles import Role
from hexie.units import selectors
from hexie.units.models import Kind, Unit
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def office(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)
    return user


def listed_names(html):
    return sorted(re.findall(r'<td class="name"><a href="/units/\d+/"[^>]*>([^<]+)</a>', html))


def get_html(client, params=None):
    response = client.get("/units/", params or {})
    assert response.status_code == 200
    return response.content.decode()


NAMES = [
    "西湖甲制造有限公司",   # the bigram at the start
    "杭州市西湖",           # ... at the end
    "临平西湖区科技",       # ... in the middle
    "西溪湖畔贸易",         # 西 and 湖, but not 西湖
    "湖西物流",             # reversed
    "ABC杭州科技",          # Latin letters
    "abx数据",
    "A_湖实业",             # LIKE's wildcards are plain characters in a search
    "AX湖实业",
    "西",                   # one character: no bigram at all
    "中国（杭州）西湖",
]


@pytest.fixture
def named():
    units = {name: UnitFactory(name=name) for name in NAMES}
    # Outside the office's county: never listed, whatever the search.
    UnitFactory(name="西湖外地有限公司", region_id=NANHU_TOWN)
    # A construction project found by its project code, whose name does not contain it.
    units["code"] = UnitFactory(kind=Kind.CONSTRUCTION_PROJECT, name="北山项目工程",
                                credit_code=None, project_code="XY", region_id=XIHU_TOWN)
    return units


@pytest.mark.parametrize("q,expected", [
    ("西湖", ["西湖甲制造有限公司", "杭州市西湖", "临平西湖区科技", "中国（杭州）西湖"]),
    ("湖西", ["湖西物流"]),
    ("bc", ["ABC杭州科技"]),
    ("BC", ["ABC杭州科技"]),
    ("Ab", ["ABC杭州科技", "abx数据"]),
    ("c杭", ["ABC杭州科技"]),
    ("_湖", ["A_湖实业"]),
    ("）西", ["中国（杭州）西湖"]),
    ("公司", ["西湖甲制造有限公司"]),
    ("无此", []),
    ("XY", ["北山项目工程"]),        # the project code, not the name
    ("xy", []),                      # codes are matched exactly
    ("西", ["西湖甲制造有限公司", "杭州市西湖", "临平西湖区科技", "西溪湖畔贸易", "湖西物流",
            "西", "中国（杭州）西湖"]),
    ("西湖区", ["临平西湖区科技"]),
    ("杭州科技", ["ABC杭州科技"]),
])
def test_search_returns_exactly_the_units_whose_name_contains_the_text(
        client, office, named, q, expected):
    html = get_html(client, {"q": q})
    assert listed_names(html) == sorted(expected)
    assert f"共 {len(expected)} 个单位" in html


def test_searches_of_two_or_more_characters_ask_the_bigram_index_on_postgresql_only(
        office, named):
    def sql_for(q):  # the conditions only (every column is selected)
        with CaptureQueriesContext(connection) as ctx:
            list(selectors.units_for(office, {"q": q}))
        return ctx.captured_queries[-1]["sql"].split(" WHERE ", 1)[1]

    for q in ("西湖", "西湖区", "杭州科技"):
        assert ("name_bigrams" in sql_for(q)) is POSTGRES, q
    assert "name_bigrams" not in sql_for("西")
    assert "name_search" in sql_for("西")


def test_common_bigrams_are_left_out_of_the_index_condition_and_search_stays_exact(
        office, named, monkeypatch):
    from hexie.units import filters
    from hexie.units.search import bigram_keys

    [xihu] = bigram_keys("西湖")
    monkeypatch.setattr(filters, "common_bigram_keys",
                        lambda using="default": frozenset({xihu}))

    def search(q):
        with CaptureQueriesContext(connection) as ctx:
            found = sorted(selectors.units_for(office, {"q": q}).values_list("name", flat=True))
        return found, ctx.captured_queries[-1]["sql"].split(" WHERE ", 1)[1]

    found, sql = search("西湖")  # its only key is common: the LIKE alone
    assert "name_bigrams" not in sql
    assert found == sorted(
        ["西湖甲制造有限公司", "杭州市西湖", "临平西湖区科技", "中国（杭州）西湖"])
    found, sql = search("西湖区")  # 湖区 still goes to the index
    assert ("name_bigrams" in sql) is POSTGRES
    assert found == ["临平西湖区科技"]


def test_common_bigram_keys_come_from_the_statistics_of_the_column(named):
    from hexie.units import filters
    from hexie.units.search import bigram_keys

    filters._common.clear()
    if not POSTGRES:  # no index, no statistics: a search never asks
        def refuse(using="default"):
            raise AssertionError("statistics read on SQLite")

        filters.common_bigram_keys, original = refuse, filters.common_bigram_keys
        try:
            office = make_user(Role.COUNTY_OFFICE, region=XIHU)
            found = {u.name for u in selectors.units_for(office, {"q": "西湖"})}
            assert found and all("西湖" in name for name in found)
        finally:
            filters.common_bigram_keys = original
        return
    UnitFactory.create_batch(30, name="西湖同名有限公司")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE units_unit")
    try:
        common = filters.common_bigram_keys()
    finally:
        filters._common.clear()
    assert set(bigram_keys("西湖") + bigram_keys("有限") + bigram_keys("公司")) <= common
    assert not set(bigram_keys("湖西")) & common


def test_every_search_is_the_same_as_a_substring_test_on_every_name(office, named):
    """The bigram test may only narrow what PostgreSQL reads, never the answer: compare with
    Python's own substring test over every unit in scope, for every slice of every name."""
    visible = list(selectors.units_for(office))
    texts = {name[i:i + n] for name in NAMES for n in (1, 2, 3, 4) for i in range(len(name))}
    texts |= {t.lower() for t in texts}
    for text in sorted(texts):
        found = set(selectors.units_for(office, {"q": text}).values_list("name", flat=True))
        wanted = {u.name for u in visible
                  if text.upper() in u.name.upper() or u.project_code == text}
        assert found == wanted, text


def test_the_old_name_indexes_and_function_are_gone_and_the_new_one_is_there():
    """PostgreSQL: migration 0007 replaced the trigram and bigram indexes by one GIN index over
    the stored keys. Elsewhere there is no GIN index at all."""
    with connection.cursor() as cursor:
        indexes = {i for i, c in connection.introspection.get_constraints(
            cursor, "units_unit").items() if c["index"]}
    assert ("unit_name_bigrams_idx" in indexes) is POSTGRES
    assert not indexes & {"unit_name_trgm_idx", "unit_name_bigram_idx"}
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'hexie_bigrams'")
            assert cursor.fetchone()[0] == 0


# --- the capped count ---------------------------------------------------------------------

def test_count_is_exact_at_the_cap(client, office, settings):
    settings.UNIT_LIST_COUNT_CAP = 50
    UnitFactory.create_batch(50)
    html = get_html(client)
    assert "共 50 个单位" in html
    assert "+" not in re.search(r'data-testid="result-count">([^<]*)<', html).group(1)
    assert len(listed_names(html)) == 50
    assert "page=2" not in html


def test_count_above_the_cap_says_so_and_the_next_pages_stay_reachable(
        client, office, settings):
    settings.UNIT_LIST_COUNT_CAP = 50
    units = UnitFactory.create_batch(102)
    newest_first = [u.name for u in sorted(units, key=lambda u: -u.pk)]

    first = get_html(client)
    assert "共 50+ 个单位" in first
    assert "第 1 / 1+ 页" in first
    assert "page=2" in first
    assert listed_names(first) == sorted(newest_first[:50])

    # Page 2 counts up to 100 + 1 rows: still more, so page 3 is offered.
    second = get_html(client, {"page": 2})
    assert "共 50+ 个单位" in second
    assert "第 2 / 2+ 页" in second
    assert "page=3" in second and "page=1" in second
    assert listed_names(second) == sorted(newest_first[50:100])

    # Page 3 counts up to 150 + 1 rows: 102, exact again, and the last page.
    third = get_html(client, {"page": 3})
    assert "共 102 个单位" in third
    assert "第 3 / 3 页" in third
    assert "page=4" not in third
    assert listed_names(third) == sorted(newest_first[100:])

    # Past the end: the last page, as before.
    assert listed_names(get_html(client, {"page": 9})) == sorted(newest_first[100:])


def test_count_reads_at_most_cap_plus_one_rows(client, office, settings):
    settings.UNIT_LIST_COUNT_CAP = 60
    UnitFactory.create_batch(3)
    with CaptureQueriesContext(connection) as ctx:
        get_html(client)
    counts = [q["sql"] for q in ctx.captured_queries
              if "COUNT(" in q["sql"] and '"units_unit"' in q["sql"]]
    assert len(counts) == 1
    assert "LIMIT 61" in counts[0]


def test_pages_below_the_cap_are_newest_first_and_disjoint(client, office, settings):
    """Below the cap the page is sorted by id + 0 (not by walking the primary key): same
    order, same pages."""
    settings.UNIT_LIST_COUNT_CAP = 1000
    units = UnitFactory.create_batch(53)
    newest_first = [u.name for u in sorted(units, key=lambda u: -u.pk)]
    first, second = get_html(client), get_html(client, {"page": 2})
    assert "共 53 个单位" in first and "第 1 / 2 页" in first
    assert listed_names(first) == sorted(newest_first[:50])
    assert listed_names(second) == sorted(newest_first[50:])
    order = re.findall(r'<td class="name"><a href="/units/(\d+)/"', first)
    assert [int(pk) for pk in order] == sorted((int(pk) for pk in order), reverse=True)


def test_capped_list_still_respects_the_scope(client, office, settings):
    settings.UNIT_LIST_COUNT_CAP = 50
    UnitFactory.create_batch(60, region_id=NANHU_TOWN)
    UnitFactory.create_batch(2)
    html = get_html(client)
    assert "共 2 个单位" in html
    assert Unit.objects.count() == 62


def test_few_matches_are_sorted_many_are_left_to_the_planner(client, office, settings,
                                                             monkeypatch):
    settings.UNIT_LIST_COUNT_CAP = 60
    UnitFactory.create_batch(3)

    def page_sql():
        with CaptureQueriesContext(connection) as ctx:
            names = listed_names(get_html(client))
        assert len(names) == 3
        return [q["sql"] for q in ctx.captured_queries
                if '"units_unit"' in q["sql"] and "COUNT(" not in q["sql"]][-1]

    assert "+ 0) DESC" in page_sql()
    monkeypatch.setattr(selectors, "SORT_MATCHES_UP_TO", 2)
    sql = page_sql()
    assert "+ 0" not in sql and '"units_unit"."id" DESC' in sql
