"""Every recognition page and API endpoint × every role, inside and outside the scope.

The world: the unit IN (西湖区北山街道) applied; 西湖区's county office (the "county" user) took
it into review, named itself as the tripartite reviewer and assigned the organisation of the
"assessor" user. The expected answers are written out from DOMAIN.md §1, the seed's 四（二）、
四（三） and docs/decisions.md D21, independently of roles.py:

* outside the scope → 404; inside without the permission → 403; an office's own list and a
  reviewer's own task list answer 200 (empty) outside the unit's division;
* the county office assigns and decides; offices above and the town office follow (read only);
  the partner sees no application (statistics only);
* a reviewer reaches only its own assignments; an assessor only its organisation's, and the
  application they belong to through the API;
* the unit admin applies, sees its own application and appeals; no county page.
"""

import pytest
from rest_framework.test import APIClient

from hexie.recognition import services
from hexie.recognition.models import ReviewAssignment
from tests.campaigns.test_scope_matrix import make
from tests.factories import XIHU, make_organisation, make_user

pytestmark = pytest.mark.django_db

CHANNELS = ("list", "detail", "reviews", "review_t", "review_3", "apply", "mine", "minutes",
            "api_application", "api_assign", "api_decide", "api_review_t", "api_review_3",
            "api_submit")
NONE = dict.fromkeys(CHANNELS, 404)
FOLLOW = NONE | {"list": 200, "detail": 200, "minutes": 200, "api_application": 200,
                 "api_assign": 403, "api_decide": 403}

EXPECTED = {
    "province": FOLLOW,
    "city": FOLLOW,
    "county": FOLLOW | {"reviews": 200, "review_t": 200, "api_assign": 400, "api_decide": 400,
                        "api_review_t": 200, "api_submit": 400},
    "other_county": NONE | {"list": 200, "reviews": 200},
    "town": FOLLOW,
    "other_town": NONE | {"list": 200},
    "partner": NONE,
    "other_partner": NONE,
    "coordinator": NONE,
    "assessor": NONE | {"reviews": 200, "review_3": 200, "api_application": 200,
                        "api_assign": 403, "api_decide": 403, "api_review_3": 200},
    "other_assessor": NONE | {"reviews": 200},
    "unit_admin": NONE | {"apply": 200, "mine": 200, "minutes": 200, "api_application": 200,
                          "api_assign": 403, "api_decide": 403},
    "other_unit_admin": NONE | {"apply": 200, "mine": 200},
}


@pytest.fixture
def world(office, application, organisation):
    services.assign_reviewers(office, application, staff=[office], organisation=organisation)
    application.refresh_from_db()
    return application


def answer(client, api, channel, application):
    t = application.assignments.get(track=ReviewAssignment.Track.TRIPARTITE)
    p = application.assignments.get(track=ReviewAssignment.Track.THIRD_PARTY)
    if channel == "list":
        return client.get("/recognition/").status_code
    if channel == "detail":
        return client.get(f"/recognition/{application.pk}/").status_code
    if channel == "reviews":
        return client.get("/recognition/reviews/").status_code
    if channel == "review_t":
        return client.get(f"/recognition/reviews/{t.pk}/").status_code
    if channel == "review_3":
        return client.get(f"/recognition/reviews/{p.pk}/").status_code
    if channel == "apply":
        return client.get("/recognition/apply/").status_code
    if channel == "mine":
        return client.get("/recognition/mine/").status_code
    if channel == "minutes":
        return client.get(f"/campaigns/congress/{application.congress_id}/minutes/").status_code
    if channel == "api_application":
        return api.get(f"/api/v1/applications/{application.pk}/").status_code
    if channel == "api_assign":
        return api.post(f"/api/v1/applications/{application.pk}/assign/", {"staff": []},
                        format="json").status_code
    if channel == "api_decide":
        return api.post(f"/api/v1/applications/{application.pk}/decide/",
                        {"passed": True, "reason": "理由"}, format="json").status_code
    if channel == "api_review_t":
        return api.get(f"/api/v1/review-assignments/{t.pk}/").status_code
    if channel == "api_review_3":
        return api.get(f"/api/v1/review-assignments/{p.pk}/").status_code
    if channel == "api_submit":
        return api.post(f"/api/v1/review-assignments/{t.pk}/submit/", {"opinions": []},
                        format="json").status_code
    raise AssertionError(channel)


def make_role(who, unit, organisation):
    from hexie.accounts.roles import Role

    if who == "assessor":
        return make_user(Role.ASSESSOR, organisation=organisation)
    if who == "other_assessor":
        return make_user(Role.ASSESSOR, organisation=make_organisation(XIHU))
    return make(who, unit)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_channel_for_every_role(client, world, unit, office, organisation, who):
    user = office if who == "county" else make_role(who, unit, organisation)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    got = {channel: answer(client, api, channel, world) for channel in CHANNELS}
    assert got == EXPECTED[who]
    # nothing a refused or rejected request did changed the review
    world.refresh_from_db()
    assert world.state == "in_review"
    assert not world.assignments.filter(state="submitted").exists()
