"""Every self-assessment channel × every role, inside and outside the scope.

The world: IN (西湖区北山街道) pledged last year and submitted a self-assessment with one evidence
file. Expected answers written out from DOMAIN.md §1, seed 四（二） and D20, independently of
roles.py:

* outside the scope → 404 (pages, API and the evidence download);
* the unit's own admin reads and edits its own; offices over it (province, city, county, town)
  read it and its evidence but may not change it (403);
* the partner, the coordinator and an assessor without an assignment reach nothing (404).
"""

import pytest
from rest_framework.test import APIClient

from hexie.assessments import services
from hexie.assessments.models import SelfAssessment
from tests.campaigns.test_scope_matrix import make

from .conftest import upload

pytestmark = pytest.mark.django_db

CHANNELS = ("list_row", "detail", "evidence", "api_detail", "api_evidence", "api_list_row",
            "edit", "api_patch")
NONE = {"list_row": 404, "detail": 404, "evidence": 404, "api_detail": 404,
        "api_evidence": 404, "api_list_row": 0, "edit": 404, "api_patch": 404}
READ = {"list_row": 1, "detail": 200, "evidence": 200, "api_detail": 200, "api_evidence": 200,
        "api_list_row": 1, "edit": 403, "api_patch": 403}

EXPECTED = {
    "province": READ,
    "city": READ,
    "county": READ,
    "other_county": NONE | {"list_row": 0},
    "town": READ,
    "other_town": NONE | {"list_row": 0},
    "partner": NONE,
    "other_partner": NONE,
    "coordinator": NONE,
    "assessor": NONE,
    "unit_admin": READ | {"edit": 302, "api_patch": 200},
    "other_unit_admin": NONE | {"list_row": 0},
}


@pytest.fixture
def world(draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    row = services.upload_evidence(unit_admin, draft, "EL-01.1", upload())
    return services.submit(unit_admin, draft), row


def answer(client, api, channel, sa, row):
    if channel == "list_row":
        response = client.get("/assessments/")
        if response.status_code != 200:
            return response.status_code
        return response.content.decode().count(f'/assessments/{sa.pk}/"')
    if channel == "detail":
        return client.get(f"/assessments/{sa.pk}/").status_code
    if channel == "evidence":
        return client.get(f"/assessments/evidence/{row.pk}/").status_code
    if channel == "edit":
        return client.get(f"/assessments/{sa.pk}/edit/").status_code
    if channel == "api_detail":
        return api.get(f"/api/v1/self-assessments/{sa.pk}/").status_code
    if channel == "api_evidence":
        return api.get(f"/api/v1/self-assessments/{sa.pk}/evidence/{row.pk}/").status_code
    if channel == "api_list_row":
        return api.get("/api/v1/self-assessments/").json()["count"]
    if channel == "api_patch":
        return api.patch(f"/api/v1/self-assessments/{sa.pk}/",
                         {"facts": {"labour_relations_coordinators": 5}},
                         format="json").status_code
    raise AssertionError(channel)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_channel_for_every_role(client, world, unit, who):
    sa, row = world
    user = make(who, unit)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    got = {channel: answer(client, api, channel, sa, row) for channel in CHANNELS}
    assert got == EXPECTED[who]
    # Only the unit's own admin changed anything: its PATCH started the year's new draft.
    drafts = SelfAssessment.objects.filter(state="draft").count()
    assert drafts == (1 if got["api_patch"] == 200 else 0)
    sa.refresh_from_db()
    assert sa.facts["labour_relations_coordinators"] != 5


def test_an_assigned_assessor_reads_through_the_scope_provider(world, unit, monkeypatch):
    """Assessors read what their scope provider (the recognition app's assignments) gives
    them; an assignment is simulated by a provider that names the unit."""
    from hexie.accounts.roles import Role
    from hexie.core import scoping

    sa, row = world
    user = make("assessor", unit)
    monkeypatch.setitem(scoping.UNIT_SCOPE_PROVIDERS, Role.ASSESSOR,
                        [lambda u, m: {unit.pk} if u.pk == user.pk else set()])
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/self-assessments/{sa.pk}/").status_code == 200
    assert api.get(f"/api/v1/self-assessments/{sa.pk}/evidence/{row.pk}/").status_code == 200
    response = api.post(f"/api/v1/self-assessments/{sa.pk}/submit/")
    assert response.status_code == 403
