"""The survey API: the anonymous answer endpoint (JSON) with each refusal, and the scoped round
endpoints (open, close, result, apply)."""

import json

import pytest
from rest_framework.test import APIClient

from hexie.surveys.models import SurveyAnswer, SurveyApplication, SurveyRound

from .conftest import ALL_SATISFIED_EL

pytestmark = pytest.mark.django_db
ENDPOINT = "/s/api/answers/"


def post(client, body):
    raw = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(ENDPOINT, raw, content_type="application/json")


def test_answer_endpoint_accepts_once(client, opened):
    body = {"token": opened.tokens[0], "answers": ALL_SATISFIED_EL, "comment": "好"}
    first = post(client, body)
    assert first.status_code == 201 and first.json() == {"accepted": True}
    second = post(client, body)
    assert second.status_code == 409 and second.json()["code"] == "used"
    assert "已使用" in second.json()["detail"]
    assert SurveyAnswer.objects.count() == 1


@pytest.mark.parametrize("body, status, code", [
    ({"token": "A" * 22, "answers": ALL_SATISFIED_EL}, 404, "invalid"),
    ({"answers": ALL_SATISFIED_EL}, 404, "invalid"),
    (b"not json", 400, "invalid"),
    (b"[1, 2]", 400, "invalid"),
])
def test_answer_endpoint_refusals(client, opened, body, status, code):
    response = post(client, body)
    assert response.status_code == status and response.json()["code"] == code
    assert SurveyAnswer.objects.count() == 0


def test_answer_endpoint_input_errors(client, opened):
    bad = post(client, {"token": opened.tokens[0], "answers": {"pay": 5}})
    assert bad.status_code == 400 and bad.json()["field"] == "social_insurance"
    script = post(client, {"token": opened.tokens[0], "answers": ALL_SATISFIED_EL,
                           "comment": "<script>x</script>"})
    assert script.status_code == 400 and script.json()["code"] == "markup"
    big = post(client, {"token": opened.tokens[0], "answers": ALL_SATISFIED_EL,
                        "comment": "x" * 20000})
    assert big.status_code == 413
    assert SurveyAnswer.objects.count() == 0
    assert post(client, {"token": opened.tokens[0], "answers": ALL_SATISFIED_EL}).status_code \
        == 201


def test_answer_endpoint_flood(client, opened, settings):
    settings.HEXIE_SURVEY_RATE_LIMIT = 3
    codes = [post(client, {"token": t, "answers": ALL_SATISFIED_EL}).status_code
             for t in opened.tokens[:5]]
    assert codes == [201, 201, 201, 429, 429]
    assert SurveyAnswer.objects.count() == 3


def test_round_api_open_close_result_apply(unit, unit_admin, year, pledged):
    api = APIClient()
    api.force_authenticate(unit_admin)
    made = api.post("/api/v1/survey-rounds/", {"unit": unit.pk, "year": year, "links": 20},
                    format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert len(body["tokens"]) == 20 and body["urls"][0].endswith(f"/s/{body['tokens'][0]}/")
    pk = body["id"]
    assert "tokens" not in api.get(f"/api/v1/survey-rounds/{pk}/").json()
    client = APIClient()
    for token in body["tokens"][:18]:
        assert client.post(ENDPOINT, {"token": token, "answers": ALL_SATISFIED_EL},
                           format="json").status_code == 201
    live = api.get(f"/api/v1/survey-rounds/{pk}/result/").json()
    assert live["answers"] == 18 and live["result"]["percent"] == "100.00"
    early = api.post(f"/api/v1/survey-rounds/{pk}/apply/")
    assert early.status_code == 400 and "尚未结束" in early.json()["detail"]
    assert api.post(f"/api/v1/survey-rounds/{pk}/close/").json()["state"] == "closed"
    applied = api.post(f"/api/v1/survey-rounds/{pk}/apply/")
    assert applied.status_code == 201 and applied.json()["satisfaction_percent"] == "100.00"
    assert SurveyApplication.objects.count() == 1


def test_round_api_refusals(unit, unit_admin, office, year):
    api = APIClient()
    api.force_authenticate(office)
    refused = api.post("/api/v1/survey-rounds/", {"unit": unit.pk, "year": year, "links": 20},
                       format="json")
    assert refused.status_code == 403
    api.force_authenticate(unit_admin)
    short = api.post("/api/v1/survey-rounds/", {"unit": unit.pk, "year": year, "links": 3},
                     format="json")
    assert short.status_code == 400 and short.json()["field"] == "links"
    assert SurveyRound.objects.count() == 0
