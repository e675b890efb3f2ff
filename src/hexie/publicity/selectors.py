"""Read queries of publicity.

Office reads go through the region-scope choke point (``scope_for(user, RECOGNITION_VIEW)``):
recognitions and objections by the unit's division, notices and lists by the county's division
or one above the user's (a town office follows its county's notice, seeing its own units).
Public reads show only published lists and notices in their period, never anything else.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min
from django.http import Http404
from django.utils import timezone

from hexie.accounts.roles import PUBLICITY_MANAGE, RECOGNITION_VIEW
from hexie.core.errors import DomainError
from hexie.core.scoping import Scope, scope_for
from hexie.core.text import clean_text
from hexie.recognition.models import Recognition
from hexie.regions import codes
from hexie.regions.models import Division, Level

from .models import Objection, PublicNotice, PublishedEntry, PublishedList

NOT_FOUND = "不存在或不在您的管辖范围内"


# --- office side ----------------------------------------------------------------------------

def office_prefixes(user) -> tuple[str, ...]:
    """The divisions whose publicity the user follows (offices only: a region scope)."""
    return scope_for(user, RECOGNITION_VIEW).region_prefixes


def require_office(user) -> tuple[str, ...]:
    prefixes = office_prefixes(user)
    if not prefixes:
        raise Http404("页面不存在")
    return prefixes


def sees_region(user, region_code: str) -> bool:
    """The user follows ``region_code``: it lies inside one of their divisions or above one."""
    return any(codes.related(region_code, p) for p in office_prefixes(user))


def can_manage(user, region_code: str) -> bool:
    return region_code in scope_for(user, PUBLICITY_MANAGE).region_prefixes


def _followed(model, prefixes):
    """Rows of the user's divisions, of those below them and of the divisions above them."""
    return model.objects.in_scope(Scope(prefixes), or_regions=codes.ancestors_of_all(prefixes))


def notices_for(user):
    return (_followed(PublicNotice, office_prefixes(user))
            .select_related("region", "region__parent", "region__parent__parent"))


def get_notice(user, pk) -> PublicNotice:
    try:
        return notices_for(user).get(pk=pk)
    except (PublicNotice.DoesNotExist, ValueError, TypeError):
        raise Http404("公示" + NOT_FOUND) from None


def lists_for(user):
    return (_followed(PublishedList, office_prefixes(user))
            .select_related("region", "region__parent", "region__parent__parent"))


def get_list(user, pk) -> PublishedList:
    try:
        return lists_for(user).get(pk=pk)
    except (PublishedList.DoesNotExist, ValueError, TypeError):
        raise Http404("公布名单" + NOT_FOUND) from None


def recognitions_for(user):
    """Recognitions of the units inside the user's divisions."""
    return (Recognition.objects.in_scope(Scope(office_prefixes(user)))
            .select_related("unit", "unit__region"))


def objections_for(user):
    return (Objection.objects.in_scope(Scope(office_prefixes(user)))
            .select_related("notice", "recognition", "recognition__unit"))


def get_objection(user, pk) -> Objection:
    try:
        return objections_for(user).get(pk=pk)
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise Http404("异议" + NOT_FOUND) from None


def counties_for(user) -> list[Division]:
    """The county-level divisions the user follows (a town office: its own county)."""
    prefixes = office_prefixes(user)
    above = Scope(tuple(p for p in prefixes if len(p) < codes.COUNTY_LENGTH))
    own = {codes.county_of(p) for p in prefixes if len(p) >= codes.COUNTY_LENGTH}
    return list(Division.objects.in_scope(above, or_regions=own).filter(level=Level.COUNTY)
                .order_by("code"))


def state_counts(user, year: int) -> dict[str, dict[str, int]]:
    """Recognitions of ``year`` by county and state: {county: {state: n}} in one query."""
    rows = (recognitions_for(user).filter(year=year).order_by()
            .values_list("region_id", "state").annotate(n=Count("id")))
    counts: dict[str, dict[str, int]] = {}
    for region, state, n in rows:
        counts.setdefault(region, {})[state] = n
    return counts


def recognition_years(user) -> list[int]:
    this_year = timezone.localdate().year
    years = set(recognitions_for(user).order_by().values_list("year", flat=True).distinct())
    return sorted(years | {this_year}, reverse=True)


def notice_contact(notice: PublicNotice) -> str:
    """How to object to ``notice`` (from the policy data, with the office's name)."""
    from . import policy

    office = notice.region.full_name + "协调劳动关系三方会议办公室"
    return policy.current(region=notice.region_id).contact_for(notice.region_id, office=office,
                                        starts_on=notice.starts_on, ends_on=notice.ends_on)


# --- to-dos (one query each) ----------------------------------------------------------------

