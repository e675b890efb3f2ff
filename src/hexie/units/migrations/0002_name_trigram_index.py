"""Trigram index for Chinese substring search of unit names (PostgreSQL only).

`name__icontains` compiles to UPPER(name) LIKE UPPER('%…%'); a GIN index over UPPER(name) with
gin_trgm_ops answers it. SQLite has no such index type and scans, which is fine at county size.
"""

from django.db import migrations

UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS unit_name_trgm_idx ON units_unit "
    "USING gin (UPPER(name) gin_trgm_ops)",
]
DOWN = ["DROP INDEX IF EXISTS unit_name_trgm_idx"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in UP:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
