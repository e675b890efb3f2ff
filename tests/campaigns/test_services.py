"""Campaign services (issue 4, points 1–2): every guard refuses with a Chinese reason naming the
field and the rule, each boundary is pinned, a refused change writes nothing, and every change
is audited."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from hexie.accounts.roles import Role
from hexie.campaigns import policy, services
from hexie.campaigns.models import (
    CampaignYear,
    CongressKind,
    CongressRecord,
    CultivationPlanEntry,
    InitiativeLetter,
    LetterDelivery,
    Pledge,
)
from hexie.core.audit import verify
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.models import AuditEvent
from tests.factories import NANHU, XIHU, XIHU_TOWN, XIHU_TOWN_2, UnitFactory, make_user

from .conftest import JPEG, PNG, congress, day, minutes

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def events(action):
    return AuditEvent.objects.filter(action=action).order_by("id")


def send(office, campaign, when, **kwargs):
    kwargs.setdefault("title", "致全区用人单位的倡议书")
    kwargs.setdefault("body", "积极参加和谐劳动关系创建活动。")
    return services.send_initiative(office, campaign, now=when, **kwargs)


# --- open_campaign ------------------------------------------------------------------------

def test_open_campaign_is_audited(office, year):
    campaign = services.open_campaign(office, XIHU, year)
    assert (campaign.region_id, campaign.year, campaign.opened_by) == (XIHU, year, office)
    assert campaign.policy_version == policy.current().version
    event = events("campaigns.open").get()
    assert (event.object_id, event.region_code, event.actor_id) == (str(campaign.pk), XIHU,
                                                                    office.pk)
    assert verify().ok


def test_open_campaign_twice_is_refused(office, campaign, year):
    with pytest.raises(DomainError, match="已开启") as info:
        services.open_campaign(office, XIHU, year)
    assert info.value.field == "year"
    assert CampaignYear.objects.count() == 1
    assert events("campaigns.open").count() == 1


def test_open_campaign_before_the_seed_took_effect_is_refused(office):
    with pytest.raises(DomainError, match="2023") as info:
        services.open_campaign(office, XIHU, 2022)
    assert info.value.field == "year"
    assert services.open_campaign(office, XIHU, 2023).year == 2023


def test_open_campaign_for_another_county_is_not_found(office):
    with pytest.raises(Http404):
        services.open_campaign(office, NANHU, 2024)
    assert not CampaignYear.objects.exists()


def test_open_campaign_for_a_town_inside_is_refused(office):
    with pytest.raises(NotPermitted, match="本办公室所辖区划"):
        services.open_campaign(office, XIHU_TOWN, 2024)


@pytest.mark.parametrize("role,region", [(Role.CITY_OFFICE, "3301"),
                                         (Role.PROVINCE_OFFICE, "33"),
                                         (Role.TOWN_OFFICE, XIHU_TOWN)])
def test_only_the_county_office_opens_a_campaign(role, region):
    user = make_user(role, region=region)
    with pytest.raises(NotPermitted, match="县（市、区）三方办公室"):
        services.open_campaign(user, region, 2024)


# --- send_initiative ----------------------------------------------------------------------

@pytest.mark.parametrize("when,late", [
    ((1, 1, 0, 0), False),      # first minute of Q1 (local time)
    ((3, 31, 23, 59), False),   # last minute of Q1
    ((4, 1, 0, 0), True),       # first minute of Q2
])
def test_late_flag_at_the_end_of_the_first_quarter(office, campaign, unit, year, when, late):
    month, d, hour, minute = when
    letter = send(office, campaign, datetime.datetime(year, month, d, hour, minute,
                                                      tzinfo=SHANGHAI))
    assert letter.late is late


def test_a_letter_sent_the_year_before_is_late(office, campaign, unit, year):
    letter = send(office, campaign, datetime.datetime(year - 1, 12, 31, 12, tzinfo=SHANGHAI))
    assert letter.late is True


def test_send_delivers_to_every_unit_in_the_county_and_only_there(
    office, campaign, unit, other_unit, year, django_capture_on_commit_callbacks
):
    second = UnitFactory(region_id=XIHU_TOWN_2)
    with django_capture_on_commit_callbacks(execute=True):
        letter = send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI))
    letter.refresh_from_db()
    delivered = set(LetterDelivery.objects.filter(letter=letter).values_list("unit_id",
                                                                              flat=True))
    assert delivered == {unit.pk, second.pk}
    assert (letter.status, letter.target_count, letter.delivered_count) == ("sent", 2, 2)
    assert letter.progress_percent == 100
    assert letter.finished_at is not None
    assert events("campaigns.send_initiative").get().object_id == str(letter.pk)
    assert events("campaigns.initiative_delivered").get().after["delivered_count"] == 2
    assert verify().ok


def test_send_to_a_filtered_part(office, campaign, unit, year, django_capture_on_commit_callbacks):
    project_town2 = UnitFactory(region_id=XIHU_TOWN_2, kind="industrial_park", credit_code=None,
                                name="示例园区")
    UnitFactory(region_id=XIHU_TOWN_2)  # an enterprise in town 2: not a park
    with django_capture_on_commit_callbacks(execute=True):
        letter = send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI),
                      kinds=["industrial_park"], town=XIHU_TOWN_2)
    assert letter.filters == {"kinds": ["industrial_park"], "town": XIHU_TOWN_2}
    assert list(letter.deliveries.values_list("unit_id", flat=True)) == [project_town2.pk]


def test_send_with_a_town_of_another_county_is_refused(office, campaign, unit, year):
    with pytest.raises(DomainError, match="不在本创建年度的区划内") as info:
        send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI), town="330402007")
    assert info.value.field == "town"
    assert not InitiativeLetter.objects.exists()


def test_send_with_an_unknown_kind_is_refused(office, campaign, unit, year):
    with pytest.raises(DomainError, match="单位类型") as info:
        send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI), kinds=["bank"])
    assert info.value.field == "kinds"


def test_send_to_nobody_is_refused(office, campaign, year):
    with pytest.raises(DomainError, match="没有创建单位"):
        send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI))
    assert not InitiativeLetter.objects.exists()
    assert not events("campaigns.send_initiative").exists()


@pytest.mark.parametrize("field", ["title", "body"])
def test_send_without_title_or_body_is_refused(office, campaign, unit, year, field):
    with pytest.raises(DomainError) as info:
        send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI), **{field: "  "})
    assert info.value.field == field


def test_another_county_cannot_send_in_this_campaign(other_office, campaign, unit, year):
    with pytest.raises(Http404):
        send(other_office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI))
    assert not InitiativeLetter.objects.exists()


def test_a_town_office_sees_the_campaign_but_cannot_send(campaign, unit, year):
    town = make_user(Role.TOWN_OFFICE, region=XIHU_TOWN)
    with pytest.raises(NotPermitted, match="三方办公室可以发送"):
        send(town, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI))


def test_the_task_is_idempotent(office, campaign, unit, year, django_capture_on_commit_callbacks):
    from hexie.campaigns.tasks import send_initiative_letters

    UnitFactory.create_batch(4, region_id=XIHU_TOWN_2)
    with django_capture_on_commit_callbacks(execute=False):
        letter = send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI))
    # When the job runs in batches of 2, then runs again
    assert send_initiative_letters(letter.pk, batch_size=2) == 5
    assert send_initiative_letters(letter.pk, batch_size=2) == 0
    # Then every unit has the letter once, the count is right, and delivery is audited once
    letter.refresh_from_db()
    assert LetterDelivery.objects.filter(letter=letter).count() == 5
    assert (letter.delivered_count, letter.status) == (5, "sent")
    assert events("campaigns.initiative_delivered").count() == 1


def test_progress_is_recorded_per_batch(office, campaign, unit, year,
                                        django_capture_on_commit_callbacks):
    UnitFactory.create_batch(2, region_id=XIHU_TOWN_2)
    with django_capture_on_commit_callbacks(execute=False):
        letter = send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI))
    ids = sorted(services.letter_recipients(campaign, services.LetterFilter())
                 .values_list("pk", flat=True))
    assert services.deliver_batch(letter.pk, ids[:2]) == 2
    letter.refresh_from_db()
    assert (letter.status, letter.delivered_count, letter.target_count) == ("sending", 2, 3)
    assert letter.progress_percent == 66
    assert services.deliver_batch(letter.pk, ids) == 1  # the first two are skipped
    letter.refresh_from_db()
    assert letter.delivered_count == 3


# --- mark_letter_read ---------------------------------------------------------------------

@pytest.fixture
def delivery(office, campaign, unit, year, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI))
    return LetterDelivery.objects.get(letter=letter, unit=unit)


def test_unit_admin_marks_the_letter_read_once(unit_admin, delivery):
    read = services.mark_letter_read(unit_admin, delivery)
    assert read.read_at is not None
    again = services.mark_letter_read(unit_admin, delivery)
    assert again.read_at == read.read_at
    assert events("campaigns.letter_read").count() == 1


def test_the_office_cannot_mark_a_units_letter_read(office, delivery):
    with pytest.raises(NotPermitted, match="本单位经办人"):
        services.mark_letter_read(office, delivery)
    delivery.refresh_from_db()
    assert delivery.read_at is None


def test_another_units_admin_gets_not_found(delivery):
    stranger = make_user(Role.UNIT_ADMIN, unit=UnitFactory(region_id=XIHU_TOWN))
    with pytest.raises(Http404):
        services.mark_letter_read(stranger, delivery)


# --- pledge --------------------------------------------------------------------------------

def test_pledge_with_its_congress_record(unit_admin, unit, campaign, year, media_root):
    made = services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                           congress=congress(day(year, 3, 1)))
    made = Pledge.objects.select_related("congress").get(pk=made.pk)
    assert (made.unit, made.campaign, made.state, made.pledged_on) == (
        unit, campaign, "pledged", day(year, 3, 10))
    record = made.congress
    assert (record.purpose, record.kind, record.attendance_present, record.attendance_total) == (
        "pledge", CongressKind.WORKERS_REPRESENTATIVE_CONGRESS, 30, 45)
    stored = media_root / record.minutes.name
    assert stored.read_bytes().startswith(b"%PDF-")
    assert record.minutes_name == "minutes.pdf"
    assert events("campaigns.pledge").get().object_id == str(made.pk)
    assert events("campaigns.congress_record").get().object_id == str(record.pk)
    assert verify().ok


def test_pledge_without_a_congress_record_is_refused(unit_admin, unit, campaign, year):
    with pytest.raises(DomainError, match="职工大会或职工代表大会讨论确定") as info:
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10), congress=None)
    assert (info.value.field, info.value.code) == ("congress", "no_congress")
    assert not Pledge.objects.exists()
    assert not events("campaigns.pledge").exists()


def test_congress_on_the_pledge_date_is_allowed(unit_admin, unit, campaign, year):
    made = services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                           congress=congress(day(year, 3, 10)))
    assert made.congress.held_on == made.pledged_on


def test_congress_a_day_after_the_pledge_date_is_refused(unit_admin, unit, campaign, year):
    with pytest.raises(DomainError, match="晚于承诺日期") as info:
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 11)))
    assert (info.value.field, info.value.code) == ("held_on", "congress_after_pledge")
    assert "四（一）" in str(info.value.message)
    assert not CongressRecord.objects.exists()


@pytest.mark.parametrize("present,total,ok", [
    (30, 45, True),    # exactly two thirds: "三分之二以上" includes the bound
    (29, 45, False),   # one short
    (7, 10, True),     # 70% ≥ 66.7%
    (6, 10, False),    # 60%
    (45, 45, True),
])
def test_quorum_boundary(unit_admin, unit, campaign, year, present, total, ok):
    attempt = congress(day(year, 3, 1), present=present, total=total)
    if ok:
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10), congress=attempt)
        assert Pledge.objects.count() == 1
    else:
        with pytest.raises(DomainError, match="未达到法定人数") as info:
            services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                            congress=attempt)
        assert (info.value.field, info.value.code) == ("attendance_present", "no_quorum")
        assert "企业民主管理规定" in str(info.value.message)
        assert not Pledge.objects.exists()


def test_quorum_applies_to_a_workers_congress_too(unit_admin, unit, campaign, year):
    with pytest.raises(DomainError, match="未达到法定人数"):
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 1), present=19, total=30,
                                          kind=CongressKind.WORKERS_CONGRESS))
    services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                    congress=congress(day(year, 3, 1), present=20, total=30,
                                      kind=CongressKind.WORKERS_CONGRESS))


@pytest.mark.parametrize("present,total,field", [
    (46, 45, "attendance_present"),
    (0, 0, "attendance_total"),
    (None, 45, "attendance_present"),
])
def test_impossible_attendance_is_refused(unit_admin, unit, campaign, year, present, total,
                                          field):
    with pytest.raises(DomainError) as info:
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 1), present=present, total=total))
    assert info.value.field == field


def test_a_second_pledge_the_same_year_is_refused(unit_admin, unit, campaign, year):
    services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                    congress=congress(day(year, 3, 1)))
    with pytest.raises(DomainError, match="每年只能承诺一次") as info:
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 4, 10),
                        congress=congress(day(year, 4, 1)))
    assert (info.value.field, info.value.code) == ("year", "duplicate")
    assert Pledge.objects.count() == 1
    assert CongressRecord.objects.count() == 1


def test_pledge_without_an_open_campaign_is_refused(unit_admin, unit, year):
    with pytest.raises(DomainError, match="尚未开启") as info:
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 1)))
    assert info.value.code == "no_campaign"


def test_pledge_dated_outside_its_year_or_in_the_future_is_refused(unit_admin, unit, campaign,
                                                                   year):
    with pytest.raises(DomainError, match="年度内") as info:
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year - 1, 12, 31),
                        congress=congress(day(year - 1, 12, 1)))
    assert info.value.field == "pledged_on"
    with pytest.raises(DomainError, match="不能晚于今天"):
        services.pledge(unit_admin, unit, year=year,
                        pledged_on=datetime.date.today() + datetime.timedelta(days=2),
                        congress=congress(day(year, 3, 1)))


@pytest.mark.parametrize("name,content,message", [
    ("minutes.docx", b"PK\x03\x04", "只接受 PDF 或图片"),
    ("minutes.pdf", b"MZ not a pdf", "内容与扩展名不符"),
    ("minutes.png", JPEG, "内容与扩展名不符"),
])
def test_minutes_of_the_wrong_type_are_refused(unit_admin, unit, campaign, year, name, content,
                                               message):
    with pytest.raises(DomainError, match=message) as info:
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 1), file=minutes(name, content)))
    assert info.value.field == "minutes"


@pytest.mark.parametrize("name,content", [("scan.PNG", PNG), ("scan.jpg", JPEG)])
def test_minutes_as_images_are_accepted(unit_admin, unit, campaign, year, name, content):
    made = services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                           congress=congress(day(year, 3, 1), file=minutes(name, content)))
    assert made.congress.minutes_name == name


def test_minutes_size_limit_boundary(unit_admin, unit, campaign, year):
    limit = policy.current().minutes_max_bytes
    too_big = b"%PDF-" + b"0" * (limit - 4)
    with pytest.raises(DomainError, match="文件过大"):
        services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 1), file=minutes("m.pdf", too_big)))
    services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                    congress=congress(day(year, 3, 1), file=minutes("m.pdf", too_big[:-1])))


def test_the_office_cannot_pledge_for_a_unit(office, unit, campaign, year):
    with pytest.raises(NotPermitted, match="本单位经办人"):
        services.pledge(office, unit, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 1)))


def test_a_unit_admin_cannot_pledge_for_another_unit(unit_admin, campaign, year):
    neighbour = UnitFactory(region_id=XIHU_TOWN)
    with pytest.raises(Http404):
        services.pledge(unit_admin, neighbour, year=year, pledged_on=day(year, 3, 10),
                        congress=congress(day(year, 3, 1)))


# --- assign_cultivation --------------------------------------------------------------------

@pytest.fixture
def pledged(unit_admin, unit, campaign, year):
    return services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                           congress=congress(day(year, 3, 1)))


def test_assign_and_change_the_cultivation_class(office, pledged, year):
    entry = services.assign_cultivation(office, pledged, cultivation_class="key",
                                        target_year=year + 1)
    assert (entry.cultivation_class, entry.target_year) == ("key", year + 1)
    services.assign_cultivation(office, pledged, cultivation_class="regular",
                                target_year=year + 1)
    services.assign_cultivation(office, pledged, cultivation_class="regular",
                                target_year=year + 1)  # no change, no event
    changes = list(events("campaigns.assign_cultivation"))
    assert len(changes) == 2
    assert changes[0].before is None
    assert (changes[1].before["cultivation_class"], changes[1].after["cultivation_class"]) == (
        "key", "regular")
    assert CultivationPlanEntry.objects.get().cultivation_class == "regular"


def test_unknown_cultivation_class_is_refused(office, pledged, year):
    with pytest.raises(DomainError, match="培育类别应为") as info:
        services.assign_cultivation(office, pledged, cultivation_class="gold",
                                    target_year=year)
    assert info.value.field == "cultivation_class"


def test_target_year_boundaries(office, pledged, year):
    horizon = policy.current().target_year_horizon
    for bad in (year - 1, year + horizon + 1):
        with pytest.raises(DomainError, match="分步推进") as info:
            services.assign_cultivation(office, pledged, cultivation_class="key",
                                        target_year=bad)
        assert info.value.field == "target_year"
    for good in (year, year + horizon):
        assert services.assign_cultivation(office, pledged, cultivation_class="key",
                                           target_year=good).target_year == good


def test_cultivation_outside_the_county_is_not_found(other_office, pledged, year):
    with pytest.raises(Http404):
        services.assign_cultivation(other_office, pledged, cultivation_class="key",
                                    target_year=year)
    assert not CultivationPlanEntry.objects.exists()


def test_the_unit_admin_cannot_assign_its_own_class(unit_admin, pledged, year):
    with pytest.raises(NotPermitted, match="三方办公室"):
        services.assign_cultivation(unit_admin, pledged, cultivation_class="key",
                                    target_year=year)


# --- the unit registry and campaign records ------------------------------------------------

def test_a_unit_with_only_a_letter_can_still_be_deleted(office, delivery, unit):
    from hexie.units.services import delete_unit

    delete_unit(office, unit)
    assert not LetterDelivery.objects.filter(pk=delivery.pk).exists()


def test_a_pledged_unit_cannot_be_deleted(office, pledged, unit):
    from hexie.units.models import Unit
    from hexie.units.services import delete_unit

    with pytest.raises(DomainError, match="已有创建活动记录"):
        delete_unit(office, unit)
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert Pledge.objects.filter(pk=pledged.pk).exists()


def test_delivery_tells_the_reached_units_admins_once(
    office, campaign, unit, unit_admin, other_unit, year, django_capture_on_commit_callbacks
):
    from hexie.notifications.models import Notification

    other_admin = make_user(Role.UNIT_ADMIN, unit=other_unit)  # 南湖区: not reached
    with django_capture_on_commit_callbacks(execute=True):
        letter = send(office, campaign, datetime.datetime(year, 2, 1, tzinfo=SHANGHAI))
    received = Notification.objects.filter(kind="campaigns.initiative_received")
    assert list(received.values_list("recipient_id", flat=True)) == [unit_admin.pk]
    assert letter.title in received.get().title
    assert not Notification.objects.filter(recipient=other_admin).exists()
    # The job run again delivers nothing new and tells nobody again.
    services.deliver_batch(letter.pk, [unit.pk])
    assert received.count() == 1


def test_pledge_tells_the_county_office(unit_admin, unit, campaign, office, other_office, year):
    from hexie.notifications.models import Notification

    services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                    congress=congress(day(year, 3, 1)))
    told = set(Notification.objects.filter(kind="campaigns.pledged")
               .values_list("recipient_id", flat=True))
    assert told == {office.pk, unit_admin.pk}
