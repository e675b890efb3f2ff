"""Two columns the public page reads on every published entry (docs/decisions.md D22): the
list's year, with the index the page reads in its order (year newest first, region, id), and
the stored search text."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("publicity", "0003_public_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedentry",
            name="year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="认定年度"),
        ),
        migrations.AddField(
            model_name="publishedentry",
            name="search_text",
            field=models.TextField(blank=True, default="", verbose_name="检索文本"),
        ),
        migrations.AddIndex(
            model_name="publishedentry",
            index=models.Index(fields=["-year", "region_code", "id"],
                               name="published_entry_order"),
        ),
    ]
