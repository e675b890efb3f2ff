"""One trigram index over the stored search text instead of the two expression indexes of
0003 (PostgreSQL only; docs/decisions.md D22). No-op on SQLite."""

from django.db import migrations

UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS published_entry_search_trgm ON publicity_publishedentry "
    "USING gin (search_text gin_trgm_ops)",
    "DROP INDEX IF EXISTS published_entry_name_trgm",
    "DROP INDEX IF EXISTS published_entry_ident_trgm",
]
DOWN = [
    "CREATE INDEX IF NOT EXISTS published_entry_name_trgm ON publicity_publishedentry "
    "USING gin (UPPER(unit_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS published_entry_ident_trgm ON publicity_publishedentry "
    "USING gin (UPPER(identifier) gin_trgm_ops)",
    "DROP INDEX IF EXISTS published_entry_search_trgm",
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
    dependencies = [("publicity", "0005_fill_entry_year")]
    operations = [migrations.RunPython(forwards, backwards)]
