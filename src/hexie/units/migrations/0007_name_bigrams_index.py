"""One name index instead of two (PostgreSQL only; docs/decisions.md D19).

A GIN index over the stored bigram keys (0005, 0006) answers every search of two or more
characters; it replaces the trigram index of 0002 and the bigram index of 0003 (whose function
goes too). Built from a stored integer[] column it costs about a tenth of those two after a
bulk load: PostgreSQL evaluates no expression and compares integers. Reversing restores both
old indexes and the function. SQLite has no GIN: no-op there.
"""

from django.db import migrations

OLD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION hexie_bigrams(text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    "AS $$ SELECT ARRAY(SELECT substr($1, i, 2) "
    "FROM generate_series(1, char_length($1) - 1) AS i) $$"
)
UP = [
    "CREATE INDEX IF NOT EXISTS unit_name_bigrams_idx ON units_unit USING gin (name_bigrams)",
    "DROP INDEX IF EXISTS unit_name_trgm_idx",
    "DROP INDEX IF EXISTS unit_name_bigram_idx",
    "DROP FUNCTION IF EXISTS hexie_bigrams(text)",
]
DOWN = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS unit_name_trgm_idx ON units_unit "
    "USING gin (UPPER(name) gin_trgm_ops)",
    OLD_FUNCTION,
    "CREATE INDEX IF NOT EXISTS unit_name_bigram_idx ON units_unit "
    "USING gin (hexie_bigrams(UPPER(name)))",
    "DROP INDEX IF EXISTS unit_name_bigrams_idx",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in UP:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("units", "0006_fill_name_search")]
    operations = [migrations.RunPython(forwards, backwards)]
