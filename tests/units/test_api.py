"""/api/v1/units/: the same filters, scope, validator and services as the pages; errors in
Chinese naming the field; OpenAPI schema and self-hosted docs."""

import re

import pytest
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

from hexie.accounts.roles import Role
from hexie.core.models import AuditEvent
from hexie.units.models import Kind, Unit
from hexie.units.size import Size
from tests.factories import (
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    make_user,
)
from tests.factories import credit_code as new_code

pytestmark = pytest.mark.django_db


URL = "/api/v1/units/"


@pytest.fixture
def office():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


@pytest.fixture
def api(office):
    client = APIClient()
    client.force_authenticate(office)
    return client


@pytest.fixture
def registry():
    """Units in 西湖区 (two towns, several kinds and sizes) and one in 南湖区."""
    return {
        "medium": UnitFactory(name="西湖甲制造有限公司"),
        "large": UnitFactory(name="西湖乙集团有限公司", employees=1500,
                             revenue_yuan=600_000_000, size_derived=Size.LARGE,
                             size=Size.LARGE, region_id=XIHU_TOWN_2),
        "micro": UnitFactory(name="西溪丙工作室有限公司", employees=5, revenue_yuan=1_000_000,
                             size_derived=Size.MICRO, size=Size.MICRO, region_id=XIHU_TOWN_2),
        "park": UnitFactory(kind=Kind.INDUSTRIAL_PARK, name="西湖示例园区", credit_code=None,
                            industry="", industry_section="", employees=None,
                            revenue_yuan=None, assets_yuan=None, size_derived="", size=""),
        "nanhu": UnitFactory(name="南湖丁制造有限公司", region_id=NANHU_TOWN),
    }


def ids(response):
    return sorted(item["id"] for item in response.json()["results"])


def test_list_is_paginated_and_scoped(api, registry):
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 4
    assert (body["next"], body["previous"]) == (None, None)
    assert ids(response) == sorted(u.pk for k, u in registry.items() if k != "nanhu")
    item = next(i for i in body["results"] if i["id"] == registry["large"].pk)
    assert item["kind"] == "enterprise"
    assert item["kind_label"] == "企业"
    assert (item["size"], item["size_label"]) == ("large", "大型")
    assert (item["region_code"], item["region_name"]) == (XIHU_TOWN_2, "西溪街道")
    assert item["credit_code"] == registry["large"].credit_code


def test_list_pages(api):
    UnitFactory.create_batch(53)
    first = api.get(URL).json()
    assert first["count"] == 53
    assert len(first["results"]) == 50
    assert first["next"].endswith("/api/v1/units/?page=2")
    second = api.get(URL, {"page": 2}).json()
    assert len(second["results"]) == 3
    assert second["next"] is None
    assert second["previous"] is not None
    assert not {i["id"] for i in first["results"]} & {i["id"] for i in second["results"]}


@pytest.mark.parametrize("params,expected", [
    ({"kind": "industrial_park"}, ["park"]),
    ({"kind": "enterprise"}, ["medium", "large", "micro"]),
    ({"size": "large"}, ["large"]),
    ({"size": "micro"}, ["micro"]),
    ({"region": XIHU_TOWN_2}, ["large", "micro"]),
    ({"region": XIHU_TOWN}, ["medium", "park"]),
    ({"region": XIHU}, ["medium", "large", "micro", "park"]),
    ({"region": "3301"}, ["medium", "large", "micro", "park"]),
    ({"region": NANHU_TOWN}, []),  # outside the scope: filtered, never revealed
    ({"q": "集团"}, ["large"]),
    ({"q": "西湖"}, ["medium", "large", "park"]),
    ({"kind": "enterprise", "region": XIHU_TOWN_2, "size": "micro"}, ["micro"]),
])
def test_list_filters(api, registry, params, expected):
    response = api.get(URL, params)
    assert response.status_code == 200
    assert ids(response) == sorted(registry[k].pk for k in expected)
    assert response.json()["count"] == len(expected)


