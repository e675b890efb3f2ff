"""The world of the campaign tests: 西湖区 with its office, a unit and its admin; 南湖区 with its
office and a unit. The campaign year is last year, so every date used lies in the past whatever
day the tests run."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.campaigns import services
from hexie.campaigns.models import CongressKind
from tests.factories import NANHU, NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

PDF = b"%PDF-1.4\n% minutes\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


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
    return UnitFactory(region_id=XIHU_TOWN, name="西湖承诺科技有限公司")


@pytest.fixture
def other_unit(db):
    return UnitFactory(region_id=NANHU_TOWN, name="南湖测试有限公司")


@pytest.fixture
def unit_admin(unit):
    return make_user(Role.UNIT_ADMIN, unit=unit)


@pytest.fixture
def campaign(office, year):
    return services.open_campaign(office, XIHU, year)


def minutes(name="minutes.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def congress(held_on, present=30, total=45, kind=CongressKind.WORKERS_REPRESENTATIVE_CONGRESS,
             resolution="大会讨论一致同意参加和谐劳动关系创建活动。", file=None):
    return services.CongressInput(
        kind=kind, held_on=held_on, attendance_present=present, attendance_total=total,
        resolution=resolution, minutes=file if file is not None else minutes(),
    )


def day(year, month, d):
    return datetime.date(year, month, d)
