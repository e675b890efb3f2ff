"""Name search keys, stored with every unit (docs/decisions.md D19).

A unit's name is searched by substring, case-insensitively. Two stored columns carry that
search so that PostgreSQL evaluates no expression per row, neither when it builds the index
after a bulk load nor when it checks a match:

- ``name_search``: ``name.upper()`` (Python's). A search for ``q`` matches exactly the units
  whose ``name_search`` contains ``q.upper()``; that LIKE is the exact check on every database.
- ``name_bigrams``: the keys of every 2-character slice of ``name_search`` (on PostgreSQL an
  ``integer[]`` under a GIN index). A unit whose ``name_search`` contains a text of two or more
  characters holds every key of that text, so ``name_bigrams @> keys(text)`` only narrows what
  PostgreSQL reads; the LIKE beside it decides.

A key is the two characters' code points, 16 bits each (``(a & 0xFFFF) << 16 | (b & 0xFFFF)``,
as a signed 32-bit integer): distinct for every pair of characters of the Basic Multilingual
Plane, where Chinese names live. Characters beyond it share their low 16 bits with others;
their keys can then coincide with other pairs', which only lets a few more rows through to the
LIKE. One definition, here, for every write: ``Unit.save`` (services, API, demo, factories), the
import (row by row and bulk, vectorised below and tested equal to the per-name functions) and
the data migration that filled the columns for existing rows.
"""

import itertools

import numpy as np
import polars as pl
from django.db import models

_LOW16 = 0xFFFF


def search_text(name: str) -> str:
    """What a name is searched in (and what a search text is looked for as)."""
    return (name or "").upper()


def bigram_keys(text: str) -> list[int]:
    """The keys of every 2-character slice of ``text`` (already through search_text), in order,
    repeats included (GIN stores each key once)."""
    keys = []
    for a, b in itertools.pairwise(text):
        key = (ord(a) & _LOW16) << 16 | (ord(b) & _LOW16)
        keys.append(key - (1 << 32) if key >= 1 << 31 else key)
    return keys


def search_columns(names: pl.Series, *, postgres: bool) -> tuple[pl.Series, pl.Series]:
    """``name_search`` and ``name_bigrams`` for a batch of names, the latter as the text the
    database takes: PostgreSQL's array literal ``{k1,k2,…}`` for COPY, else what BigramsField
    stores. Equal, name by name, to search_text and bigram_keys (tests/units/test_search.py):
    the upper-casing is Python's own (Polars' follows another Unicode version), the keys are
    computed on the names' UTF-32 code points with NumPy."""
    texts = [search_text(n) for n in names.to_list()]
    search = pl.Series("name_search", texts, dtype=pl.String)
    if not texts:
        return search, pl.Series("name_bigrams", [], dtype=pl.String)
    width = max(2, max(map(len, texts)))
    points = np.array(texts, dtype=f"<U{width}").view(np.uint32).reshape(len(texts), width)
    points = (points & _LOW16).astype(np.int64)
    keys = ((points[:, :-1] << 16 | points[:, 1:]) + (1 << 31)) % (1 << 32) - (1 << 31)
    pairs = search.str.len_chars().to_numpy().astype(np.int64) - 1
    columns = [
        pl.when(pl.lit(pl.Series(np.arange(width - 1)[i] < pairs)))
        .then(pl.lit(pl.Series(keys[:, i])).cast(pl.String))
        for i in range(width - 1)
    ]
    joined = pl.select(pl.concat_str(columns, separator="," if postgres else " ",
                                     ignore_nulls=True).fill_null("")).to_series()
    if postgres:
        joined = "{" + joined + "}"
    return search, joined.alias("name_bigrams")


def fill_columns(unit_model, connection, chunk: int = 10_000) -> int:
    """Recompute both columns for every row of ``unit_model`` (the model, or a migration's
    historical one) from its name; returns the number of rows. Used by migration 0006 and by
    ``hexie units refresh-search`` (after a Python upgrade that changes case mappings). On
    PostgreSQL one UPDATE per chunk from arrays; elsewhere per row (county-sized databases)."""
    units = unit_model.objects.using(connection.alias)
    table = connection.ops.quote_name(unit_model._meta.db_table)
    last = total = 0
    while True:
        rows = list(units.filter(pk__gt=last).order_by("pk").values_list("pk", "name")[:chunk])
        if not rows:
            return total
        last, total = rows[-1][0], total + len(rows)
        texts = [(pk, search_text(name)) for pk, name in rows]
        if connection.vendor != "postgresql":
            for pk, text in texts:
                units.filter(pk=pk).update(name_search=text, name_bigrams=bigram_keys(text))
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} u SET name_search = v.s, name_bigrams = v.b::integer[] "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, s, b) "
                "WHERE u.id = v.id",
                [[pk for pk, _ in texts], [t for _, t in texts],
                 ["{" + ",".join(map(str, bigram_keys(t))) + "}" for _, t in texts]])


class BigramsField(models.Field):
    """A list of bigram keys: ``integer[]`` on PostgreSQL (GIN-indexed by migration 0007),
    space-separated text elsewhere (kept in step, not searched: SQLite scans)."""

    description = "name bigram keys"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if connection.vendor == "postgresql":
            return [int(k) for k in value]
        return " ".join(str(int(k)) for k in value)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, str):
            return [int(k) for k in value.split()]
        return list(value)
