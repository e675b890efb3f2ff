"""Data: every partner membership made before partner organisations existed gets one, so the
rule "a partner names its partner organisation" holds for old rows too. We cannot know which
of 总工会 / 企联 / 工商联 the person worked for; they are placed in a trade union of their
region named "<区划>总工会" (the only partner the demo ever made), for the office to correct."""

from django.db import migrations


def attach(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    PartnerOrganisation = apps.get_model("accounts", "PartnerOrganisation")
    orphans = Membership.objects.filter(role="partner", partner_organisation__isnull=True,
                                        region__isnull=False).select_related("region")
    for membership in orphans:
        organisation, _ = PartnerOrganisation.objects.get_or_create(
            region=membership.region, kind="trade_union",
            name=f"{membership.region.name}总工会")
        Membership.objects.filter(pk=membership.pk).update(partner_organisation=organisation)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_partner_organisations")]

    operations = [migrations.RunPython(attach, migrations.RunPython.noop)]
