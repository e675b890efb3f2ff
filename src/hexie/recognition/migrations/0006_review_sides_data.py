"""Data: every tripartite assignment made before partners could review was the county office's
staff, so its side is 政府方."""

from django.db import migrations


def government(apps, schema_editor):
    ReviewAssignment = apps.get_model("recognition", "ReviewAssignment")
    ReviewAssignment.objects.filter(track="tripartite", side="").update(side="government")


def clear(apps, schema_editor):
    ReviewAssignment = apps.get_model("recognition", "ReviewAssignment")
    ReviewAssignment.objects.filter(partner_organisation__isnull=True).update(side="")


class Migration(migrations.Migration):
    dependencies = [("recognition", "0005_review_sides")]

    operations = [migrations.RunPython(government, clear)]
