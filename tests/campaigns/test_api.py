"""The campaign API under /api/v1/: the same steps as the pages, refusals in Chinese, and 404
outside the scope."""

import pytest
from rest_framework.test import APIClient

from hexie.campaigns import services
from hexie.campaigns.models import CampaignYear, InitiativeLetter, LetterDelivery, Pledge
from tests.factories import XIHU

from .conftest import PDF, congress, day, minutes

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def pledge_data(unit, year, **overrides):
    data = {"unit": unit.pk, "year": year, "pledged_on": f"{year}-03-10",
            "kind": "workers_representative_congress", "held_on": f"{year}-03-01",
            "attendance_present": 30, "attendance_total": 45, "resolution": "同意参加创建。",
            "minutes": minutes("minutes.pdf", PDF)}
    return data | overrides


def test_open_send_and_follow_the_progress(office, unit, year, django_capture_on_commit_callbacks):
    client = api(office)
    opened = client.post("/api/v1/campaigns/", {"year": year}, format="json")
    assert opened.status_code == 201, opened.data
    assert opened.data["region_code"] == XIHU
    duplicate = client.post("/api/v1/campaigns/", {"year": year}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.data["field"] == "year" and "已开启" in duplicate.data["detail"]
    campaign_id = opened.data["id"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/api/v1/campaigns/{campaign_id}/letters/",
                           {"title": "倡议书", "body": "正文"}, format="json")
    assert sent.status_code == 202, sent.data
    progress = client.get(f"/api/v1/letters/{sent.data['id']}/")
    assert (progress.data["status"], progress.data["delivered_count"],
            progress.data["progress_percent"]) == ("sent", 1, 100)
    plan = client.get(f"/api/v1/campaigns/{campaign_id}/plan/")
    assert plan.status_code == 200 and plan.data["total"] == 0


def test_send_refusal_is_chinese_and_names_the_field(office, campaign, unit):
    response = api(office).post(f"/api/v1/campaigns/{campaign.pk}/letters/",
                                {"title": "", "body": "正文"}, format="json")
    assert response.status_code == 400
    assert response.data == {"detail": "请填写倡议书标题。", "code": "invalid", "field": "title",
                             "errors": {"title": ["请填写倡议书标题。"]}}


def test_unit_admin_reads_and_pledges_through_the_api(office, unit_admin, unit, campaign, year,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_initiative(office, campaign, title="倡议书", body="正文")
    client = api(unit_admin)
    inbox = client.get("/api/v1/deliveries/")
    assert [d["title"] for d in inbox.data["results"]] == ["倡议书"]
    read = client.post(f"/api/v1/deliveries/{inbox.data['results'][0]['id']}/read/")
    assert read.status_code == 200 and read.data["read_at"]
    made = client.post("/api/v1/pledges/", pledge_data(unit, year), format="multipart")
    assert made.status_code == 201, made.data
    assert made.data["congress"]["attendance_present"] == 30
    again = client.post("/api/v1/pledges/", pledge_data(unit, year), format="multipart")
    assert again.status_code == 400 and "每年只能承诺一次" in again.data["detail"]


@pytest.mark.parametrize("overrides,field,code", [
    ({"held_on": "{y}-03-11"}, "held_on", "congress_after_pledge"),
    ({"attendance_present": 29}, "attendance_present", "no_quorum"),
])
def test_pledge_refusals_through_the_api(unit_admin, unit, campaign, year, overrides, field,
                                         code):
    data = pledge_data(unit, year, **{k: v.format(y=year) if isinstance(v, str) else v
                                      for k, v in overrides.items()})
    response = api(unit_admin).post("/api/v1/pledges/", data, format="multipart")
    assert response.status_code == 400
    assert (response.data["field"], response.data["code"]) == (field, code)
    assert not Pledge.objects.exists()


def test_pledge_without_congress_through_the_api(unit_admin, unit, campaign, year):
    response = api(unit_admin).post(
        "/api/v1/pledges/", {"unit": unit.pk, "year": year, "pledged_on": f"{year}-03-10"},
        format="json")
    assert response.status_code == 400
    assert response.data["code"] == "no_congress"
    assert "职工大会或职工代表大会" in response.data["detail"]


def test_office_cannot_pledge_for_a_unit(office, unit, campaign, year):
    response = api(office).post("/api/v1/pledges/", pledge_data(unit, year), format="multipart")
    assert response.status_code == 403
    assert "本单位经办人" in response.data["detail"]


def test_cultivation_through_the_api(office, unit_admin, unit, campaign, year):
    made = services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                           congress=congress(day(year, 3, 1)))
    response = api(office).post(f"/api/v1/pledges/{made.pk}/cultivation/",
                                {"cultivation_class": "foundation", "target_year": year + 2},
                                format="json")
    assert response.status_code == 200, response.data
    assert response.data["cultivation"] == {"cultivation_class": "foundation",
                                            "target_year": year + 2}
    bad = api(office).post(f"/api/v1/pledges/{made.pk}/cultivation/",
                           {"cultivation_class": "foundation", "target_year": year + 9},
                           format="json")
    assert bad.status_code == 400 and bad.data["field"] == "target_year"


def test_another_county_gets_404_in_the_api(office, other_office, unit_admin, unit, other_unit,
                                            campaign, year, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.send_initiative(office, campaign, title="倡议书", body="正文")
    made = services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                           congress=congress(day(year, 3, 1)))
    delivery = LetterDelivery.objects.get(letter=letter)
    client = api(other_office)
    assert client.get("/api/v1/campaigns/").data["results"] == []
    for url in (f"/api/v1/campaigns/{campaign.pk}/", f"/api/v1/campaigns/{campaign.pk}/plan/",
                f"/api/v1/letters/{letter.pk}/", f"/api/v1/deliveries/{delivery.pk}/",
                f"/api/v1/pledges/{made.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/campaigns/{campaign.pk}/letters/",
                       {"title": "x", "body": "y"}, format="json").status_code == 404
    assert client.post(f"/api/v1/pledges/{made.pk}/cultivation/",
                       {"cultivation_class": "key", "target_year": year},
                       format="json").status_code == 404
    assert client.post("/api/v1/campaigns/", {"year": year, "region_code": XIHU},
                       format="json").status_code == 404
    assert InitiativeLetter.objects.count() == 1
    assert CampaignYear.objects.count() == 1
    # and its own letters reach only its own units
    with django_capture_on_commit_callbacks(execute=True):
        own = services.open_campaign(other_office, "330402", year)
        mine = services.send_initiative(other_office, own, title="倡议书", body="正文")
    assert list(mine.deliveries.values_list("unit_id", flat=True)) == [other_unit.pk]
