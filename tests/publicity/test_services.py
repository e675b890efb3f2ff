"""Publicity services (issue 4 point 6): notice, objections, close, publish. Every guard
refuses with a Chinese reason naming the field (and the rule where there is one), a refused
change writes nothing, each boundary is pinned, every change is audited and notifies."""

import pytest
from django.http import Http404

from hexie.core.audit import verify
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.models import AuditEvent
from hexie.notifications.models import Notification
from hexie.publicity import policy, services
from hexie.publicity.models import Objection, PublicNotice, PublishedEntry, PublishedList
from hexie.recognition.models import Recognition
from tests.factories import NANHU, XIHU, XIHU_TOWN, UnitFactory

from .conftest import days, make_recognition, open_past_notice

pytestmark = pytest.mark.django_db
State = Recognition.State


def events(action):
    return AuditEvent.objects.filter(action=action).order_by("id")


def refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


def notified(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def objection(office, notice, rec, received_on=None, **kwargs):
    kwargs.setdefault("channel", "letter")
    kwargs.setdefault("content", "该单位存在拖欠工资情况。")
    return services.record_objection(office, notice, rec,
                                     received_on=received_on or notice.starts_on, **kwargs)


# --- open_notice ---------------------------------------------------------------------------

def test_open_notice_puts_every_pending_recognition_on_notice(office, recognition, second,
                                                              other_recognition, unit_admin,
                                                              year, today):
    notice = services.open_notice(office, XIHU, year, title="  2025 年度认定公示 ",
                                  body="公示说明")
    refresh(recognition, second, other_recognition)
    period = services.recognition_policy.current().notice_period_days
    assert (notice.starts_on, notice.ends_on) == (today, today + days(period - 1))
    assert notice.title == "2025 年度认定公示"
    assert notice.policy_version == services.recognition_policy.current().version
    assert (recognition.state, second.state) == (State.ON_NOTICE, State.ON_NOTICE)
    assert recognition.notice == second.notice == notice
    assert other_recognition.state == State.PENDING and other_recognition.notice is None
    event = events("publicity.open_notice").get()
    assert event.after["recognitions"] == [recognition.pk, second.pk]
    assert event.region_code == XIHU and event.actor_id == office.pk
    assert notified(unit_admin, "publicity.notice_opened").count() == 1
    message = notified(office, "publicity.notice_opened").get()
    assert message.url == f"/publicity/notices/{notice.pk}/"
    assert verify().ok


def test_period_is_inclusive_of_both_ends(office, recognition, year, today):
    """7 days from a start day end on the sixth day after it (D22)."""
    period = services.recognition_policy.current().notice_period_days
    start = today - days(2)
    notice = services.open_notice(office, XIHU, year, starts_on=start, title="公示")
    assert (notice.ends_on - notice.starts_on).days + 1 == period


def test_open_notice_of_chosen_recognitions_only(office, recognition, second, year):
    services.open_notice(office, XIHU, year, [second.pk], title="公示")
    refresh(recognition, second)
    assert (recognition.state, second.state) == (State.PENDING, State.ON_NOTICE)


def _refused(call, match, field, code=None):
    notices, states = PublicNotice.objects.count(), list(
        Recognition.objects.order_by("pk").values_list("state", flat=True))
    with pytest.raises(DomainError, match=match) as info:
        call()
    assert info.value.field == field
    if code:
        assert info.value.code == code
    assert PublicNotice.objects.count() == notices
    assert list(Recognition.objects.order_by("pk").values_list("state", flat=True)) == states
    return info.value


def test_open_notice_refusals(office, recognition, second, other_recognition, year, today):
    _refused(lambda: services.open_notice(office, XIHU, year, title=""), "公示标题", "title")
    _refused(lambda: services.open_notice(office, XIHU, "abc", title="公示"), "年份", "year")
    _refused(lambda: services.open_notice(office, XIHU, year + 5, title="公示"),
             "没有待公示", "recognitions", "nothing_to_notice")
    error = _refused(lambda: services.open_notice(office, XIHU, year, [other_recognition.pk],
                                                  title="公示"),
                     "不是本县", "recognitions", "not_in_county")
    assert str(other_recognition.pk) in error.message
    period = services.recognition_policy.current().notice_period_days
    _refused(lambda: services.open_notice(office, XIHU, year, starts_on=today - days(period + 1),
                                          title="公示"),
             "最多回溯一个公示期", "starts_on", "too_early")
    services.open_notice(office, XIHU, year, [second.pk], title="公示")
    error = _refused(lambda: services.open_notice(office, XIHU, year, [second.pk],
                                                  title="公示"),
                     "只有待公示的认定单位", "recognitions", "not_pending")
    assert "依据：浙人社发〔2023〕17号 四（三）" in error.message


def test_back_dating_by_one_whole_period_is_allowed(office, recognition, year, today):
    period = services.recognition_policy.current().notice_period_days
    notice = services.open_notice(office, XIHU, year, starts_on=today - days(period),
                                  title="公示")
    assert notice.ends_on == today - days(1)


def test_only_the_county_office_opens_a_notice(recognition, other_office, city_office, year,
                                               unit_admin):
    with pytest.raises(NotPermitted, match="只有本县"):
        services.open_notice(city_office, XIHU, year, title="公示")
    with pytest.raises(Http404):
        services.open_notice(other_office, XIHU, year, title="公示")
    with pytest.raises(Http404):
        services.open_notice(unit_admin, XIHU, year, title="公示")
    assert not PublicNotice.objects.exists()
    recognition.refresh_from_db()
    assert recognition.state == State.PENDING


def test_no_notice_after_the_list_is_published(office, recognition, second, year):
    services.publish_list(office, XIHU, year, "名单")
    late = make_recognition(UnitFactory(region_id=XIHU_TOWN), year)
    _refused(lambda: services.open_notice(office, XIHU, year, [late.pk], title="公示"),
             "名单公布后不能再发布公示", "year", "already_published")


# --- record_objection ----------------------------------------------------------------------

@pytest.fixture
def notice(office, recognition, second, year, today):
    """A notice whose period ended yesterday (still open: not closed)."""
    period = services.recognition_policy.current().notice_period_days
    return services.open_notice(office, XIHU, year, starts_on=today - days(period), title="公示")


def test_objection_on_the_first_and_last_day_of_the_period(office, notice, recognition):
    first = objection(office, notice, recognition, notice.starts_on)
    last = objection(office, notice, recognition, notice.ends_on)
    assert (first.received_on, last.received_on) == (notice.starts_on, notice.ends_on)
    assert first.state == Objection.State.RECEIVED and first.recorded_by == office
    event = events("publicity.record_objection").first()
    assert event.object_id == str(first.pk) and event.region_code == XIHU_TOWN
    assert notified(office, "publicity.objection_recorded").count() == 2


@pytest.mark.parametrize("offset", [-1, 1])
def test_objection_outside_the_period_is_refused(office, notice, recognition, offset):
    received = notice.starts_on - days(1) if offset < 0 else notice.ends_on + days(1)
    with pytest.raises(DomainError, match="公示期") as info:
        objection(office, notice, recognition, received)
    assert info.value.field == "received_on" and info.value.code == "outside_notice_period"
    assert "依据：" in info.value.message
    assert not Objection.objects.exists()
    assert not events("publicity.record_objection").exists()


def test_objection_received_in_the_future_is_refused(office, recognition, year, today):
    notice = services.open_notice(office, XIHU, year, title="公示")
    with pytest.raises(DomainError, match="不能晚于今天") as info:
        objection(office, notice, recognition, today + days(1))
    assert info.value.field == "received_on"
    assert objection(office, notice, recognition, today).received_on == today


def test_objection_content_is_cleaned_and_limited(office, notice, recognition):
    limit = policy.current().content_max_chars
    made = objection(office, notice, recognition, content="  第一行\r\n第二\x00行\x1b[31m\u202e \t",
                     contact="电话\n138\x07")
    assert made.content == "第一行\n第二行[31m"
    assert made.contact == "电话 138"
    exact = objection(office, notice, recognition, content="异" * limit)
    assert len(exact.content) == limit
    with pytest.raises(DomainError, match=f"不能超过 {limit} 个字") as info:
        objection(office, notice, recognition, content="异" * (limit + 1))
    assert info.value.field == "content"
    with pytest.raises(DomainError, match="请填写异议内容") as info:
        objection(office, notice, recognition, content=" \x00\x01 ")
    assert info.value.field == "content"
    assert Objection.objects.count() == 2


def test_objection_refusals(office, notice, recognition, other_recognition, year):
    with pytest.raises(DomainError, match="来源渠道") as info:
        objection(office, notice, recognition, channel="pigeon")
    assert info.value.field == "channel"
    with pytest.raises(DomainError, match="请填写收到日期"):
        services.record_objection(office, notice, recognition, received_on=None,
                                  channel="letter", content="异议")
    with pytest.raises(DomainError, match="不在本次公示名单") as info:
        objection(office, notice, other_recognition)
    assert info.value.field == "recognition"
    unnoticed = make_recognition(UnitFactory(region_id=XIHU_TOWN), year)
    with pytest.raises(DomainError, match="不在本次公示名单"):
        objection(office, notice, unnoticed)
    assert not Objection.objects.exists()


def test_no_objection_against_a_removed_unit_or_a_closed_notice(office, notice, recognition,
                                                                second):
    first = objection(office, notice, recognition)
    services.handle_objection(office, first, upheld=True, finding="查实拖欠工资。",
                              answer="异议成立。")
    with pytest.raises(DomainError, match="只能对公示中的单位") as info:
        objection(office, notice, recognition)
    assert info.value.field == "recognition"
    services.close_notice(office, notice)
    with pytest.raises(DomainError, match="公示已结束") as info:
        objection(office, notice, second)
    assert info.value.code == "notice_closed"
    assert Objection.objects.count() == 1


def test_only_the_county_office_records_objections(notice, recognition, city_office,
                                                   other_office):
    with pytest.raises(NotPermitted):
        objection(city_office, notice, recognition)
    with pytest.raises(Http404):
        objection(other_office, notice, recognition)
    assert not Objection.objects.exists()


# --- handle_objection ----------------------------------------------------------------------

def test_dismissed_objection_keeps_the_unit(office, notice, recognition, unit_admin):
    made = objection(office, notice, recognition)
    done = services.handle_objection(office, made, upheld=False, finding="经核查不属实。",
                                     answer=" 经核查，反映情况不属实。 ")
    recognition.refresh_from_db()
    assert done.state == Objection.State.DISMISSED
    assert (done.answer, done.handled_by) == ("经核查，反映情况不属实。", office)
    assert recognition.state == State.ON_NOTICE
    event = events("publicity.handle_objection").get()
    assert (event.before["state"], event.after["state"]) == ("received", "dismissed")
    assert not events("publicity.remove_recognition").exists()
    message = notified(unit_admin, "publicity.objection_handled").get()
    assert "异议不成立" in message.title


def test_upheld_objection_removes_the_unit(office, notice, recognition, second, unit_admin):
    made = objection(office, notice, recognition)
    services.handle_objection(office, made, upheld=True, finding="查实拖欠工资 3 个月。",
                              answer="异议成立，已撤销认定。")
    refresh(recognition, second)
    assert recognition.state == State.REMOVED
    assert recognition.removed_reason == "查实拖欠工资 3 个月。"
    assert second.state == State.ON_NOTICE
    removal = events("publicity.remove_recognition").get()
    assert (removal.before["state"], removal.after["state"]) == ("on_notice", "removed")
    assert removal.after["objection"] == made.pk
    assert "异议成立" in notified(unit_admin, "publicity.objection_handled").get().title
    assert notified(office, "publicity.objection_handled").count() == 1
    assert verify().ok


def test_two_upheld_objections_remove_the_unit_once(office, notice, recognition):
    a, b = objection(office, notice, recognition), objection(office, notice, recognition)
    services.handle_objection(office, a, upheld=True, finding="查实。", answer="成立。")
    services.handle_objection(office, b, upheld=True, finding="同上。", answer="成立。")
    recognition.refresh_from_db()
    assert recognition.state == State.REMOVED and recognition.removed_reason == "查实。"
    assert events("publicity.remove_recognition").count() == 1


def test_handle_refusals(office, notice, recognition, city_office, other_office):
    made = objection(office, notice, recognition)
    with pytest.raises(DomainError, match="答复") as info:
        services.handle_objection(office, made, upheld=False, finding="", answer="  ")
    assert info.value.field == "answer"
    with pytest.raises(DomainError, match="核查情况") as info:
        services.handle_objection(office, made, upheld=True, finding="", answer="成立。")
    assert info.value.field == "finding"
    with pytest.raises(NotPermitted):
        services.handle_objection(city_office, made, upheld=False, finding="", answer="答复")
    with pytest.raises(Http404):
        services.handle_objection(other_office, made, upheld=False, finding="", answer="答复")
    made.refresh_from_db()
    recognition.refresh_from_db()
    assert made.state == Objection.State.RECEIVED and recognition.state == State.ON_NOTICE
    services.handle_objection(office, made, upheld=False, finding="", answer="不成立。")
    with pytest.raises(DomainError, match="不能处理该异议") as info:
        services.handle_objection(office, made, upheld=True, finding="查实。", answer="成立。")
    assert info.value.code == "illegal_transition"
    recognition.refresh_from_db()
    assert recognition.state == State.ON_NOTICE


# --- close_notice --------------------------------------------------------------------------

def test_close_on_the_last_day_is_refused_and_the_day_after_allowed(office, recognition, year,
                                                                     today, unit_admin):
    running = open_past_notice(office, year, ended_days_ago=0)
    assert running.ends_on == today
    with pytest.raises(DomainError, match="期满后方可结束公示") as info:
        services.close_notice(office, running)
    assert info.value.field == "ends_on" and "依据：" in info.value.message
    running.refresh_from_db()
    assert running.state == PublicNotice.State.OPEN
    PublicNotice.objects.filter(pk=running.pk).update(starts_on=running.starts_on - days(1),
                                                      ends_on=today - days(1))
    running.refresh_from_db()
    closed = services.close_notice(office, running)
    recognition.refresh_from_db()
    assert closed.state == PublicNotice.State.CLOSED and closed.closed_at
    assert recognition.state == State.CONFIRMED
    event = events("publicity.close_notice").get()
    assert event.after["confirmed"] == [recognition.pk]
    assert notified(unit_admin, "publicity.notice_closed").count() == 1
    with pytest.raises(DomainError, match="不能结束公示") as info:
        services.close_notice(office, closed)
    assert info.value.code == "illegal_transition"


def test_close_waits_for_every_objection(office, notice, recognition, second):
    first = objection(office, notice, recognition)
    with pytest.raises(DomainError, match="尚有 1 条异议未处理") as info:
        services.close_notice(office, notice)
    assert info.value.code == "objections_unhandled"
    notice.refresh_from_db()
    assert notice.state == PublicNotice.State.OPEN
    services.handle_objection(office, first, upheld=True, finding="查实。", answer="成立。")
    services.close_notice(office, notice)
    refresh(recognition, second)
    assert (recognition.state, second.state) == (State.REMOVED, State.CONFIRMED)


def test_only_the_county_office_closes(notice, city_office, other_office):
    with pytest.raises(NotPermitted):
        services.close_notice(city_office, notice)
    with pytest.raises(Http404):
        services.close_notice(other_office, notice)
    notice.refresh_from_db()
    assert notice.state == PublicNotice.State.OPEN


# --- publish_list --------------------------------------------------------------------------

def test_publish_confirmed_and_never_noticed_units_not_removed_ones(office, year, unit_admin,
                                                                    recognition, second):
    removed = make_recognition(UnitFactory(region_id=XIHU_TOWN, name="被撤销有限公司"), year)
    notice = open_past_notice(office, year, [recognition.pk, removed.pk])
    made = objection(office, notice, removed)
    services.handle_objection(office, made, upheld=True, finding="查实。", answer="成立。")
    services.close_notice(office, notice)
    published = services.publish_list(office, XIHU, year, f"{year} 年度和谐劳动关系单位名单")
    refresh(recognition, second, removed)
    assert published.entry_count == 2
    assert (recognition.state, second.state, removed.state) == (
        State.PUBLISHED, State.PUBLISHED, State.REMOVED)
    assert recognition.published_list == second.published_list == published
    assert removed.published_list is None
    entries = {e.unit_name: e for e in published.entries.all()}
    assert set(entries) == {"西湖和谐科技有限公司", "西湖第二制造有限公司"}
    entry = entries["西湖和谐科技有限公司"]
    assert (entry.identifier, entry.kind, entry.region_code, entry.region_name) == (
        recognition.unit.credit_code, "enterprise", XIHU_TOWN, "杭州市西湖区北山街道")
    assert entry.year == year
    assert entry.search_text == f"西湖和谐科技有限公司\x1f{recognition.unit.credit_code}"
    event = events("publicity.publish").get()
    assert (event.after["after_notice"], event.after["without_notice"]) == (1, 1)
    assert sorted(event.after["recognitions"]) == sorted([recognition.pk, second.pk])
    assert notified(unit_admin, "publicity.published").count() == 1
    assert notified(office, "publicity.published").count() == 1
    assert verify().ok


def test_the_published_entry_is_a_snapshot(office, recognition, year):
    published = services.publish_list(office, XIHU, year, "名单")
    recognition.unit.name = "改名以后有限公司"
    recognition.unit.save()
    assert published.entries.get().unit_name == "西湖和谐科技有限公司"


def _publish_refused(office, year, match, code):
    with pytest.raises(DomainError, match=match) as info:
        services.publish_list(office, XIHU, year, "名单")
    assert info.value.code == code
    assert not PublishedList.objects.exists() and not PublishedEntry.objects.exists()
    assert not Recognition.objects.filter(state=State.PUBLISHED).exists()


def test_publish_refused_while_on_notice(office, recognition, second, year):
    services.open_notice(office, XIHU, year, [recognition.pk], title="公示")
    _publish_refused(office, year, "尚有 1 个单位在公示中", "notice_open")


def test_publish_refused_with_an_unhandled_objection(office, notice, recognition, year):
    objection(office, notice, recognition)
    # Even when the units are off the notice, an unhandled objection holds the list.
    Recognition.objects.filter(pk=recognition.pk).update(state=State.CONFIRMED)
    Recognition.objects.filter(notice=notice, state=State.ON_NOTICE).update(
        state=State.CONFIRMED)
    _publish_refused(office, year, "尚有 1 条异议未处理", "objections_unhandled")


def test_publish_refused_while_a_notice_is_open(office, recognition, year):
    notice = open_past_notice(office, year)
    made = objection(office, notice, recognition)
    services.handle_objection(office, made, upheld=True, finding="查实。", answer="成立。")
    _publish_refused(office, year, "请先结束公示", "notice_open")


def test_publish_refused_with_nothing_to_publish(office, year):
    _publish_refused(office, year, "没有可公布的认定单位", "nothing_to_publish")


def test_one_list_per_county_and_year(office, recognition, year):
    services.publish_list(office, XIHU, year, "名单")
    with pytest.raises(DomainError, match="每个县（市、区）每年只公布一份名单") as info:
        services.publish_list(office, XIHU, year, "第二份名单")
    assert info.value.code == "already_published" and info.value.field == "year"
    assert PublishedList.objects.count() == 1
    assert events("publicity.publish").count() == 1


def test_publish_refusals_of_role_and_title(office, recognition, city_office, other_office,
                                            year):
    with pytest.raises(DomainError, match="名单标题"):
        services.publish_list(office, XIHU, year, " ")
    with pytest.raises(NotPermitted, match="只有本县"):
        services.publish_list(city_office, XIHU, year, "名单")
    with pytest.raises(Http404):
        services.publish_list(other_office, XIHU, year, "名单")
    with pytest.raises(Http404):
        services.publish_list(office, NANHU, year, "名单")
    assert not PublishedList.objects.exists()
