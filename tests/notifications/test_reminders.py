"""The daily reminder job: each deadline is reminded once on each lead day of the recognition
policy (3 and 1 days before), never on the days around them, never once it is past, and a
second run sends nothing again. Also the campaign's own deadline, the pledge window."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.campaigns import policy as campaign_policy
from hexie.campaigns import services as campaigns
from hexie.campaigns.reminders import pledge_window
from hexie.notifications import policy as reminder_policy
from hexie.notifications import reminders, tasks
from hexie.notifications.models import Notification, ReminderSent
from tests.campaigns.conftest import congress
from tests.factories import NANHU, NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 5, 20)


@pytest.fixture
def provider(alice, monkeypatch):
    """Only a test provider with one deadline due on DUE for alice."""
    def deadlines(today):
        return [reminders.Deadline(key="test-due:1", due_on=DUE, recipients=[alice],
                                   title="测试任务将于 2026-05-20 截止", url="/x/")]
    monkeypatch.setattr(reminders, "PROVIDERS", [deadlines])
    return deadlines


def test_lead_days_come_from_the_reminder_policy():
    assert reminders.lead_days() == tuple(sorted(
        reminder_policy.current().reminder_lead_days, reverse=True))
    assert reminders.lead_days() == (3, 1)


@pytest.mark.parametrize(("days_before", "sent"), [
    (4, False), (3, True), (2, False), (1, True), (0, False), (-1, False), (-3, False),
])
def test_reminded_on_lead_days_only(provider, alice, days_before, sent, mailoutbox,
                                    django_capture_on_commit_callbacks):
    today = DUE - datetime.timedelta(days=days_before)
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders.send_due(today)
    assert result.sent == int(sent)
    assert Notification.objects.filter(recipient=alice, kind="reminder").count() == int(sent)
    assert len(mailoutbox) == int(sent)
    keys = list(ReminderSent.objects.values_list("key", flat=True))
    assert keys == ([f"test-due:1:{days_before}d"] if sent else [])


def test_running_twice_sends_once(provider, alice):
    today = DUE - datetime.timedelta(days=3)
    first = reminders.send_due(today)
    second = reminders.send_due(today)
    assert (first.sent, first.messages, first.skipped) == (1, 1, 0)
    assert (second.sent, second.messages, second.skipped) == (0, 0, 1)
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_each_lead_day_once_over_the_whole_period(provider, alice):
    day = DUE - datetime.timedelta(days=6)
    while day <= DUE + datetime.timedelta(days=3):
        reminders.send_due(day)
        reminders.send_due(day)
        day += datetime.timedelta(days=1)
    assert sorted(ReminderSent.objects.values_list("key", flat=True)) == [
        "test-due:1:1d", "test-due:1:3d"]
    assert Notification.objects.filter(recipient=alice).count() == 2


def test_command_with_a_date(provider, alice):
    out = io.StringIO()
    call_command("reminders", "--date", "2026-05-17", stdout=out)
    assert "发送提醒 1 条" in out.getvalue()
    call_command("reminders", "--date", "2026-05-17", stdout=out)
    assert "已发送过 1 条" in out.getvalue()
    assert Notification.objects.filter(recipient=alice).count() == 1
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reminders", "--date", "17.05.2026")


def test_celery_task_and_its_daily_schedule(provider, alice):
    assert tasks.send_reminders.delay("2026-05-19").get() == {
        "date": "2026-05-19", "sent": 1, "messages": 1, "skipped": 0}
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]
    assert entry["task"] == tasks.send_reminders.name
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}


def test_the_campaign_provider_is_registered():
    assert pledge_window in reminders.PROVIDERS


# --- the pledge window -----------------------------------------------------------------------

@pytest.fixture
def window(django_capture_on_commit_callbacks):
    """Last year's 西湖区 campaign: its letter reached WAITING and PLEDGED (who pledged);
    南湖区 opened its campaign but sent no letter to OTHER."""
    year = timezone.localdate().year - 1
    office = make_user(Role.COUNTY_OFFICE, region=XIHU)
    waiting, pledged = UnitFactory(region_id=XIHU_TOWN), UnitFactory(region_id=XIHU_TOWN)
    other = UnitFactory(region_id=NANHU_TOWN)
    admins = {name: make_user(Role.UNIT_ADMIN, unit=u)
              for name, u in (("waiting", waiting), ("pledged", pledged), ("other", other))}
    campaign = campaigns.open_campaign(office, XIHU, year)
    campaigns.open_campaign(make_user(Role.COUNTY_OFFICE, region=NANHU), NANHU, year)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.send_initiative(office, campaign, title="倡议书", body="正文",
                                  now=datetime.datetime(year, 1, 10, 9, tzinfo=datetime.UTC))
    campaigns.pledge(admins["pledged"], pledged, year=year,
                     pledged_on=datetime.date(year, 3, 2),
                     congress=congress(datetime.date(year, 3, 1)))
    _, ends = campaign_policy.current().initiative_window(year)
    return {"year": year, "ends": ends, "campaign": campaign, "admins": admins,
            "waiting": waiting}


def _reminded(user):
    return list(Notification.objects.filter(recipient=user, kind="reminder")
                .values_list("title", flat=True))


@pytest.mark.parametrize(("days_before", "sent"), [
    (4, False), (3, True), (2, False), (1, True), (0, False), (-1, False),
])
def test_pledge_window_reminds_units_with_a_letter_and_no_pledge(window, days_before, sent):
    ends, year, admins = window["ends"], window["year"], window["admins"]
    assert ends == datetime.date(year, 3, 31)  # the first quarter (campaign policy)
    reminders.send_due(ends - datetime.timedelta(days=days_before))
    expected = [f"{year} 年度创建承诺书请于 {ends:%Y-%m-%d} 前提交"] if sent else []
    assert _reminded(admins["waiting"]) == expected
    assert _reminded(admins["pledged"]) == []
    assert _reminded(admins["other"]) == []  # 南湖区 sent no letter


def test_pledge_window_deadline_names_the_campaign_and_the_rule(window):
    deadlines = {d.key: d for d in pledge_window(window["ends"] - datetime.timedelta(days=3))}
    assert len(deadlines) == 2  # both counties' campaigns of the year
    ours = deadlines[f"pledge-window:{window['campaign'].pk}"]
    assert ours.due_on == window["ends"]
    assert ours.url == "/campaigns/pledge/"
    assert "浙人社发〔2023〕17号 四（一）" in ours.body and "杭州市西湖区" in ours.body
    assert list(ours.recipients) == [window["admins"]["waiting"]]


def test_pledging_between_the_reminders_stops_the_second(window):
    ends, year, admins = window["ends"], window["year"], window["admins"]
    reminders.send_due(ends - datetime.timedelta(days=3))
    campaigns.pledge(admins["waiting"], window["waiting"], year=year,
                     pledged_on=datetime.date(year, 3, 29),
                     congress=congress(datetime.date(year, 3, 28)))
    reminders.send_due(ends - datetime.timedelta(days=1))
    assert len(_reminded(admins["waiting"])) == 1
    assert ReminderSent.objects.filter(key__endswith=":1d").exists()  # sent, to nobody


def test_pledge_window_outside_the_lead_time_asks_nothing(window, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert pledge_window(window["ends"] - datetime.timedelta(days=10)) == []
        assert pledge_window(window["ends"] + datetime.timedelta(days=1)) == []


def test_a_long_deadline_key_keeps_its_lead_day():
    long_key = "x" * 200
    three, one = reminders.sent_key(long_key, 3), reminders.sent_key(long_key, 1)
    assert three != one and three.endswith(":3d") and one.endswith(":1d")
    assert len(three) <= 120 and reminders.sent_key("review-due:42", 3) == "review-due:42:3d"
