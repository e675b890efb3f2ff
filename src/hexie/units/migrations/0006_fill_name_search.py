"""Fill name_search and name_bigrams (migration 0005) for the units already registered, with
the same functions every write uses (hexie.units.search.fill_columns). Reversing does nothing:
0005's reversal drops the columns."""

from django.db import migrations

from hexie.units.search import fill_columns


def fill(apps, schema_editor):
    fill_columns(apps.get_model("units", "Unit"), schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("units", "0005_name_search_columns")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
