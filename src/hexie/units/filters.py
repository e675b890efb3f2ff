"""The registry's filters, shared by the list page, the API and the export."""

import time

import django_filters
from django.db import connections
from django.db.models import BooleanField, Case, F, Func, Q, Value, When
from django.utils.translation import gettext_lazy as _

from . import credit_code as cc
from .models import Kind, Unit
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
        if not code.isdigit() or len(code) not in (2, 4, 6, 9):
            return queryset.none()
        return queryset.filter(region__code__startswith=code)

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
    """``hexie_bigrams(UPPER(name)) @> hexie_bigrams(UPPER(text))`` (PostgreSQL, migration
    0003): true for every name that contains ``text``, answered from ``unit_name_bigram_idx``.
    Both sides go through PostgreSQL's UPPER, the same as the icontains LIKE beside it."""

    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__(F("name"), Value(text))

    def as_sql(self, compiler, connection, **extra):
        (name_sql, name_params), (text_sql, text_params) = (
            compiler.compile(e) for e in self.get_source_expressions())
        return (f"hexie_bigrams(UPPER({name_sql}::text)) @> hexie_bigrams(UPPER({text_sql}))",
                (*name_params, *text_params))


def search_conditions(text: str, codes: Q, using: str = "default") -> list[Q]:
    """Conditions (all must hold) for "the name contains ``text`` (case-insensitively), or one
    of ``codes`` matches".

    The name test is always icontains, i.e. ``UPPER(name) LIKE UPPER('%text%')``: the trigram
    index (migration 0002) answers it for 3 or more characters; one character scans. pg_trgm has
    no trigram for 2 characters, so there PostgreSQL also gets the bigram test of migration 0003
    (docs/decisions.md D17), in the form (bigrams OR codes) AND (LIKE OR codes), which equals
    (bigrams AND LIKE) OR codes:

    - the first condition is then exactly the index condition, so PostgreSQL does not call
      hexie_bigrams() again on every row it fetches (about 5 µs a row);
    - the LIKE stays the exact check of every row returned. It is wrapped in a CASE so that the
      planner does not multiply its selectivity with the bigram test's (the two say the same
      thing): that product estimated 1 row for 1,649 matches and led to a nested loop over
      every division for each match (200 ms instead of 5).

    A bigram in a fifth or more of all names (制造, 公司 …) is not worth the index: reading its
    posting list (488,534 entries for 制造) costs 30 ms, while its matches are so dense that
    the region/kind indexes or the table itself find the first rows at once.
    """
    if (len(text) == 2 and connections[using].vendor == "postgresql"
            and text.upper() not in common_bigrams(using)):
        like = Case(When(Q(name__icontains=text), then=Value(True)), default=Value(False),
                    output_field=BooleanField())
        return [Q(NameBigramsContain(text)) | codes, Q(like) | codes]
    return [Q(name__icontains=text) | codes]


COMMON_BIGRAM_SHARE = 0.2
_STATS_SECONDS = 600
_common: dict[str, tuple[float, frozenset]] = {}


def common_bigrams(using: str = "default") -> frozenset:
    """Bigrams in at least ``COMMON_BIGRAM_SHARE`` of the names, from the statistics ANALYZE
    keeps on the bigram index (most common elements); read at most every ten minutes. Empty
    when the table has not been analysed yet."""
    now = time.monotonic()
    cached = _common.get(using)
    if cached and now - cached[0] < _STATS_SECONDS:
        return cached[1]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT e FROM pg_stats, unnest(most_common_elems::text::text[], "
            "most_common_elem_freqs) AS u(e, f) WHERE schemaname = current_schema() "
            "AND tablename = 'unit_name_bigram_idx' AND e IS NOT NULL AND f >= %s",
            [COMMON_BIGRAM_SHARE])
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
