"""The world of the survey tests: 西湖区 with its office; a medium enterprise (EL) of 20 workers in
北山街道 (minimum sample 18) that pledged for last year's campaign, its admin; a small
enterprise (ES); 南湖区 with its office and a unit. The standard libraries are loaded as
`hexie standards load` does; the cache (flood control) is cleared for each test."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.campaigns import services as campaign_services
from hexie.standards import services as standards
from hexie.surveys import services
from hexie.units.size import Size
from tests.campaigns.conftest import congress, day
from tests.factories import NANHU, NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

ALL_SATISFIED_EL = dict.fromkeys(["pay", "social_insurance", "rest_leave", "work_environment",
                                  "skills_training", "working_conditions",
                                  "consultation_democracy", "humanistic_care"], 5)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def libraries(db):
    standards._compiled.cache_clear()
    call_command("standards", "load", stdout=io.StringIO())
    cache.clear()
    yield
    standards._compiled.cache_clear()
    cache.clear()


@pytest.fixture
def year():
    return timezone.localdate().year - 1


@pytest.fixture
def office(db):
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


@pytest.fixture
def other_office(db):
    return make_user(Role.COUNTY_OFFICE, region=NANHU)


@pytest.fixture
def unit(db):
    return UnitFactory(region_id=XIHU_TOWN, name="西湖满意科技有限公司", employees=20,
                       size=Size.MEDIUM)


@pytest.fixture
def small_unit(db):
    return UnitFactory(region_id=XIHU_TOWN, name="西湖小微商贸有限公司", employees=12,
                       size=Size.SMALL, size_derived=Size.SMALL)


@pytest.fixture
def other_unit(db):
    return UnitFactory(region_id=NANHU_TOWN, name="南湖测试有限公司", employees=20)


@pytest.fixture
def unit_admin(unit):
    return make_user(Role.UNIT_ADMIN, unit=unit)


@pytest.fixture
def pledged(office, unit, unit_admin, year):
    campaign_services.open_campaign(office, XIHU, year)
    return campaign_services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                                    congress=congress(day(year, 3, 1)))


@pytest.fixture
def opened(unit, unit_admin, year):
    return services.open_round(unit_admin, unit, links=20, valid_days=14, year=year)


def answer_all(opened, count, satisfied_per_answer=None, levels=None):
    """Submit ``count`` answers; each satisfied (5) on the first ``satisfied_per_answer``
    dimensions and 2 on the rest (all 5 when None)."""
    codes = [c for c, _ in opened.round.dimensions]
    for token in opened.tokens[:count]:
        if levels is not None:
            answers = dict(zip(codes, levels, strict=True))
        else:
            s = len(codes) if satisfied_per_answer is None else satisfied_per_answer
            answers = {c: (5 if i < s else 2) for i, c in enumerate(codes)}
        services.submit_answer(token, answers)