def todo_counts(user, today: datetime.date) -> dict:
    """The county's publicity work, counted for the workbench."""
    scope = scope_for(user, PUBLICITY_MANAGE)
    if not scope.region_prefixes:
        return {}
    regions = list(scope.region_prefixes)
    published = PublishedList.objects.filter(region_id__in=regions).values_list("region_id",
                                                                               "year")
    pending = Recognition.objects.filter(region_id__in=regions, state=Recognition.State.PENDING)
    # A pending recognition of a year whose list is out can no longer be noticed or published.
    for region, year in published:
        pending = pending.exclude(region_id=region, year=year)
    objections = (Objection.objects.filter(notice__region_id__in=regions,
                                           state=Objection.State.RECEIVED)
                  .aggregate(n=Count("id"), due=Min("notice__ends_on")))
    expired = (PublicNotice.objects.filter(region_id__in=regions, state=PublicNotice.State.OPEN,
                                           ends_on__lt=today)
               .aggregate(n=Count("id"), due=Min("ends_on")))
    confirmed = (Recognition.objects.filter(region_id__in=regions,
                                            state=Recognition.State.CONFIRMED)
                 .aggregate(n=Count("id"), year=Min("year")))
    pending_row = pending.aggregate(n=Count("id"), year=Min("year"))
    return {"pending": pending_row, "objections": objections, "expired": expired,
            "confirmed": confirmed}


# --- public side ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicFilter:
    """What the public asked for; every field already checked."""

    year: int | None = None
    city: str = ""
    county: str = ""
    q: str = ""

    @property
    def region(self) -> str:
        return self.county or self.city

    def as_params(self) -> dict:
        data = {"year": self.year or "", "city": self.city, "county": self.county, "q": self.q}
        return {k: v for k, v in data.items() if v}


def parse_public_filter(params) -> PublicFilter:
    """Check the public page's query parameters; a bad one is a DomainError in Chinese."""
    year = (params.get("year") or "").strip()
    if year:
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            raise DomainError("年度应为四位数字，例如 2025。", field="year")
        year = int(year)
    city = (params.get("city") or "").strip()
    county = (params.get("county") or "").strip()
    if city and not Division.objects.filter(code=city, level=Level.CITY).exists():
        raise DomainError("所选地市不存在，请从列表中选择。", field="city")
    if county:
        if not Division.objects.filter(code=county, level=Level.COUNTY).exists():
            raise DomainError("所选县（市、区）不存在，请从列表中选择。", field="county")
        if city and not codes.is_within(county, city):
            raise DomainError("所选县（市、区）不在所选地市内。", field="county")
        city = city or codes.city_of(county)
    q = clean_text(params.get("q"), multiline=False)
    if len(q) > 100:
        raise DomainError("搜索内容不能超过 100 个字。", field="q")
    return PublicFilter(year or None, city, county, q)


def published_years() -> list[int]:
    return list(PublishedList.objects.order_by("-year").values_list("year", flat=True).distinct())


def published_entries(public_filter: PublicFilter):
    """Entries of published lists matching the filter (the only units the public sees).

    The name or code search is a substring match of the stored, upper-cased search text (one
    LIKE), answered on PostgreSQL by its trigram index for three or more characters; one or
    two characters scan the rows the year and region leave (D22).
    """
    entries = PublishedEntry.objects.all()
    if public_filter.year:
        entries = entries.filter(year=public_filter.year)
    if public_filter.region:
        entries = entries.within(public_filter.region)
    if public_filter.q:
        entries = entries.filter(search_text__contains=public_filter.q.upper())
    return entries.order_by("-year", "region_code", "id")


def published_lists(public_filter: PublicFilter):
    lists = PublishedList.objects.select_related("region", "region__parent",
                                                 "region__parent__parent")
    if public_filter.year:
        lists = lists.filter(year=public_filter.year)
    if public_filter.region:
        lists = lists.within(public_filter.region)
    return lists.order_by("-year", "region_id")


def open_notices(today: datetime.date | None = None):
    """Notices in their period today (公示中); only these are public before publication."""
    today = today or timezone.localdate()
    return (PublicNotice.objects.filter(state=PublicNotice.State.OPEN, starts_on__lte=today,
                                        ends_on__gte=today)
            .select_related("region", "region__parent", "region__parent__parent")
            .order_by("ends_on", "id"))


def on_notice(notice: PublicNotice):
    """The units currently on ``notice`` (a removed unit is not shown)."""
    return (Recognition.objects.filter(notice=notice, state=Recognition.State.ON_NOTICE)
            .select_related("unit", "unit__region").order_by("unit__region_id", "id"))


def cities() -> list[Division]:
    return list(Division.objects.filter(level=Level.CITY).order_by("code"))


def counties_of(city: str) -> list[Division]:
    if not city:
        return []
    return list(Division.objects.filter(level=Level.COUNTY, parent_id=city).order_by("code"))
