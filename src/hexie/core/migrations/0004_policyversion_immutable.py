"""Make loaded policy versions immutable at the database level, as the audit log is (0002).

PostgreSQL refuses UPDATE and DELETE of rows; SQLite refuses UPDATE (DELETE stays possible
because Django's test flush needs it). The model refuses both as well.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION hexie_policyversion_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_policyversion is immutable';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_policyversion_immutable
    BEFORE UPDATE OR DELETE ON core_policyversion
    FOR EACH ROW EXECUTE FUNCTION hexie_policyversion_immutable();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_policyversion_immutable ON core_policyversion;
DROP FUNCTION IF EXISTS hexie_policyversion_immutable();
"""
SQLITE_UP = """
CREATE TRIGGER core_policyversion_immutable BEFORE UPDATE ON core_policyversion
BEGIN SELECT RAISE(ABORT, 'core_policyversion is immutable'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_policyversion_immutable;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_policyversion")]
    operations = [migrations.RunPython(forwards, backwards)]
