"""The registry's filters, shared by the list page, the API and the export."""

import time

import django_filters
from django.db import connections
from django.db.models import BooleanField, Case, F, Func, Q, Value, When
from django.utils.translation import gettext_lazy as _

from hexie.regions import codes as region_codes

from . import credit_code as cc
from .models import Kind, Unit
from .search import bigram_keys, search_text
from .size import Size


class UnitFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region", label=_("区划代码（含下级）"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("单位类型"))
    size = django_filters.ChoiceFilter(choices=Size.choices, label=_("企业规模"))
    platform = django_filters.BooleanFilter(label=_("新业态平台企业"))
    industry_section = django_filters.CharFilter(label=_("行业门类"))
    q = django_filters.CharFilter(method="filter_q", label=_("名称或代码"))

    class Meta:
        model = Unit
        fields = ["region", "kind", "size", "platform", "industry_section", "q"]

    def filter_region(self, queryset, name, value):
        code = value.strip()
        if not region_codes.is_code(code):
            return queryset.none()
        return queryset.within(code)

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        code = cc.normalise(text)
        codes = Q(project_code=text)
        if len(code) == 18:
            codes |= Q(credit_code=code)
        return queryset.filter(*search_conditions(text, codes, queryset.db))


class NameBigramsContain(Func):
    """``name_bigrams @> ARRAY[keys]`` (PostgreSQL, migration 0007): true for every unit whose
    name holds all ``keys``, answered from ``unit_name_bigrams_idx``; a necessary condition for
    containing the text the keys come from, never a sufficient one."""

    output_field = BooleanField()

    def __init__(self, keys: list[int]):
        super().__init__(F("name_bigrams"), Value(sorted(set(keys))))

    def as_sql(self, compiler, connection, **extra):
        (column_sql, column_params), (keys_sql, keys_params) = (
            compiler.compile(e) for e in self.get_source_expressions())
        return f"{column_sql} @> {keys_sql}::integer[]", (*column_params, *keys_params)


def search_conditions(text: str, codes: Q, using: str = "default") -> list[Q]:
    """Conditions (all must hold) for "the name contains ``text`` (case-insensitively), or one
    of ``codes`` matches".

    The name test is ``name_search LIKE '%TEXT%'`` on the stored upper-cased name (search.py),
    the same on every database and exact by itself. On PostgreSQL a text of two or more
    characters also gets the bigram test (docs/decisions.md D17, D19): the unit must hold the
    keys of the text's 2-character slices, answered from one GIN index. It is written as
    (bigrams OR codes) AND (LIKE OR codes), which equals (bigrams AND LIKE) OR codes, and the
    LIKE is wrapped in a CASE so that the planner does not multiply its selectivity with the
    bigram test's (the two say the same thing: the product once estimated 1 row for 1,649 and
    chose a nested loop over every division for each). Keys found in a fifth or more of all
    names (制造, 公司 …) are left out of the index condition: reading a posting list of half a
    million entries costs more than it saves; with only such keys the LIKE alone decides and
    dense matches are found at once. One character has no key and scans.
    """
    key_text = search_text(text)
    like = Q(name_search__contains=key_text)
    if len(key_text) >= 2 and connections[using].vendor == "postgresql":
        common = common_bigram_keys(using)
        keys = [k for k in bigram_keys(key_text) if k not in common]
        if keys:
            exact = Case(When(like, then=Value(True)), default=Value(False),
                         output_field=BooleanField())
            return [Q(NameBigramsContain(keys)) | codes, Q(exact) | codes]
    return [like | codes]


COMMON_BIGRAM_SHARE = 0.2
_STATS_SECONDS = 600
_common: dict[str, tuple[float, frozenset]] = {}


def common_bigram_keys(using: str = "default") -> frozenset:
    """Bigram keys in at least ``COMMON_BIGRAM_SHARE`` of the names, from the statistics
    ANALYZE keeps on ``name_bigrams`` (most common elements); read at most every ten minutes.
    Empty when the table has not been analysed yet (every key then uses the index: correct,
    only slower for the commonest words)."""
    now = time.monotonic()
    cached = _common.get(using)
    if cached and now - cached[0] < _STATS_SECONDS:
        return cached[1]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT e FROM pg_stats, unnest(most_common_elems::text::integer[], "
            "most_common_elem_freqs) AS u(e, f) WHERE schemaname = current_schema() "
            "AND tablename = %s AND attname = 'name_bigrams' AND e IS NOT NULL AND f >= %s",
            [Unit._meta.db_table, COMMON_BIGRAM_SHARE])
        found = frozenset(e for (e,) in cursor.fetchall())
    _common[using] = (now, found)
    return found


def filter_params(query) -> dict:
    """Page query strings carry the region as up to three cascading selects (r1 city, r2
    county, r3 town); the API and export take ``region`` directly. Normalise to ``region``."""
    params = {k: v for k, v in query.items() if v not in (None, "")}
    for key in ("r3", "r2", "r1"):
        if params.get(key):
            params.setdefault("region", params[key])
            break
    return params
