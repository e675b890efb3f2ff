"""The world of the health-check tests: the campaign tests' world (西湖区 with its county office,
a medium enterprise in 北山街道 and its admin; 南湖区 with its office and a unit) plus the 北山街道
town office and the loaded catalogue. The unit pledged last year, so every date lies in the past
whatever day the tests run; checks of this year are office-added (no pledge needed)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hexie.accounts.roles import Role
from hexie.campaigns import services as campaigns
from hexie.healthcheck import services
from tests.campaigns.conftest import (  # noqa: F401 (fixtures shared with the campaign tests)
    campaign,
    congress,
    day,
    media_root,
    office,
    other_office,
    other_unit,
    unit,
    unit_admin,
    year,
)
from tests.factories import XIHU_TOWN, make_user

PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def catalogue(db):
    (row, _), = services.load_path(None)
    return row


@pytest.fixture
def town_office(db):
    return make_user(Role.TOWN_OFFICE, region=XIHU_TOWN)


@pytest.fixture
def pledge(campaign, unit, unit_admin, year):  # noqa: F811 (fixtures above)
    return campaigns.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                            congress=congress(day(year, 3, 1)))


@pytest.fixture
def check(catalogue, office, unit, pledge, year):  # noqa: F811
    (made,) = services.organise(office, year).created
    return made


def all_answers(check, value="yes", **overrides):
    """An answer for every applicable item: ``value`` (``na`` only where allowed)."""
    answers = {}
    for item in services.applicable_items(check):
        v = value if value != "na" or item.allow_na else "yes"
        answers[item.id] = overrides.get(item.id.replace("-", "_"), v)
    return answers


def upload(name="evidence.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
