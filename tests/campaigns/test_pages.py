"""Campaign pages: the county sends letters and follows the progress; the unit sees the letter
on its workbench and pledges with its congress record; another county gets 404 everywhere."""

import datetime

import pytest
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.campaigns import services
from hexie.campaigns.models import CampaignYear, InitiativeLetter, LetterDelivery, Pledge
from hexie.core.models import AuditEvent
from tests.factories import XIHU, XIHU_TOWN, XIHU_TOWN_2, UnitFactory, make_user

from .conftest import PDF, congress, day, minutes

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def pledged(unit_admin, unit, campaign, year):
    return services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                           congress=congress(day(year, 3, 1)))


def test_county_office_opens_a_campaign_from_the_page(client, office):
    login(client, office)
    this_year = timezone.localdate().year
    response = client.post("/campaigns/", {"year": this_year})
    campaign = CampaignYear.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert (campaign.region_id, campaign.year) == (XIHU, this_year)
    again = client.post("/campaigns/", {"year": this_year})
    assert again.status_code == 200
    assert "已开启" in again.content.decode()


def test_send_form_delivers_and_shows_the_progress_bar(client, office, campaign, unit,
                                                       django_capture_on_commit_callbacks):
    UnitFactory(region_id=XIHU_TOWN_2)
    login(client, office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/campaigns/{campaign.pk}/",
                               {"title": "倡议书", "body": "请积极参加创建。"})
    assert response.status_code == 302
    letter = InitiativeLetter.objects.get()
    assert LetterDelivery.objects.filter(letter=letter).count() == 2
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="letter-progress"' in page
    assert "2 / 2" in page and "100%" in page
    assert "every 1s" not in page  # a finished letter stops polling


