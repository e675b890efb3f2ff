"""One API error shape for invalid input across every app (issue 9 point 7), documented in
the OpenAPI: {"detail": Chinese summary, "code", "field": first field or null,
"errors": {field: [messages]}}; 403 and 404 answer {"detail", "code"}."""

import re

import pytest
import yaml
from django.apps import apps
from rest_framework.test import APIClient

from tests.factories import XIHU, UnitFactory, make_user

pytestmark = pytest.mark.django_db

SHAPE = {"detail", "code", "field", "errors"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _row_counts() -> dict:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.app_config.name.startswith("hexie.")}


def _assert_invalid(response, field, code=None):
    body = response.json()
    assert response.status_code == 400, body
    assert set(body) == SHAPE, body
    assert CHINESE.search(body["detail"]), body
    assert body["field"] == field
    if field is not None:
        assert body["errors"][field] and all(isinstance(m, str) for m in body["errors"][field])
        assert body["detail"].endswith(body["errors"][field][0])
    if code is not None:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(("role", "url", "data", "field", "code"), [
    ("county_office", "/api/v1/units/", {
        "kind": "enterprise", "name": "", "region_code": "330106002",
        "credit_code": "91330106Q00000018A", "industry": "C13", "employees": 30,
        "revenue_yuan": 1_000_000, "assets_yuan": 1_000_000}, "name", None),
    ("county_office", "/api/v1/campaigns/", {"region_code": XIHU}, "year", "required"),
    ("unit_admin", "/api/v1/self-assessments/", {"unit": "一", "year": 2026}, "unit",
     "invalid"),
    ("unit_admin", "/api/v1/applications/", {}, "unit", "required"),
    ("county_office", "/api/v1/notices/", {"title": "公示"}, "year", "required"),
    ("county_office", "/api/v1/health-checks/organise/", {"year": "明年"}, "year", "invalid"),
    ("unit_admin", "/api/v1/survey-rounds/", {"year": 2026, "links": 3}, "unit", "required"),
    ("county_office", "/api/v1/evaluations", {"unit": {}, "facts": {}, "standard": "无此库@9"},
     "standard", "invalid"),
])
def test_invalid_input_has_the_one_shape_and_changes_nothing(role, url, data, field, code):
    unit = UnitFactory()
    user = make_user(role, region=XIHU) if role != "unit_admin" else make_user(role, unit=unit)
    before = _row_counts()
    _assert_invalid(_client(user).post(url, data, format="json"), field, code)
    assert _row_counts() == before


def test_every_field_is_listed_and_the_first_is_named():
    office = make_user("county_office", region=XIHU)
    body = _assert_invalid(_client(office).post("/api/v1/health-checks/organise/",
                                                {"units": ["x"]}, format="json"), "year")
    assert set(body["errors"]) == {"year", "units"}
    assert body["detail"] == f"year：{body['errors']['year'][0]}"


def test_malformed_json_is_a_parse_error_in_the_same_shape():
    office = make_user("county_office", region=XIHU)
    response = _client(office).post("/api/v1/units/", "{not json", content_type="application/json")
    body = response.json()
    assert response.status_code == 400 and set(body) == SHAPE
    assert (body["code"], body["field"], body["errors"]) == ("parse_error", None, {})


def test_refusals_of_access_keep_detail_and_code():
    unit = UnitFactory()
    partner = make_user("partner", region=XIHU)
    outside = _client(make_user("county_office", region="330402"))
    missing = outside.get(f"/api/v1/units/{unit.pk}/")
    assert missing.status_code == 404
    assert set(missing.json()) == {"detail", "code"} and missing.json()["code"] == "not_found"
    refused = _client(partner).patch(f"/api/v1/units/{unit.pk}/", {"name": "改名"},
                                     format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert CHINESE.search(refused.json()["detail"])
    anonymous = APIClient().get("/api/v1/units/")
    assert anonymous.status_code in (401, 403)
    assert set(anonymous.json()) == {"detail", "code"}


def test_the_schema_has_the_error_component_and_every_400_references_it():
    office = make_user("county_office", region=XIHU)
    response = _client(office).get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == SHAPE
    assert set(error["required"]) == SHAPE
    operations = [(path, method, op) for path, item in schema["paths"].items()
                  for method, op in item.items() if method in ("get", "post", "put", "patch",
                                                               "delete")]
    assert len(operations) > 30
    for path, method, op in operations:
        bad = op["responses"]["400"]["content"]["application/json"]["schema"]
        assert bad == {"$ref": "#/components/schemas/Error"}, (path, method)
        assert "403" in op["responses"] and "404" in op["responses"], (path, method)
    assert set(schema["components"]["schemas"]["Refusal"]["properties"]) == {"detail", "code"}
