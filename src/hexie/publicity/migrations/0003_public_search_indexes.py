"""Indexes of the public page (docs/decisions.md D22).

A region-prefix index (varchar_pattern_ops, so PostgreSQL answers ``region_code LIKE '3301%'``
from it) and, on PostgreSQL only, trigram indexes over UPPER(unit_name) and UPPER(identifier)
for the substring search (``icontains`` compiles to UPPER(x) LIKE UPPER('%…%')). SQLite scans,
which is fine at county size.
"""

from django.db import migrations, models

UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS published_entry_name_trgm ON publicity_publishedentry "
    "USING gin (UPPER(unit_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS published_entry_ident_trgm ON publicity_publishedentry "
    "USING gin (UPPER(identifier) gin_trgm_ops)",
]
DOWN = [
    "DROP INDEX IF EXISTS published_entry_ident_trgm",
    "DROP INDEX IF EXISTS published_entry_name_trgm",
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
    dependencies = [("publicity", "0002_initial")]
    operations = [
        migrations.AddIndex(
            model_name="publishedentry",
            index=models.Index(fields=["region_code"], name="published_entry_region_pfx",
                               opclasses=["varchar_pattern_ops"]),
        ),
        migrations.RunPython(forwards, backwards),
    ]