def test_progress_fragment_polls_while_sending(client, office, campaign, unit,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        letter = services.send_initiative(office, campaign, title="倡议书", body="正文")
    login(client, office)
    fragment = client.get(f"/campaigns/letters/{letter.pk}/progress/",
                          HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" in fragment
    assert "0 / 1" in fragment


def test_send_form_shows_the_services_refusal_on_the_field(client, office, campaign, unit):
    login(client, office)
    response = client.post(f"/campaigns/{campaign.pk}/",
                           {"title": "倡议书", "body": "正文", "kinds": ["town"]})
    assert response.status_code == 200
    assert "发送范围内没有创建单位" in response.content.decode()
    assert not InitiativeLetter.objects.exists()


def test_workbench_shows_the_letter_and_the_unit_signs_it(
    client, office, campaign, unit, unit_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_initiative(office, campaign, title="致西湖区用人单位的倡议书",
                                 body="请积极参加创建。")
    delivery = LetterDelivery.objects.get(unit=unit)
    login(client, unit_admin)
    home = client.get("/").content.decode()
    assert "致西湖区用人单位的倡议书" in home
    assert "未签收" in home
    assert client.get(f"/campaigns/inbox/{delivery.pk}/").status_code == 200
    assert client.post(f"/campaigns/inbox/{delivery.pk}/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    assert "已签收" in client.get("/").content.decode()


def test_pledge_form_with_the_congress_upload(client, unit_admin, unit, campaign, year):
    login(client, unit_admin)
    assert client.get("/campaigns/pledge/").status_code == 200
    response = client.post("/campaigns/pledge/", {
        "unit": unit.pk, "year": year, "pledged_on": f"{year}-03-10",
        "kind": "workers_representative_congress", "held_on": f"{year}-03-01",
        "attendance_present": 30, "attendance_total": 45, "resolution": "一致同意参加创建。",
        "minutes": minutes("会议记录.pdf", PDF),
    })
    assert response.status_code == 302
    made = Pledge.objects.get()
    assert made.congress.minutes_name == "会议记录.pdf"
    assert "已提交" in client.get("/").content.decode()


@pytest.mark.parametrize("changes,error", [
    ({"held_on": "{y}-03-11"}, "晚于承诺日期"),
    ({"attendance_present": 29}, "未达到法定人数"),
    ({"minutes": ("minutes.exe", b"MZ")}, "只接受 PDF 或图片"),
])
def test_pledge_form_shows_the_reason_of_a_refusal(client, unit_admin, unit, campaign, year,
                                                   changes, error):
    login(client, unit_admin)
    data = {"unit": unit.pk, "year": year, "pledged_on": f"{year}-03-10",
            "kind": "workers_representative_congress", "held_on": f"{year}-03-01",
            "attendance_present": 30, "attendance_total": 45, "resolution": "同意。",
            "minutes": minutes()}
    for key, value in changes.items():
        data[key] = minutes(*value) if key == "minutes" else (
            value.format(y=year) if isinstance(value, str) else value)
    response = client.post("/campaigns/pledge/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Pledge.objects.exists()


def test_plan_page_counts_and_assigns(client, office, pledged, year):
    login(client, office)
    page = client.get(f"/campaigns/{pledged.campaign_id}/plan/")
    assert page.status_code == 200
    assert page.context["counts"]["total"] == 1
    by_town = page.context["counts"]["by_town"]
    assert by_town == [(XIHU_TOWN, "北山街道", 1)]
    response = client.post(f"/campaigns/pledges/{pledged.pk}/cultivation/",
                           {"cultivation_class": "key", "target_year": year + 1})
    assert response.status_code == 302
    counts = client.get(f"/campaigns/{pledged.campaign_id}/plan/").context["counts"]
    assert ("key", "重点培育", 1) in counts["by_class"]
    assert ("enterprise", "企业", 1) in counts["by_kind"]


def test_minutes_are_served_only_inside_the_scope(client, office, other_office, pledged):
    login(client, office)
    response = client.get(f"/campaigns/congress/{pledged.congress_id}/minutes/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    login(client, other_office)
    assert client.get(f"/campaigns/congress/{pledged.congress_id}/minutes/").status_code == 404


def test_another_county_gets_404_on_every_page(client, office, other_office, campaign, pledged,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.send_initiative(office, campaign, title="倡议书", body="正文")
    delivery = LetterDelivery.objects.get(letter=letter)
    login(client, other_office)
    for url in (f"/campaigns/{campaign.pk}/", f"/campaigns/{campaign.pk}/plan/",
                f"/campaigns/letters/{letter.pk}/progress/",
                f"/campaigns/inbox/{delivery.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/campaigns/{campaign.pk}/",
                       {"title": "x", "body": "y"}).status_code == 404
    assert client.post(f"/campaigns/pledges/{pledged.pk}/cultivation/",
                       {"cultivation_class": "key",
                        "target_year": pledged.year}).status_code == 404
    assert InitiativeLetter.objects.count() == 1
    assert not AuditEvent.objects.filter(action="campaigns.assign_cultivation").exists()


def test_unit_admin_has_no_county_pages_and_office_has_no_pledge_form(client, unit_admin,
                                                                      office, campaign):
    login(client, unit_admin)
    assert client.get("/campaigns/").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 404
    login(client, office)
    assert client.get("/campaigns/pledge/").status_code == 404


def test_a_town_office_sees_the_plan_of_its_town_only(client, office, campaign, pledged, year):
    neighbour = UnitFactory(region_id=XIHU_TOWN_2)
    services.pledge(make_user(Role.UNIT_ADMIN, unit=neighbour), neighbour, year=year,
                    pledged_on=day(year, 3, 10), congress=congress(day(year, 3, 1)))
    town = make_user(Role.TOWN_OFFICE, region=XIHU_TOWN)
    login(client, town)
    page = client.get(f"/campaigns/{campaign.pk}/plan/")
    assert page.status_code == 200
    assert page.context["counts"]["total"] == 1
    assert not page.context["can_cultivate"]
    assert client.post(f"/campaigns/{campaign.pk}/", {"title": "x", "body": "y"}).status_code \
        == 403


def test_send_late_shows_a_warning(client, office, campaign, unit, year):
    login(client, office)
    # The campaign year is last year, so today lies outside its first quarter.
    response = client.post(f"/campaigns/{campaign.pk}/", {"title": "倡议书", "body": "正文"},
                           follow=True)
    assert "逾期" in response.content.decode()
    assert InitiativeLetter.objects.get().late is True
    assert datetime.date.today().year > year


def test_plan_page_query_count_does_not_grow_with_the_pledges(client, office, campaign, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def pledge_one():
        unit = UnitFactory(region_id=XIHU_TOWN_2)
        made = services.pledge(make_user(Role.UNIT_ADMIN, unit=unit), unit, year=year,
                               pledged_on=day(year, 3, 10), congress=congress(day(year, 3, 1)))
        services.assign_cultivation(office, made, cultivation_class="regular",
                                    target_year=year + 1)

    pledge_one()
    login(client, office)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/campaigns/{campaign.pk}/plan/").status_code == 200
    for _ in range(5):
        pledge_one()
    with CaptureQueriesContext(connection) as six:
        response = client.get(f"/campaigns/{campaign.pk}/plan/")
    assert response.context["counts"]["total"] == 6
    assert len(six) == len(one)
