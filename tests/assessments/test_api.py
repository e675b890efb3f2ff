"""/api/v1/self-assessments/: list (scoped, filtered), retrieve, create, PATCH facts, submit,
evidence upload and download; every refusal {"detail", "field", "code"} in Chinese."""

import pytest
from rest_framework.test import APIClient

from hexie.assessments import services
from hexie.assessments.models import Evidence, SelfAssessment

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(unit_admin):
    client = APIClient()
    client.force_authenticate(unit_admin)
    return client


def test_create_patch_submit(api, pledge, unit, year, good_facts):
    response = api.post("/api/v1/self-assessments/", {"unit": unit.pk, "year": year},
                        format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "draft" and body["standard"] == "zj-baseline@1"
    pk = body["id"]
    response = api.patch(f"/api/v1/self-assessments/{pk}/", {"facts": good_facts},
                         format="json")
    assert response.status_code == 200 and response.json()["meets"] is True
    response = api.post(f"/api/v1/self-assessments/{pk}/submit/")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["sequence"], body["meets"], body["evidence_complete"]) == (
        "submitted", 1, True, False)
    assert body["result"]["standard"] == "zj-baseline@1"
    # PATCH on a submission saves into the year's new draft.
    response = api.patch(f"/api/v1/self-assessments/{pk}/",
                         {"facts": {"labour_relations_coordinators": 1}}, format="json")
    assert response.status_code == 200 and response.json()["id"] != pk
    assert SelfAssessment.objects.get(pk=pk).facts == good_facts


def test_refusals_have_detail_field_code(api, draft, pledge, unit, year):
    response = api.patch(f"/api/v1/self-assessments/{draft.pk}/",
                         {"facts": {"employees_total": -1}}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "employees_total"
    assert response.json()["code"] == "invalid_fact" and "不能小于 0" in response.json()["detail"]
    response = api.patch(f"/api/v1/self-assessments/{draft.pk}/", {"facts": "x"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "facts"
    response = api.post(f"/api/v1/self-assessments/{draft.pk}/submit/")
    assert response.status_code == 400 and response.json()["code"] == "incomplete"
    response = api.post("/api/v1/self-assessments/", {"unit": unit.pk, "year": year + 1},
                        format="json")
    assert response.status_code == 400 and response.json()["code"] == "not_pledged"
    assert set(response.json()) >= {"detail", "field", "code"}
    response = api.post("/api/v1/self-assessments/", {"year": year}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "unit"


def test_evidence_upload_and_download(api, draft):
    response = api.post(f"/api/v1/self-assessments/{draft.pk}/evidence/",
                        {"item_id": "EL-04.2", "file": upload("协调员.pdf")}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert body["item_id"] == "EL-04.2" and body["file_type"] == "pdf"
    row = Evidence.objects.get()
    response = api.get(f"/api/v1/self-assessments/{draft.pk}/evidence/{row.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    retrieved = api.get(f"/api/v1/self-assessments/{draft.pk}/").json()
    assert [e["item_id"] for e in retrieved["evidence"]] == ["EL-04.2"]
    response = api.post(f"/api/v1/self-assessments/{draft.pk}/evidence/",
                        {"item_id": "EL-04.2", "file": upload("x.exe", PDF)}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "file_type"
    response = api.delete(f"/api/v1/self-assessments/{draft.pk}/evidence/{row.pk}/")
    assert response.status_code == 204 and not Evidence.objects.exists()


def test_evidence_of_another_assessment_is_404_under_this_one(api, draft, unit_admin,
                                                              good_facts):
    row = services.upload_evidence(unit_admin, draft, "EL-01.1", upload())
    services.save_draft(unit_admin, draft, good_facts)
    done = services.submit(unit_admin, draft)
    new = services.start_draft(unit_admin, done.unit, done.year)
    assert api.get(f"/api/v1/self-assessments/{new.pk}/evidence/{row.pk}/").status_code == 404


def test_list_is_scoped_and_filtered(api, office, other_office, draft, unit_admin, good_facts,
                                     year):
    services.save_draft(unit_admin, draft, good_facts)
    services.submit(unit_admin, draft)
    client = APIClient()
    client.force_authenticate(office)
    assert client.get("/api/v1/self-assessments/").json()["count"] == 1
    assert client.get("/api/v1/self-assessments/?meets=false").json()["count"] == 0
    assert client.get("/api/v1/self-assessments/?meets=true").json()["count"] == 1
    assert client.get(f"/api/v1/self-assessments/?year={year}&state=submitted").json()[
        "count"] == 1
    assert client.get("/api/v1/self-assessments/?state=draft").json()["count"] == 0
    response = client.patch(f"/api/v1/self-assessments/{draft.pk}/",
                            {"facts": {"employees_total": 1}}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    client.force_authenticate(other_office)
    assert client.get("/api/v1/self-assessments/").json()["count"] == 0
    assert client.get(f"/api/v1/self-assessments/{draft.pk}/").status_code == 404


def test_schema_builds_with_the_endpoints(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/self-assessments/{id}/submit/" in paths
    assert "/api/v1/self-assessments/{id}/evidence/{evidence_id}/" in paths
