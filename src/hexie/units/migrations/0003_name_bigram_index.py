"""Bigram index for 2-character name searches (PostgreSQL only; docs/decisions.md D17).

pg_trgm extracts no trigram from a 2-character pattern, so `UPPER(name) LIKE '%西湖%'` cannot
use the trigram index of 0002. `hexie_bigrams(t)` is the array of every 2-character substring of
`t`; a GIN index over `hexie_bigrams(UPPER(name))` answers `… @> hexie_bigrams(UPPER('西湖'))`,
and the LIKE stays in the query as the exact check. SQLite keeps plain icontains: no-op there.
"""

from django.db import migrations

UP = [
    "CREATE OR REPLACE FUNCTION hexie_bigrams(text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    "AS $$ SELECT ARRAY(SELECT substr($1, i, 2) "
    "FROM generate_series(1, char_length($1) - 1) AS i) $$",
    "CREATE INDEX IF NOT EXISTS unit_name_bigram_idx ON units_unit "
    "USING gin (hexie_bigrams(UPPER(name)))",
]
DOWN = [
    "DROP INDEX IF EXISTS unit_name_bigram_idx",
    "DROP FUNCTION IF EXISTS hexie_bigrams(text)",
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
    dependencies = [("units", "0002_name_trigram_index")]
    operations = [migrations.RunPython(forwards, backwards)]
