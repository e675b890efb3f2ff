"""Office pages of publicity: the county works the whole path through its forms (errors next to
the field, in Chinese); offices above read; the workbench shows the county's to-dos; the
reminder provider names the notices about to close."""

import datetime

import pytest

from hexie.core import worklist
from hexie.notifications import policy as reminder_policy
from hexie.notifications import reminders
from hexie.publicity import services
from hexie.publicity.models import Objection, PublicNotice, PublishedList
from hexie.publicity.reminders import notice_deadlines
from hexie.publicity.worklist import publicity_todos
from hexie.recognition.models import Recognition
from tests.factories import XIHU

from .conftest import days, open_past_notice

pytestmark = pytest.mark.django_db
State = Recognition.State


def test_county_works_the_whole_path_through_the_pages(client, office, recognition, second,
                                                       year, today):
    client.force_login(office)
    page = client.get(f"/publicity/?year={year}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="notice-form"' in body and 'data-testid="publish-form"' in body
    assert "西湖和谐科技有限公司" in body
    start = today - days(7)
    response = client.post(f"/publicity/?year={year}", {
        "action": "notice", "year": year, "region": XIHU, "title": "认定公示", "body": "说明",
        "starts_on": start.isoformat(), "recognitions": [str(recognition.pk), str(second.pk)]})
    notice = PublicNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/publicity/notices/{notice.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="objection-form"' in detail and "认定公示" in detail
    late = client.post(response["Location"], {
        "recognition": str(recognition.pk), "received_on": (notice.ends_on + days(1)).isoformat(),
        "channel": "letter", "content": "异议内容"})
    assert late.status_code == 200
    assert "不在公示期" in late.content.decode() and 'data-testid="error-received_on"' in (
        late.content.decode())
    made = client.post(response["Location"], {
        "recognition": str(recognition.pk), "received_on": notice.ends_on.isoformat(),
        "channel": "letter", "content": "拖欠工资", "contact": "张先生 138"})
    objection = Objection.objects.get()
    assert made["Location"] == f"/publicity/objections/{objection.pk}/"
    handle_page = client.get(made["Location"]).content.decode()
    assert "张先生 138" in handle_page and 'data-testid="handle-form"' in handle_page
    missing = client.post(made["Location"], {"upheld": "1", "finding": "", "answer": "成立"})
    assert "核查情况" in missing.content.decode()
    client.post(made["Location"], {"upheld": "1", "finding": "查实拖欠。", "answer": "成立"})
    recognition.refresh_from_db()
    assert recognition.state == State.REMOVED
    client.post(f"/publicity/notices/{notice.pk}/close/")
    second.refresh_from_db()
    assert second.state == State.CONFIRMED
    published = client.post(f"/publicity/?year={year}", {
        "action": "publish", "year": year, "region": XIHU, "title": f"{year} 年度名单"})
    listed = PublishedList.objects.get()
    assert published["Location"] == f"/publicity/lists/{listed.pk}/"
    entries = client.get(published["Location"]).content.decode()
    assert "西湖第二制造有限公司" in entries and "西湖和谐科技有限公司" not in entries


def test_refusals_show_on_the_form(client, office, recognition, year):
    client.force_login(office)
    services.open_notice(office, XIHU, year, title="公示")
    response = client.post(f"/publicity/?year={year}", {
        "action": "publish", "year": year, "region": XIHU, "title": "名单"})
    assert response.status_code == 200
    assert "在公示中" in response.content.decode()
    assert not PublishedList.objects.exists()


def test_close_too_early_is_a_message(client, office, recognition, year):
    client.force_login(office)
    notice = services.open_notice(office, XIHU, year, title="公示")
    response = client.post(f"/publicity/notices/{notice.pk}/close/", follow=True)
    assert "期满后方可结束公示" in response.content.decode()
    notice.refresh_from_db()
    assert notice.state == PublicNotice.State.OPEN


def test_city_office_reads_without_forms(client, city_office, office, recognition, year):
    notice = services.open_notice(office, XIHU, year, title="公示")
    made = services.record_objection(office, notice, recognition, received_on=notice.starts_on,
                                     channel="letter", content="异议", contact="联系人电话")
    client.force_login(city_office)
    summary = client.get(f"/publicity/?year={year}").content.decode()
    assert "西湖区" in summary and 'data-testid="notice-form"' not in summary
    page = client.get(f"/publicity/?year={year}&region={XIHU}").content.decode()
    assert "本页为只读" in page and 'data-testid="publish-form"' not in page
    detail = client.get(f"/publicity/notices/{notice.pk}/").content.decode()
    assert 'data-testid="close-form"' not in detail and 'data-testid="objection-form"' not in detail
    objection_page = client.get(f"/publicity/objections/{made.pk}/").content.decode()
    assert "异议" in objection_page and "联系人电话" not in objection_page
    assert client.post(f"/publicity/objections/{made.pk}/", {
        "upheld": "0", "answer": "不成立"}).status_code == 403
    assert client.get(f"/publicity/?year={year}&region=330402").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, db):
    for url in ("/publicity/", "/publicity/notices/", "/publicity/objections/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_nav_links(client, office, unit_admin):
    client.force_login(office)
    body = client.get("/publicity/").content.decode()
    assert 'href="/publicity/"' in body and 'href="/public/"' in body
    client.force_login(unit_admin)
    body = client.get("/").content.decode()
    assert 'href="/publicity/"' not in body and 'href="/public/"' in body


def test_bad_year_falls_back_to_this_year(client, office, today):
    client.force_login(office)
    response = client.get("/publicity/?year=abc")
    assert response.status_code == 200 and response.context["year"] == today.year


# --- workbench and reminders ---------------------------------------------------------------

def todos(user):
    return {t.key: t for t in publicity_todos(user)}


def test_county_todos(office, recognition, second, year, today, city_office):
    assert todos(office)["publicity.to_notice"].count == 2
    notice = open_past_notice(office, year, [recognition.pk])
    services.record_objection(office, notice, recognition, received_on=notice.starts_on,
                              channel="letter", content="异议")
    got = todos(office)
    assert got["publicity.to_notice"].count == 1
    assert (got["publicity.objections"].count, got["publicity.objections"].due) == (
        1, notice.ends_on)
    closing = got["publicity.notices_to_close"]
    assert (closing.count, closing.due, closing.overdue) == (1, notice.ends_on, True)
    assert closing.url == "/publicity/notices/?state=open"
    assert "publicity.to_publish" not in got
    services.handle_objection(office, Objection.objects.get(), upheld=False, finding="",
                              answer="不成立")
    services.close_notice(office, notice)
    got = todos(office)
    assert got["publicity.to_publish"].count == 1
    assert got["publicity.to_publish"].url == f"/publicity/?year={year}#publish"
    assert "publicity.notices_to_close" not in got and "publicity.objections" not in got
    assert todos(city_office) == {}
    assert publicity_todos in worklist.PROVIDERS
    services.publish_list(office, XIHU, year, "名单")
    assert todos(office) == {}


def test_a_running_notice_is_not_yet_to_close(office, recognition, year, today):
    notice = services.open_notice(office, XIHU, year, title="公示")
    assert notice.ends_on >= today
    assert "publicity.notices_to_close" not in todos(office)


def test_reminders_of_notices_about_to_close(office, other_office, recognition, second, year,
                                             today):
    lead = max(reminder_policy.current().reminder_lead_days)
    inside = services.open_notice(office, XIHU, year, [recognition.pk],
                                  starts_on=today - days(6) + days(lead), title="到期公示")
    assert inside.ends_on == today + days(lead)
    outside = services.open_notice(office, XIHU, year, [second.pk],
                                   starts_on=today - days(5) + days(lead), title="较晚公示")
    assert outside.ends_on == today + days(lead + 1)
    deadlines = list(notice_deadlines(today))
    assert [d.key for d in deadlines] == [f"notice-ends:{inside.pk}"]
    deadline = deadlines[0]
    assert deadline.due_on == inside.ends_on
    assert list(deadline.recipients) == [office]
    assert "到期公示" in deadline.title and deadline.url == f"/publicity/notices/{inside.pk}/"
    assert [d.key for d in notice_deadlines(today + datetime.timedelta(days=1))] == [
        f"notice-ends:{inside.pk}", f"notice-ends:{outside.pk}"]
    assert [d.key for d in notice_deadlines(inside.ends_on + days(1))] == [
        f"notice-ends:{outside.pk}"]
    assert notice_deadlines in reminders.PROVIDERS


def test_closed_and_past_notices_send_no_reminder(office, recognition, year, today):
    notice = open_past_notice(office, year)
    assert list(notice_deadlines(today)) == []
    services.close_notice(office, notice)
    assert list(notice_deadlines(notice.ends_on)) == []
