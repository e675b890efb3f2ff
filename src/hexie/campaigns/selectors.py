"""Read queries of the campaign, always through the region-scope choke point."""

from django.db.models import Count
from django.http import Http404

from hexie.accounts.roles import CAMPAIGNS_RECORDS, CAMPAIGNS_VIEW
from hexie.core.scoping import Scope, scope_for
from hexie.regions import codes
from hexie.regions.models import Division
from hexie.units.models import Kind

from . import policy
from .models import CampaignYear, CongressRecord, InitiativeLetter, LetterDelivery, Pledge

NOT_FOUND = "不存在或不在您的管辖范围内"


def campaigns_for(user, permission: str = CAMPAIGNS_VIEW):
    """Campaign years whose division lies inside the user's region scope, and those of the
    divisions above it (a town office follows its county's campaign, seeing its own units)."""
    prefixes = scope_for(user, permission).region_prefixes
    if not prefixes:
        return CampaignYear.objects.none()
    return (CampaignYear.objects.in_scope(Scope(prefixes),
                                          or_regions=codes.ancestors_of_all(prefixes))
            .select_related("region"))


def get_campaign(user, pk, permission: str = CAMPAIGNS_VIEW) -> CampaignYear:
    try:
        return campaigns_for(user, permission).get(pk=pk)
    except (CampaignYear.DoesNotExist, ValueError, TypeError):
        raise Http404("创建年度" + NOT_FOUND) from None


def get_letter(user, pk) -> InitiativeLetter:
    try:
        return InitiativeLetter.objects.select_related("campaign").get(
            pk=pk, campaign__in=campaigns_for(user)
        )
    except (InitiativeLetter.DoesNotExist, ValueError, TypeError):
        raise Http404("倡议书" + NOT_FOUND) from None


def pledges_for(user, campaign: CampaignYear | None = None, permission: str = CAMPAIGNS_VIEW):
    """Pledges of the units inside the user's scope (offices: by region; unit admins: own)."""
    pledges = Pledge.objects.visible_to(user, permission)
    if campaign is not None:
        pledges = pledges.filter(campaign=campaign)
    return pledges.select_related("unit", "unit__region", "cultivation", "congress")


def get_pledge(user, pk, permission: str = CAMPAIGNS_VIEW) -> Pledge:
    try:
        return pledges_for(user, None, permission).get(pk=pk)
    except (Pledge.DoesNotExist, ValueError, TypeError):
        raise Http404("创建承诺书" + NOT_FOUND) from None


def get_congress_record(user, pk) -> CongressRecord:
    """A congress record (and its minutes) for the offices and the unit itself."""
    try:
        return (CongressRecord.objects.visible_to(user, CAMPAIGNS_RECORDS)
                .select_related("unit").get(pk=pk))
    except (CongressRecord.DoesNotExist, ValueError, TypeError):
        raise Http404("会议记录" + NOT_FOUND) from None


def deliveries_for(user):
    """The letters delivered to the units the user reaches, newest first."""
    return (LetterDelivery.objects.visible_to(user, CAMPAIGNS_VIEW)
            .select_related("letter", "letter__campaign", "unit").order_by("-id"))


def own_deliveries(user):
    """The letters of the user's own units (unit admins), for the workbench."""
    unit_ids = sorted(scope_for(user, CAMPAIGNS_VIEW).unit_ids)
    if not unit_ids:
        return LetterDelivery.objects.none()
    return (LetterDelivery.objects.filter(unit_id__in=unit_ids)
            .select_related("letter", "letter__campaign", "unit").order_by("-id"))


def get_delivery(user, pk) -> LetterDelivery:
    try:
        return deliveries_for(user).get(pk=pk)
    except (LetterDelivery.DoesNotExist, ValueError, TypeError):
        raise Http404("倡议书" + NOT_FOUND) from None


def plan_counts(user, campaign: CampaignYear) -> dict:
    """The plan at a glance: pledged units by cultivation class, kind and town."""
    pledges = pledges_for(user, campaign).order_by()
    classes = {c.code: c.label for c in policy.current().cultivation_classes}
    by_class = dict(pledges.values_list("cultivation__cultivation_class")
                    .annotate(n=Count("id")).values_list("cultivation__cultivation_class", "n"))
    by_kind = dict(pledges.values_list("unit__kind").annotate(n=Count("id"))
                   .values_list("unit__kind", "n"))
    by_town_raw = (pledges.values_list("unit__region_id").annotate(n=Count("id"))
                   .values_list("unit__region_id", "n"))
    town_counts: dict[str, int] = {}
    for code, n in by_town_raw:
        town = codes.town_of(code)
        town_counts[town] = town_counts.get(town, 0) + n
    names = dict(Division.objects.filter(code__in=town_counts).values_list("code", "name"))
    return {
        "total": sum(by_kind.values()),
        "by_class": [(code, label, by_class.get(code, 0)) for code, label in classes.items()]
        + [("", "未安排", by_class.get(None, 0))],
        "by_kind": [(code, label, by_kind.get(code, 0)) for code, label in Kind.choices],
        "by_town": sorted(((code, names.get(code, code), n) for code, n in town_counts.items()),
                          key=lambda row: row[0]),
    }