def test_q_matches_an_exact_credit_code(api, registry):
    code = registry["micro"].credit_code
    assert ids(api.get(URL, {"q": code})) == [registry["micro"].pk]
    assert ids(api.get(URL, {"q": code.lower()})) == [registry["micro"].pk]
    assert ids(api.get(URL, {"q": registry["nanhu"].credit_code})) == []


def test_detail_outside_the_scope_is_404(api, registry):
    assert api.get(f"{URL}{registry['nanhu'].pk}/").status_code == 404
    response = api.get(f"{URL}{registry['medium'].pk}/")
    assert response.status_code == 200
    assert response.json()["name"] == "西湖甲制造有限公司"


def test_anonymous_is_refused():
    response = APIClient().get(URL)
    assert response.status_code in (401, 403)


def enterprise(**overrides):
    return {"kind": "enterprise", "name": "接口登记有限公司", "credit_code": new_code(),
            "region_code": XIHU_TOWN, "industry": "I6513", "employees": 120,
            "revenue_yuan": 35_000_000, "assets_yuan": None, "platform": False} | overrides


def test_create(api, office):
    data = enterprise()
    response = api.post(URL, data, format="json")
    assert response.status_code == 201
    body = response.json()
    unit = Unit.objects.get()
    assert body["id"] == unit.pk
    assert (body["name"], body["credit_code"], body["region_code"]) == (
        "接口登记有限公司", data["credit_code"], XIHU_TOWN)
    assert (body["size_derived"], body["size"]) == ("medium", "medium")  # 65: X 120, Y 3500万
    event = AuditEvent.objects.get(action="units.create")
    assert (event.object_id, event.actor_id) == (str(unit.pk), office.pk)


def test_create_with_bad_data_names_the_fields_in_chinese(api):
    response = api.post(URL, enterprise(credit_code="91330106T0000001XX", employees="abc",
                                        region_code=XIHU), format="json")
    assert response.status_code == 400
    body = response.json()
    errors = body["errors"]
    assert set(errors) == {"credit_code", "employees", "region_code"}
    assert len(errors["credit_code"]) == 1
    assert errors["credit_code"][0].startswith("统一社会信用代码")
    assert errors["employees"] == ["应为整数"]
    assert errors["region_code"] == ["应为乡镇（街道）级 9 位区划代码"]
    assert body["code"] == "invalid"
    assert body["field"] in errors
    labels = {"credit_code": "统一社会信用代码", "employees": "职工人数",
              "region_code": "所在区划代码"}
    assert body["detail"] == f"{labels[body['field']]}：{errors[body['field']][0]}"
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create_missing_field(api):
    data = enterprise()
    del data["name"]
    body = api.post(URL, data, format="json").json()
    assert body == {"detail": "单位名称：必填", "code": "invalid", "field": "name",
                    "errors": {"name": ["必填"]}}


def test_create_duplicate_credit_code(api, registry):
    response = api.post(URL, enterprise(credit_code=registry["medium"].credit_code),
                        format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "统一社会信用代码：该统一社会信用代码已登记", "code": "invalid",
        "field": "credit_code", "errors": {"credit_code": ["该统一社会信用代码已登记"]}}
    assert Unit.objects.count() == 5


