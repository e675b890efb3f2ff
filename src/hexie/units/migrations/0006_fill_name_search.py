"""Fill name_search and name_bigrams (migration 0005) for the units already registered, with
the same functions every write uses (hexie.units.search). Reversing does nothing: 0005's
reversal drops the columns.

On PostgreSQL the rows are read in id order in chunks and written back with one UPDATE per
chunk from arrays; elsewhere per row (county-sized databases).
"""

from django.db import migrations

from hexie.units.search import bigram_keys, search_text

CHUNK = 10_000


def fill(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    connection = schema_editor.connection
    last = 0
    while True:
        rows = list(Unit.objects.using(connection.alias).filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "name")[:CHUNK])
        if not rows:
            return
        last = rows[-1][0]
        texts = [(pk, search_text(name)) for pk, name in rows]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE units_unit u SET name_search = v.s, name_bigrams = v.b::integer[] "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, s, b) "
                    "WHERE u.id = v.id",
                    [[pk for pk, _ in texts], [t for _, t in texts],
                     ["{" + ",".join(map(str, bigram_keys(t))) + "}" for _, t in texts]])
        else:
            for pk, text in texts:
                Unit.objects.using(connection.alias).filter(pk=pk).update(
                    name_search=text, name_bigrams=bigram_keys(text))


class Migration(migrations.Migration):
    dependencies = [("units", "0005_name_search_columns")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
