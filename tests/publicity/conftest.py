"""The world of the publicity tests: 西湖区 with its office, units recognised for last year and
their admins; 南湖区 with its office. Recognitions are made directly with the ORM (the
recognition app's services are another piece): a pledge with its congress record, a submitted
self-assessment and the application's congress record, as a passed application leaves them."""

import datetime

import pytest
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.assessments.models import SelfAssessment
from hexie.campaigns.models import (
    CampaignYear,
    CongressKind,
    CongressPurpose,
    CongressRecord,
    Pledge,
)
from hexie.publicity import services
from hexie.recognition.models import Application, Recognition
from hexie.standards.models import StandardLibrary
from tests.campaigns import conftest as campaign_world
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

# The campaign tests' 西湖区 and 南湖区 offices and their year (last year).
office = campaign_world.office
other_office = campaign_world.other_office
year = campaign_world.year


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def city_office(db):
    return make_user(Role.CITY_OFFICE, region="3301")


def _library() -> StandardLibrary:
    found = StandardLibrary.objects.filter(library_id="test-publicity", version=1).first()
    return found or StandardLibrary.objects.create(
        library_id="test-publicity", version=1, title="测试标准", issuer="测试",
        effective=datetime.date(2023, 6, 30), source="测试", content={}, sha256="0" * 64,
    )


def _congress(unit, purpose, held_on, actor) -> CongressRecord:
    return CongressRecord.objects.create(
        unit=unit, purpose=purpose, kind=CongressKind.WORKERS_REPRESENTATIVE_CONGRESS,
        held_on=held_on, attendance_present=30, attendance_total=40,
        resolution="大会讨论通过。", minutes_name="minutes.pdf", recorded_by=actor,
    )


def make_recognition(unit, year, *, region=None, recognised_on=None, admin=None,
                     state=Recognition.State.PENDING) -> Recognition:
    """A passed application of ``unit`` for ``year`` and its recognition (pending by default)."""
    region = region or unit.region_id[:6]
    admin = admin or make_user(Role.UNIT_ADMIN, unit=unit)
    recognised_on = recognised_on or timezone.localdate() - datetime.timedelta(days=30)
    campaign, _ = CampaignYear.objects.get_or_create(
        region_id=region, year=year,
        defaults={"opened_by": admin, "policy_version": "test"})
    pledge = Pledge.objects.create(
        unit=unit, campaign=campaign, year=year, pledged_on=datetime.date(year, 3, 1),
        congress=_congress(unit, CongressPurpose.PLEDGE, datetime.date(year, 2, 20), admin),
        pledged_by=admin)
    assessment = SelfAssessment.objects.create(
        unit=unit, pledge=pledge, year=year, standard=_library(), state="submitted",
        sequence=1, meets=True, evidence_complete=True, created_by=admin, submitted_by=admin)
    application = Application.objects.create(
        unit=unit, pledge=pledge, year=year, self_assessment=assessment,
        congress=_congress(unit, CongressPurpose.APPLICATION, datetime.date(year, 5, 1), admin),
        state=Application.State.PASSED, submitted_by=admin)
    return Recognition.objects.create(unit=unit, year=year, application=application,
                                      region_id=region, recognised_on=recognised_on,
                                      state=state)


@pytest.fixture
def unit(db):
    return UnitFactory(region_id=XIHU_TOWN, name="西湖和谐科技有限公司")


@pytest.fixture
def unit_admin(unit):
    return make_user(Role.UNIT_ADMIN, unit=unit)


@pytest.fixture
def recognition(unit, unit_admin, year):
    return make_recognition(unit, year, admin=unit_admin)


@pytest.fixture
def second(year):
    unit = UnitFactory(region_id=XIHU_TOWN, name="西湖第二制造有限公司")
    return make_recognition(unit, year)


@pytest.fixture
def other_recognition(year):
    unit = UnitFactory(region_id=NANHU_TOWN, name="南湖测试有限公司")
    return make_recognition(unit, year)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def open_past_notice(office, year, ids=None, *, ended_days_ago=1, today=None):
    """A notice whose period ended ``ended_days_ago`` days ago (7-day period)."""
    today = today or timezone.localdate()
    period = services.recognition_policy.current().notice_period_days
    starts_on = today - days(period - 1 + ended_days_ago)
    return services.open_notice(office, XIHU, year, ids, starts_on=starts_on,
                                title=f"{year} 年度和谐劳动关系单位认定公示")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Test users need no Argon2 (the hashing is the accounts tests' subject, not ours)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