def test_create_outside_the_scope_is_refused(api):
    response = api.post(URL, enterprise(region_code=NANHU_TOWN, credit_code=new_code("330402")),
                        format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "region_code"
    assert "管辖范围" in response.json()["detail"]
    assert not Unit.objects.exists()


def test_body_must_be_an_object(api):
    response = api.post(URL, [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体应为 JSON 对象。"


def test_patch_recomputes_the_size_and_is_audited(api, registry):
    unit = registry["medium"]
    response = api.patch(f"{URL}{unit.pk}/", {"employees": 1000, "revenue_yuan": 400_000_000},
                         format="json")
    assert response.status_code == 200
    assert response.json()["size"] == "large"  # C: X 1000, Y 40000万 — both on the large bound
    unit.refresh_from_db()
    assert (unit.employees, unit.size) == (1000, "large")
    event = AuditEvent.objects.get(action="units.update")
    assert (event.before["employees"], event.after["employees"]) == (350, 1000)


def test_patch_with_bad_data_changes_nothing(api, registry):
    unit = registry["medium"]
    response = api.patch(f"{URL}{unit.pk}/", {"revenue_yuan": -5}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "营业收入（元）：不能为负数", "code": "invalid",
                               "field": "revenue_yuan", "errors": {"revenue_yuan": ["不能为负数"]}}
    unit.refresh_from_db()
    assert unit.revenue_yuan == 50_000_000
    assert not AuditEvent.objects.exists()


def test_patch_outside_the_scope_is_404(api, registry):
    unit = registry["nanhu"]
    assert api.patch(f"{URL}{unit.pk}/", {"employees": 1}, format="json").status_code == 404
    unit.refresh_from_db()
    assert unit.employees == 350


def test_unit_admin_may_not_change_identity_403():
    unit = UnitFactory()
    client = APIClient()
    client.force_authenticate(make_user(Role.UNIT_ADMIN, unit=unit))
    response = client.patch(f"{URL}{unit.pk}/", {"credit_code": new_code()}, format="json")
    assert response.status_code == 403
    assert response.json()["field"] == "credit_code"
    assert "单位经办人不能修改" in response.json()["detail"]
    assert client.patch(f"{URL}{unit.pk}/", {"employees": 400}, format="json").status_code == 200


def test_delete(api, registry):
    unit = registry["park"]
    response = api.delete(f"{URL}{unit.pk}/")
    assert response.status_code == 204
    assert not Unit.objects.filter(pk=unit.pk).exists()
    event = AuditEvent.objects.get(action="units.delete")
    assert (event.object_id, event.before["name"]) == (str(unit.pk), "西湖示例园区")


def test_delete_outside_the_scope_is_404(api, registry):
    assert api.delete(f"{URL}{registry['nanhu'].pk}/").status_code == 404
    assert Unit.objects.count() == 5


def test_size_override_action(api, registry):
    unit = registry["medium"]
    url = f"{URL}{unit.pk}/size-override/"
    response = api.post(url, {"size_override": "large", "size_override_reason": "集团口径"},
                        format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["size"], body["size_derived"], body["size_override"]) == (
        "large", "medium", "large")
    assert body["size_override_reason"] == "集团口径"
    assert AuditEvent.objects.filter(action="units.override_size").count() == 1
    cleared = api.post(url, {"size_override": "", "size_override_reason": "撤销"},
                       format="json").json()
    assert (cleared["size"], cleared["size_override"]) == ("medium", "")


def test_size_override_without_reason_is_400(api, registry):
    unit = registry["medium"]
    response = api.post(f"{URL}{unit.pk}/size-override/", {"size_override": "large"},
                        format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "size_override_reason"
    assert "理由" in response.json()["detail"]
    unit.refresh_from_db()
    assert unit.size == "medium"
    assert not AuditEvent.objects.exists()


def test_size_override_of_a_park_is_400(api, registry):
    response = api.post(f"{URL}{registry['park'].pk}/size-override/",
                        {"size_override": "large", "size_override_reason": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "size_override"


def test_schema_describes_the_units_api(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith("openapi: 3")
    assert "/api/v1/units/:" in text
    assert "/api/v1/units/{id}/size-override/:" in text
    as_json = api.get("/api/schema/", {"format": "json"}).json()
    assert {"get", "post"} <= set(as_json["paths"]["/api/v1/units/"])


def test_docs_load_swagger_from_our_own_static_files(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", a) for a in assets} >= {
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    }
    assert all(a.startswith("/static/") for a in assets), assets
    for asset in assets:  # each one is shipped with the application
        assert finders.find(asset.removeprefix("/static/")) is not None, asset
    assert "/api/schema/" in html
    lowered = html.lower()
    for host in ("cdn", "unpkg", "jsdelivr"):
        assert host not in lowered
