"""/api/v1/applications, appeals and review-assignments: every step through the API, illegal
steps as 400 with the Chinese message and code "illegal_transition", outside the scope 404."""

import pytest
from rest_framework.test import APIClient

from hexie.accounts.roles import Role
from hexie.recognition import services
from hexie.recognition.models import Appeal, Application, ReviewAssignment
from tests.factories import XIHU, make_organisation, make_user

from .conftest import all_opinions, minutes, today

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def opinions_payload(application, **overrides):
    return [{"criterion": cid, "confirmed": overrides.get(cid, (True, ""))[0],
             "comment": overrides.get(cid, (True, ""))[1]} for cid in all_opinions(application)]


def test_the_whole_path_through_the_api(unit, unit_admin, office, year, assessment, reviewer,
                                        organisation, assessor):
    admin_api = api_for(unit_admin)
    created = admin_api.post("/api/v1/applications/", {
        "unit": unit.pk, "year": year, "kind": "workers_congress",
        "held_on": today().isoformat(), "attendance_present": 40, "attendance_total": 45,
        "resolution": "同意申请认定", "minutes": minutes(),
    }, format="multipart")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "submitted" and body["self_assessment"]["meets"] is True
    pk = body["id"]

    office_api = api_for(office)
    illegal = office_api.post(f"/api/v1/applications/{pk}/decide/",
                              {"passed": True, "reason": "理由"}, format="json")
    assert illegal.status_code == 400
    assert illegal.json()["code"] == "illegal_transition"
    assert "当前状态为“已申请，待受理”" in illegal.json()["detail"]

    assigned = office_api.post(f"/api/v1/applications/{pk}/assign/", {
        "staff": [reviewer.pk], "organisation": organisation.pk}, format="json")
    assert assigned.status_code == 201, assigned.json()
    assert [a["track"] for a in assigned.json()] == ["tripartite", "third_party"]
    again = office_api.post(f"/api/v1/applications/{pk}/assign/", {"staff": [reviewer.pk]},
                            format="json")
    assert again.status_code == 400 and again.json()["code"] == "illegal_transition"

    application = Application.objects.get(pk=pk)
    ids = {}
    for user, track in ((reviewer, "tripartite"), (assessor, "third_party")):
        mine = api_for(user).get("/api/v1/review-assignments/").json()
        rows = mine["results"] if isinstance(mine, dict) else mine
        assert [r["track"] for r in rows] == [track]
        ids[track] = rows[0]["id"]
        assert {c["id"] for c in rows[0]["criteria"]} == set(all_opinions(application))
        answer = api_for(user).post(f"/api/v1/review-assignments/{rows[0]['id']}/submit/", {
            "opinions": opinions_payload(application), "site_visit_on": today().isoformat(),
            "site_visit_notes": "现场查看", "recommend_pass": True, "comment": "同意",
        }, format="json")
        assert answer.status_code == 200, answer.json()
        assert answer.json()["state"] == "submitted"
    twice = api_for(reviewer).post(f"/api/v1/review-assignments/{ids['tripartite']}/submit/", {
        "opinions": opinions_payload(application), "site_visit_on": today().isoformat(),
        "recommend_pass": True}, format="json")
    assert twice.status_code == 400 and twice.json()["code"] == "illegal_transition"

    failed = office_api.post(f"/api/v1/applications/{pk}/decide/",
                             {"passed": False, "reason": "欠薪"}, format="json")
    assert failed.status_code == 200 and failed.json()["state"] == "failed"
    assert failed.json()["conclusion"]["all_confirmed"] is True

    appealed = admin_api.post(f"/api/v1/applications/{pk}/appeal/", {"reason": "已补发"},
                              format="json")
    assert appealed.status_code == 201 and appealed.json()["state"] == "filed"
    appeal_id = appealed.json()["id"]
    no_answer = office_api.post(f"/api/v1/appeals/{appeal_id}/handle/", {"accept": False},
                                format="json")
    assert no_answer.status_code == 400 and no_answer.json()["field"] == "answer"
    handled = office_api.post(f"/api/v1/appeals/{appeal_id}/handle/", {"accept": True},
                              format="json")
    assert handled.status_code == 200 and handled.json()["state"] == "accepted"
    assert Application.objects.get(pk=pk).state == Application.State.APPEALED
    reassigned = office_api.post(f"/api/v1/applications/{pk}/assign/", {"staff": [office.pk]},
                                 format="json")
    assert reassigned.status_code == 201 and reassigned.json()[0]["round"] == 2


def test_refusals_carry_field_and_message(unit, unit_admin, year, assessment):
    response = api_for(unit_admin).post("/api/v1/applications/", {
        "unit": unit.pk, "year": year}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "no_congress" and "四（二）" in response.json()["detail"]
    assert not Application.objects.exists()


def test_the_county_cannot_apply_for_the_unit(unit, office, year, assessment):
    response = api_for(office).post("/api/v1/applications/", {
        "unit": unit.pk, "year": year}, format="multipart")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_outside_the_scope_is_404(application, other_office, in_review, unit_admin):
    other = api_for(other_office)
    assert other.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    assert other.post(f"/api/v1/applications/{application.pk}/assign/", {"staff": []},
                      format="json").status_code == 404
    assert other.post(f"/api/v1/applications/{application.pk}/decide/",
                      {"passed": True, "reason": "x"}, format="json").status_code == 404
    assignment = in_review.assignments.first()
    assert other.get(f"/api/v1/review-assignments/{assignment.pk}/").status_code == 404
    listing = other.get("/api/v1/applications/").json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert rows == []


def test_another_organisations_assessor_sees_nothing(in_review, assessor):
    stranger = api_for(make_user(Role.ASSESSOR, organisation=make_organisation(XIHU)))
    third = in_review.assignments.get(track="third_party")
    assert stranger.get(f"/api/v1/review-assignments/{third.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/applications/{in_review.pk}/").status_code == 404
    assert stranger.post(f"/api/v1/review-assignments/{third.pk}/submit/", {
        "opinions": [], "site_visit_on": today().isoformat()}, format="json").status_code == 404
    own = api_for(assessor)
    assert own.get(f"/api/v1/review-assignments/{third.pk}/").status_code == 200
    tripartite = in_review.assignments.get(track="tripartite")
    assert own.get(f"/api/v1/review-assignments/{tripartite.pk}/").status_code == 404
    assert ReviewAssignment.objects.filter(state="submitted").count() == 0


def test_appeal_outside_scope_404(office, reviewed, unit_admin, other_office):
    services.decide(office, reviewed, False, "欠薪")
    appeal = services.appeal(unit_admin, reviewed, "不服")
    response = api_for(other_office).post(f"/api/v1/appeals/{appeal.pk}/handle/",
                                          {"accept": True}, format="json")
    assert response.status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).state == Appeal.State.FILED
