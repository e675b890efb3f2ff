"""Every health-check channel × every role, inside and outside the scope.

The world: IN (西湖区北山街道) has submitted last year's check with one red finding whose task
awaits follow-up, evidence attached. Expected answers, written out from DOMAIN.md §1, the
seed's 四（四） and docs/decisions.md D26 independently of roles.py:

* outside the scope → 404; inside without the permission → 403;
* the county office and the town office of IN's town read everything and follow up;
* province and city offices read only (follow-up 403);
* the unit admin reads its own check, report, task and evidence, no office page, and may not
  follow up its own task;
* partners, coordinators and assessors have no part in the health check.
"""

import pytest
from rest_framework.test import APIClient

from hexie.healthcheck import services
from hexie.healthcheck.models import RemediationTask
from tests.campaigns.test_scope_matrix import make

from .conftest import all_answers, upload

pytestmark = pytest.mark.django_db

CHANNELS = ("detail", "report", "evidence", "progress", "tasks", "api_check", "api_task",
            "api_follow")
NONE = dict.fromkeys(CHANNELS, 404)
# The office pages are each office's own: "listed" when IN appears on them, "empty" when not.
LISTED = {"progress": "listed", "tasks": "listed"}
READ = dict.fromkeys(CHANNELS, 200) | LISTED | {"api_follow": 403}
OTHER_OFFICE = NONE | {"progress": "empty", "tasks": "empty"}

EXPECTED = {
    "province": READ,
    "city": READ,
    "county": dict.fromkeys(CHANNELS, 200) | LISTED,
    "other_county": OTHER_OFFICE,
    "town": dict.fromkeys(CHANNELS, 200) | LISTED,
    "other_town": OTHER_OFFICE,
    "partner": NONE,
    "other_partner": NONE,
    "coordinator": NONE,
    "assessor": NONE,
    "unit_admin": READ | {"progress": 404, "tasks": 404},
    "other_unit_admin": NONE,
}


@pytest.fixture
def world(check, unit_admin):
    services.submit(unit_admin, check, all_answers(check, HC_WG_01="no"))
    task = RemediationTask.objects.get()
    services.close_task(unit_admin, task, upload(), "已整改。")
    return check, task


def answer(client, api, channel, check, task):
    if channel == "detail":
        return client.get(f"/healthcheck/{check.pk}/").status_code
    if channel == "report":
        return client.get(f"/healthcheck/{check.pk}/report.pdf").status_code
    if channel == "evidence":
        return client.get(f"/healthcheck/tasks/{task.pk}/evidence/").status_code
    if channel in ("progress", "tasks"):
        url = f"/healthcheck/progress/?year={check.year}" if channel == "progress" else (
            "/healthcheck/tasks/")
        response = client.get(url)
        if response.status_code != 200:
            return response.status_code
        return "listed" if check.unit.name in response.content.decode() else "empty"
    if channel == "api_check":
        return api.get(f"/api/v1/health-checks/{check.pk}/").status_code
    if channel == "api_task":
        return api.get(f"/api/v1/remediation-tasks/{task.pk}/").status_code
    if channel == "api_follow":
        return api.post(f"/api/v1/remediation-tasks/{task.pk}/follow-up/", {"accept": True},
                        format="json").status_code
    raise AssertionError(channel)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_channel_for_every_role(client, world, unit, who):
    check, task = world
    user = make(who, unit)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    got = {channel: answer(client, api, channel, check, task) for channel in CHANNELS}
    assert got == EXPECTED[who]
    task.refresh_from_db()
    accepted = task.state == RemediationTask.State.ACCEPTED
    assert accepted == (got["api_follow"] == 200)


@pytest.mark.parametrize("who", ["other_county", "other_town", "other_unit_admin", "partner"])
def test_lists_outside_the_scope_are_empty(world, unit, who):
    api = APIClient()
    api.force_authenticate(make(who, unit))
    for url in ("/api/v1/health-checks/", "/api/v1/remediation-tasks/"):
        data = api.get(url).data
        rows = data["results"] if isinstance(data, dict) else data
        assert rows == []
