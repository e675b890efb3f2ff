"""Every survey channel × every role, inside and outside the scope.

The world: a round of the unit IN (西湖区北山街道) with one answer and a worker's concern about IN.
Expected answers written out from DOMAIN.md §1, roles.py's permission list in the brief and D25:

* rounds and results: the unit's own admin (manages), the offices over it (read-only: province,
  city, 西湖区, 北山街道); everyone else 404 — partners, coordinators and assessors have no part;
* workers' concerns: offices and the assigned coordinator (monitoring.view); never the unit
  admin (404); an office of another region sees the page but not IN's concern;
* closing: only the unit admin; offices that see the round get 403.
"""

import pytest
from rest_framework.test import APIClient

from hexie.surveys import services
from hexie.surveys.models import SurveyRound
from tests.campaigns.test_scope_matrix import make

from .conftest import ALL_SATISFIED_EL

pytestmark = pytest.mark.django_db

CONCERN = "夜班连续十二小时"
CHANNELS = ("list", "detail", "api_list", "api_detail", "api_result", "concerns", "close")
SEES = {"list": "round", "detail": 200, "api_list": 1, "api_detail": 200, "api_result": 200,
        "concerns": "concern", "close": 403}
NONE = {"list": 404, "detail": 404, "api_list": 0, "api_detail": 404, "api_result": 404,
        "concerns": 404, "close": 404}
OTHER_OFFICE = NONE | {"list": "empty", "concerns": "empty"}

EXPECTED = {
    "province": SEES,
    "city": SEES,
    "county": SEES,
    "other_county": OTHER_OFFICE,
    "town": SEES,
    "other_town": OTHER_OFFICE,
    "partner": NONE,
    "other_partner": NONE,
    "coordinator": NONE | {"concerns": "concern"},
    "assessor": NONE,
    "unit_admin": SEES | {"concerns": 404, "close": 302},
    "other_unit_admin": NONE | {"list": "empty"},
}


def shown(response, marker):
    if response.status_code != 200:
        return response.status_code
    return "found" if marker in response.content.decode() else "empty"


def answer(client, api, channel, rnd):
    if channel == "list":
        got = shown(client.get("/surveys/"), f"/surveys/{rnd.pk}/")
        return "round" if got == "found" else got
    if channel == "detail":
        return client.get(f"/surveys/{rnd.pk}/").status_code
    if channel == "api_list":
        response = api.get("/api/v1/survey-rounds/")
        assert response.status_code == 200
        return response.json()["count"]
    if channel == "api_detail":
        return api.get(f"/api/v1/survey-rounds/{rnd.pk}/").status_code
    if channel == "api_result":
        return api.get(f"/api/v1/survey-rounds/{rnd.pk}/result/").status_code
    if channel == "concerns":
        got = shown(client.get("/surveys/concerns/"), CONCERN)
        return "concern" if got == "found" else got
    if channel == "close":
        return client.post(f"/surveys/{rnd.pk}/close/").status_code
    raise AssertionError(channel)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_channel_for_every_role(client, opened, unit, who):
    services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL, "意见")
    services.submit_concern(unit, "working_hours", CONCERN)
    user = make(who, unit)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    got = {channel: answer(client, api, channel, opened.round) for channel in CHANNELS}
    assert got == EXPECTED[who]
    state = SurveyRound.objects.get(pk=opened.round.pk).state
    assert state == ("closed" if got["close"] == 302 else "open")


@pytest.mark.parametrize("who, status", [("county", 403), ("other_county", 404),
                                         ("unit_admin", 200)])
def test_api_close_by_role(opened, unit, who, status):
    api = APIClient()
    api.force_authenticate(make(who, unit))
    assert api.post(f"/api/v1/survey-rounds/{opened.round.pk}/close/").status_code == status
