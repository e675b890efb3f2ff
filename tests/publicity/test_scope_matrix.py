"""Every publicity page and API endpoint × every role, inside and outside the scope.

The world: 西湖区 published its list of the year before last; last year's recognitions of
西湖区 are on notice, with one objection to the unit IN (西湖区北山街道). The expected answers are
written out from DOMAIN.md §1, the seed's 四（三） and docs/decisions.md D22, independently of
roles.py:

* outside the scope → 404; inside without the permission → 403;
* only 西湖区's county office acts (notice, objections, close, publish);
* the city and province offices and 西湖区's town office read (the town its own units'
  objections), and may not act;
* partners, coordinators, assessors and unit admins have no office page (404);
* the public page answers everyone.
"""

import pytest
from rest_framework.test import APIClient

from hexie.publicity import services
from hexie.publicity.models import Objection
from tests.campaigns.test_scope_matrix import make  # the same twelve roles
from tests.factories import XIHU, XIHU_TOWN, UnitFactory

from .conftest import make_recognition

pytestmark = pytest.mark.django_db

CHANNELS = ("page", "notice", "objection", "list", "record", "api_notice", "api_objection",
            "api_list", "api_close", "api_handle", "api_publish", "public")
NONE = dict.fromkeys(CHANNELS, 404) | {"public": 200}
READ = {"page": 200, "notice": 200, "objection": 200, "list": 200, "record": 403,
        "api_notice": 200, "api_objection": 200, "api_list": 200, "api_close": 403,
        "api_handle": 403, "api_publish": 403, "public": 200}

EXPECTED = {
    "province": READ,
    "city": READ,
    # The county acts: the objection is recorded (302) and handled (200); closing is refused
    # by the rule (the period is running: 400), publishing too (a notice is open: 400).
    "county": READ | {"record": 302, "api_close": 400, "api_handle": 200, "api_publish": 400},
    "other_county": NONE,
    "town": READ,
    "other_town": NONE,
    "partner": NONE,
    "other_partner": NONE,
    "coordinator": NONE,
    "assessor": NONE,
    "unit_admin": NONE,
    "other_unit_admin": NONE,
}


@pytest.fixture
def world(office, recognition, second, year):
    earlier = make_recognition(UnitFactory(region_id=XIHU_TOWN), year - 1)
    published = services.publish_list(office, XIHU, year - 1, "名单")
    notice = services.open_notice(office, XIHU, year, title="公示")
    objection = services.record_objection(office, notice, recognition,
                                          received_on=notice.starts_on, channel="letter",
                                          content="异议")
    assert earlier.pk
    return {"notice": notice, "objection": objection, "list": published, "year": year}


def answer(client, api, channel, w, recognition):
    notice, objection, published = w["notice"], w["objection"], w["list"]
    if channel == "page":
        return client.get(f"/publicity/?year={w['year']}&region={XIHU}").status_code
    if channel == "notice":
        return client.get(f"/publicity/notices/{notice.pk}/").status_code
    if channel == "objection":
        return client.get(f"/publicity/objections/{objection.pk}/").status_code
    if channel == "list":
        return client.get(f"/publicity/lists/{published.pk}/").status_code
    if channel == "record":
        return client.post(f"/publicity/notices/{notice.pk}/", {
            "recognition": str(recognition.pk), "received_on": notice.starts_on.isoformat(),
            "channel": "letter", "content": "再次异议"}).status_code
    if channel == "api_notice":
        return api.get(f"/api/v1/notices/{notice.pk}/").status_code
    if channel == "api_objection":
        return api.get(f"/api/v1/objections/{objection.pk}/").status_code
    if channel == "api_list":
        return api.get(f"/api/v1/published-lists/{published.pk}/").status_code
    if channel == "api_close":
        return api.post(f"/api/v1/notices/{notice.pk}/close/").status_code
    if channel == "api_handle":
        return api.post(f"/api/v1/objections/{objection.pk}/handle/", {
            "upheld": False, "answer": "不成立。"}, format="json").status_code
    if channel == "api_publish":
        return api.post("/api/v1/published-lists/", {
            "region_code": XIHU, "year": w["year"], "title": "名单"},
            format="json").status_code
    if channel == "public":
        return client.get(f"/public/?county={XIHU}").status_code
    raise AssertionError(channel)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_channel_for_every_role(client, world, unit, recognition, who):
    user = make(who, unit)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    got = {channel: answer(client, api, channel, world, recognition) for channel in CHANNELS}
    assert got == EXPECTED[who]
    # Only the county office's steps changed anything.
    acted = got["record"] == 302
    assert Objection.objects.count() == (2 if acted else 1)
    handled = Objection.objects.filter(state=Objection.State.DISMISSED).count()
    assert handled == (1 if got["api_handle"] == 200 else 0)
