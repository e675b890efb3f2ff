"""Fill the year and the search text of entries published before 0004 (data only), in two
set-based UPDATEs. The database's UPPER stands in for Python's str.upper here; they differ
only for a few non-Chinese letters, and every entry written later uses
PublishedEntry.search_key."""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat, Upper


def forwards(apps, schema_editor):
    entry = apps.get_model("publicity", "PublishedEntry")
    published_list = apps.get_model("publicity", "PublishedList")
    entry.objects.filter(year__isnull=True).update(year=Subquery(
        published_list.objects.filter(pk=OuterRef("published_list_id")).values("year")[:1]))
    entry.objects.filter(search_text="").update(
        search_text=Concat(Upper("unit_name"), Value("\x1f"), Upper("identifier")))


class Migration(migrations.Migration):
    dependencies = [("publicity", "0004_entry_year")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
