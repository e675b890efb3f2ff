"""A loaded policy version is never changed in the database either: the same guard as the
event tables (UPDATE refused; DELETE refused on PostgreSQL, kept on SQLite for the test
flush, as for the audit log)."""

from django.db import migrations

from hexie.core.events import append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0003_policyversion")]
    operations = [migrations.RunPython(*append_only("core_policyversion"))]
