"""The publicity API under /api/v1/: the same steps as the pages, every refusal as
{"detail", "field", "code"} in Chinese, 404 outside the scope."""

import pytest
from rest_framework.test import APIClient

from hexie.publicity import services
from hexie.publicity.models import Objection, PublicNotice, PublishedList
from hexie.recognition.models import Recognition
from tests.factories import XIHU, XIHU_TOWN, UnitFactory

from .conftest import days, make_recognition

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_whole_path_through_the_api(office, recognition, second, year, today):
    client = api(office)
    opened = client.post("/api/v1/notices/", {
        "year": year, "recognitions": [recognition.pk, second.pk], "title": "认定公示",
        "starts_on": (today - days(7)).isoformat()}, format="json")
    assert opened.status_code == 201, opened.data
    assert opened.data["region_code"] == XIHU and len(opened.data["recognitions"]) == 2
    notice_id = opened.data["id"]
    assert client.get("/api/v1/notices/").data["results"][0]["id"] == notice_id
    recorded = client.post("/api/v1/objections/", {
        "notice": notice_id, "recognition": recognition.pk,
        "received_on": opened.data["ends_on"], "channel": "email", "content": "异议",
        "contact": "a@example.cn"}, format="json")
    assert recorded.status_code == 201, recorded.data
    assert recorded.data["contact"] == "a@example.cn"
    early = client.post(f"/api/v1/notices/{notice_id}/close/")
    assert early.status_code == 400 and early.data["code"] == "objections_unhandled"
    handled = client.post(f"/api/v1/objections/{recorded.data['id']}/handle/", {
        "upheld": True, "finding": "查实。", "answer": "成立。"}, format="json")
    assert handled.status_code == 200 and handled.data["state"] == "upheld"
    closed = client.post(f"/api/v1/notices/{notice_id}/close/")
    assert closed.status_code == 200 and closed.data["state"] == "closed"
    published = client.post("/api/v1/published-lists/", {"year": year, "title": "名单"},
                            format="json")
    assert published.status_code == 201, published.data
    assert published.data["entry_count"] == 1
    again = client.post("/api/v1/published-lists/", {"year": year, "title": "名单"},
                        format="json")
    assert again.status_code == 400
    assert again.data["code"] == "already_published" and again.data["field"] == "year"
    recognition.refresh_from_db()
    second.refresh_from_db()
    assert (recognition.state, second.state) == (Recognition.State.REMOVED,
                                                 Recognition.State.PUBLISHED)


def test_refusals_are_detail_field_code(office, recognition, year, today):
    client = api(office)
    missing = client.post("/api/v1/notices/", {"title": "公示"}, format="json")
    assert missing.status_code == 400
    assert set(missing.data) == {"detail", "field", "code", "errors"}
    assert missing.data["field"] == "year" and list(missing.data["errors"]) == ["year"]
    blank = client.post("/api/v1/notices/", {"year": year, "title": ""}, format="json")
    assert blank.data == {"detail": "请填写公示标题。", "field": "title", "code": "invalid",
                          "errors": {"title": ["请填写公示标题。"]}}
    bad_ids = client.post("/api/v1/notices/", {"year": year, "title": "公示",
                                               "recognitions": ["x"]}, format="json")
    assert bad_ids.status_code == 400 and bad_ids.data["field"] == "recognitions"
    opened = client.post("/api/v1/notices/", {"year": year, "title": "公示"}, format="json")
    late = client.post("/api/v1/objections/", {
        "notice": opened.data["id"], "recognition": recognition.pk,
        "received_on": (today + days(1)).isoformat(), "channel": "letter", "content": "异议"},
        format="json")
    assert late.status_code == 400 and late.data["field"] == "received_on"
    assert not Objection.objects.exists()


def test_read_only_offices_get_403_and_others_404(office, city_office, other_office,
                                                  recognition, year):
    notice = api(office).post("/api/v1/notices/", {"year": year, "title": "公示"},
                              format="json").data
    city = api(city_office)
    assert city.get(f"/api/v1/notices/{notice['id']}/").status_code == 200
    refused = city.post(f"/api/v1/notices/{notice['id']}/close/")
    assert refused.status_code == 403 and refused.data["code"] == "permission_denied"
    created = city.post("/api/v1/notices/", {"region_code": XIHU, "year": year,
                                             "title": "公示"}, format="json")
    assert created.status_code == 403
    other = api(other_office)
    assert other.get(f"/api/v1/notices/{notice['id']}/").status_code == 404
    assert other.post(f"/api/v1/notices/{notice['id']}/close/").status_code == 404
    assert other.get("/api/v1/notices/").data["results"] == []
    assert PublicNotice.objects.count() == 1 and not PublishedList.objects.exists()


def test_anonymous_gets_no_office_api(db):
    client = APIClient()
    for url in ("/api/v1/notices/", "/api/v1/objections/", "/api/v1/published-lists/"):
        assert client.get(url).status_code in (401, 403)


def test_notice_list_queries_do_not_grow(office, recognition, second, year,
                                         django_assert_max_num_queries):
    services.open_notice(office, XIHU, year, [recognition.pk], title="公示一")
    services.open_notice(office, XIHU, year, [second.pk], title="公示二")
    other = make_recognition(UnitFactory(region_id=XIHU_TOWN), year)
    services.open_notice(office, XIHU, year, [other.pk], title="公示三")
    client = api(office)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/notices/")
    assert [n["title"] for n in response.data["results"]] == ["公示三", "公示二", "公示一"]
