"""/api/v1/health-checks/ and /api/v1/remediation-tasks/: the same services as the pages."""

import pytest
from rest_framework.test import APIClient

from hexie.healthcheck.models import HealthCheck, RemediationTask
from tests.factories import XIHU_TOWN_2, UnitFactory

from .conftest import all_answers, upload

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_organise_answer_submit_close_and_follow_up(office, unit_admin, catalogue, pledge,
                                                    year, unit):
    response = api(office).post("/api/v1/health-checks/organise/", {"year": year},
                                format="json")
    assert response.status_code == 201 and response.data["existing"] == 0
    (created,) = response.data["created"]
    assert created["unit"] == unit.pk and created["catalogue"] == "zj-healthcheck@1"
    pk = created["id"]
    me = api(unit_admin)
    assert me.get(f"/api/v1/health-checks/{pk}/prefill/").data == {}
    response = me.post(f"/api/v1/health-checks/{pk}/answer/",
                       {"answers": {"HC-LC-01": "na"}}, format="json")
    assert response.status_code == 400 and response.data["field"] == "HC-LC-01"
    response = me.post(f"/api/v1/health-checks/{pk}/submit/", {}, format="json")
    assert response.status_code == 400 and response.data["code"] == "unanswered"
    check = HealthCheck.objects.get(pk=pk)
    response = me.post(f"/api/v1/health-checks/{pk}/submit/",
                       {"answers": all_answers(check, HC_WG_01="no")}, format="json")
    assert response.status_code == 200 and response.data["level"] == "red"
    assert [f["item_id"] for f in response.data["findings"]] == ["HC-WG-01"]
    task = RemediationTask.objects.get()
    listed = me.get("/api/v1/remediation-tasks/").data
    assert [t["id"] for t in listed["results"] if "results" in listed] or listed
    response = me.post(f"/api/v1/remediation-tasks/{task.pk}/close/",
                       {"note": "已补发。", "evidence": upload()}, format="multipart")
    assert response.status_code == 200 and response.data["state"] == "submitted"
    response = me.post(f"/api/v1/remediation-tasks/{task.pk}/follow-up/", {"accept": True},
                       format="json")
    assert response.status_code == 403
    response = api(office).post(f"/api/v1/remediation-tasks/{task.pk}/follow-up/",
                                {"accept": True}, format="json")
    assert response.status_code == 200 and response.data["state"] == "accepted"
    assert api(office).get(f"/api/v1/health-checks/{pk}/").data["state"] == "closed"


def test_office_adds_units_by_id_and_lists_by_year(office, catalogue, year):
    extra = UnitFactory(region_id=XIHU_TOWN_2)
    response = api(office).post("/api/v1/health-checks/organise/",
                                {"year": year, "units": [extra.pk]}, format="json")
    assert response.status_code == 201 and response.data["created"][0]["pledged"] is False
    listed = api(office).get(f"/api/v1/health-checks/?year={year}").data
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["unit"] for r in rows] == [extra.pk]


def test_organise_refusals_over_the_api(other_office, unit_admin, catalogue, year, unit):
    response = api(other_office).post("/api/v1/health-checks/organise/",
                                      {"year": year, "units": [unit.pk]}, format="json")
    assert response.status_code == 404
    response = api(unit_admin).post("/api/v1/health-checks/organise/", {"year": year},
                                    format="json")
    assert response.status_code == 403 and "可以组织线上用工体检" in response.data["detail"]
    assert HealthCheck.objects.count() == 0
