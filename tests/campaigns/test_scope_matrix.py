"""Every campaign channel × every role, inside and outside the scope.

The world: 西湖区's campaign of last year, a letter delivered to the unit IN (西湖区北山街道), and
IN's pledge. The expected answers are written out from DOMAIN.md §1, the seed's 四（一） and
docs/decisions.md D18, independently of roles.py:

* outside the scope → 404; inside without the permission → 403;
* only 西湖区's county office sends and keeps the plan; offices above, the town office and
  the partner follow (the partner without the congress minutes);
* the unit admin reaches its own pledge and minutes, and no county page;
* coordinators and assessors have no part in these steps yet.
"""

import pytest
from rest_framework.test import APIClient

from hexie.accounts.roles import Role
from hexie.campaigns import services
from hexie.campaigns.models import InitiativeLetter
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    UnitFactory,
    make_organisation,
    make_user,
)

from .conftest import congress, day

pytestmark = pytest.mark.django_db

CHANNELS = ("page", "plan", "minutes", "send", "api_campaign", "api_pledge", "api_cultivation")
NONE = dict.fromkeys(CHANNELS, 404)
FOLLOW = {"page": 200, "plan": 200, "minutes": 200, "send": 403, "api_campaign": 200,
          "api_pledge": 200, "api_cultivation": 403}

EXPECTED = {
    "province": FOLLOW,
    "city": FOLLOW,
    "county": {"page": 200, "plan": 200, "minutes": 200, "send": 302, "api_campaign": 200,
               "api_pledge": 200, "api_cultivation": 200},
    "other_county": NONE,
    "town": FOLLOW,
    "other_town": NONE,
    "partner": FOLLOW | {"minutes": 404},
    "other_partner": NONE,
    "coordinator": NONE,
    "assessor": NONE,
    "unit_admin": NONE | {"minutes": 200, "api_pledge": 200, "api_cultivation": 403},
    "other_unit_admin": NONE,
}


def make(who, unit):
    if who == "province":
        return make_user(Role.PROVINCE_OFFICE, region="33")
    if who == "city":
        return make_user(Role.CITY_OFFICE, region=HANGZHOU)
    if who == "county":
        return make_user(Role.COUNTY_OFFICE, region=XIHU)
    if who == "other_county":
        return make_user(Role.COUNTY_OFFICE, region=NANHU)
    if who == "town":
        return make_user(Role.TOWN_OFFICE, region=XIHU_TOWN)
    if who == "other_town":
        return make_user(Role.TOWN_OFFICE, region=NANHU_TOWN)
    if who == "partner":
        return make_user(Role.PARTNER, region=XIHU)
    if who == "other_partner":
        return make_user(Role.PARTNER, region=NANHU)
    if who == "coordinator":
        from hexie.accounts.models import CoordinatorAssignment

        user = make_user(Role.COORDINATOR)
        CoordinatorAssignment.objects.create(coordinator=user, unit=unit)
        return user
    if who == "assessor":
        return make_user(Role.ASSESSOR, organisation=make_organisation(XIHU))
    if who == "unit_admin":
        return make_user(Role.UNIT_ADMIN, unit=unit)
    if who == "other_unit_admin":
        return make_user(Role.UNIT_ADMIN, unit=UnitFactory(region_id=XIHU_TOWN))
    raise AssertionError(who)


@pytest.fixture
def world(office, unit, unit_admin, campaign, year, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_initiative(office, campaign, title="倡议书", body="正文")
    pledge = services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                             congress=congress(day(year, 3, 1)))
    return campaign, pledge


def answer(client, api, channel, campaign, pledge):
    if channel == "page":
        return client.get(f"/campaigns/{campaign.pk}/").status_code
    if channel == "plan":
        return client.get(f"/campaigns/{campaign.pk}/plan/").status_code
    if channel == "minutes":
        return client.get(f"/campaigns/congress/{pledge.congress_id}/minutes/").status_code
    if channel == "send":
        return client.post(f"/campaigns/{campaign.pk}/",
                           {"title": "再次倡议", "body": "正文"}).status_code
    if channel == "api_campaign":
        return api.get(f"/api/v1/campaigns/{campaign.pk}/").status_code
    if channel == "api_pledge":
        return api.get(f"/api/v1/pledges/{pledge.pk}/").status_code
    if channel == "api_cultivation":
        return api.post(f"/api/v1/pledges/{pledge.pk}/cultivation/",
                        {"cultivation_class": "key", "target_year": pledge.year},
                        format="json").status_code
    raise AssertionError(channel)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_channel_for_every_role(client, world, unit, who):
    campaign, pledge = world
    user = make(who, unit)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    letters = InitiativeLetter.objects.count()
    got = {channel: answer(client, api, channel, campaign, pledge) for channel in CHANNELS}
    assert got == EXPECTED[who]
    # Only the county office's send created a letter.
    assert InitiativeLetter.objects.count() == letters + (1 if got["send"] == 302 else 0)
