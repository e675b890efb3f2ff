"""Every change of the public notice, its objections and the published list (issue 4 point 6,
seed 四（三）"评估通过即可认定其为和谐劳动关系单位，并向社会公布名单").

Each service takes the acting user, checks the scope (only the county office of the county that
recognised the units may act; an office that sees the county but is not it gets 403, anyone
else 404), checks the rule it names, advances the recognitions and the notice through their
django-fsm transitions, writes the audit event and notifies the people concerned, all in one
transaction. Dates are whole days in Asia/Shanghai; a notice period is inclusive of both ends
(docs/decisions.md D22).
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import PUBLICITY_MANAGE
from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.scoping import scope_for
from hexie.core.text import clean_text
from hexie.core.transitions import advance
from hexie.notifications.recipients import offices_over, unit_admins_of
from hexie.notifications.services import notify
from hexie.recognition import policy as recognition_policy
from hexie.recognition.models import Recognition
from hexie.recognition.services import move_recognitions

from . import policy, selectors
from .models import Objection, PublicNotice, PublishedEntry, PublishedList

State = Recognition.State


# --- helpers ------------------------------------------------------------------------------

def _limited(value: str, limit: int, field: str, label: str) -> str:
    if len(value) > limit:
        raise DomainError(f"{label}不能超过 {limit} 个字（现为 {len(value)} 个字）。", field=field,
                          code="too_long")
    return value


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise DomainError("认定年度应为四位年份。", field="year") from None
    if not 2000 <= year <= 2100:
        raise DomainError("认定年度应为四位年份。", field="year")
    return year


def _require_county_office(actor, region_code: str, message: str) -> None:
    """Only the county office of ``region_code`` itself: an office that sees the county
    (city, province, its towns) is refused with ``message`` (403), anyone else gets 404."""
    if region_code in scope_for(actor, PUBLICITY_MANAGE).region_prefixes:
        return
    if selectors.sees_region(actor, region_code):
        raise NotPermitted(message)
    raise OutOfScope()



def _notify_all(region_code: str, unit_ids, kind: str, title: str, body: str, url: str,
                office_url: str = "") -> None:
    """The unit admins of ``unit_ids`` and the county office of ``region_code``."""
    if unit_ids:
        notify(unit_admins_of(sorted(set(unit_ids))), kind, title, body, url)
    notify(offices_over(region_code), kind, title, body, office_url or url)


def notice_period(starts_on: datetime.date, rules=None) -> tuple[datetime.date, datetime.date]:
    """The notice period from ``starts_on``: ``period_days`` calendar days, both ends included
    (7 days from a Monday end on the Sunday), of ``rules`` (default: the province's today)."""
    days = (rules or recognition_policy.current()).notice_period_days
    return starts_on, starts_on + datetime.timedelta(days=days - 1)


# --- open a notice ------------------------------------------------------------------------

def open_notice(actor, region_code: str, year, recognition_ids=None, *,
                starts_on: datetime.date | None = None, title: str = "",
                body: str = "") -> PublicNotice:
    """Put recognitions of the county and year on public notice (公示) for the policy's period.

    ``recognition_ids`` None means every pending recognition of that county and year.
    ``starts_on`` defaults to today; an earlier day records a notice already posted elsewhere
    (a newspaper, the county's website), at most one notice period back.
    """
    _require_county_office(actor, region_code, "只有本县（市、区）三方办公室可以发布公示。")
    year = _year(year)
    # The recognition policy in force today in the county sets the period; the notice keeps it.
    rules = recognition_policy.current(region=region_code)
    title = clean_text(title, multiline=False)
    if not title:
        raise DomainError("请填写公示标题。", field="title")
    _limited(title, 200, "title", "公示标题")
    body = clean_text(body)
    _limited(body, 5000, "body", "公示说明")
    today = timezone.localdate()
    starts_on = starts_on or today
    earliest = today - datetime.timedelta(days=rules.notice_period_days)
    if starts_on < earliest:
        raise DomainError(
            f"公示开始日期最早为 {earliest:%Y-%m-%d}：补录已在别处张贴的公示，"
            f"最多回溯一个公示期（{rules.notice_period_days} 天）。",
            field="starts_on", code="too_early")
    starts_on, ends_on = notice_period(starts_on, rules)
    wanted = None
    if recognition_ids is not None:
        try:
            wanted = sorted({int(i) for i in recognition_ids})
        except (TypeError, ValueError):
            raise DomainError("认定单位编号应为整数。", field="recognitions") from None
    with transaction.atomic():
        published = PublishedList.objects.filter(region_id=region_code, year=year).first()
        if published is not None:
            raise DomainError(_duplicate_message(published) + "名单公布后不能再发布公示。",
                              field="year", code="already_published")
        base = (Recognition.objects.select_for_update(of=("self",))
                .filter(region_id=region_code, year=year))
        if wanted is None:
            recs = list(base.filter(state=State.PENDING).order_by("pk"))
        else:
            recs = list(base.filter(pk__in=wanted).select_related("unit").order_by("pk"))
            missing = sorted(set(wanted) - {r.pk for r in recs})
            if missing:
                raise DomainError(
                    f"认定记录 {'、'.join(map(str, missing))} "
                    f"不是本县（市、区）{year} 年度的认定单位。",
                    field="recognitions", code="not_in_county")
            not_pending = [r for r in recs if r.state != State.PENDING]
            if not_pending:
                names = "、".join(f"{r.unit.name}（{r.get_state_display()}）"
                                 for r in not_pending[:5])
                raise DomainError(
                    f"只有待公示的认定单位可以列入公示：{names}。依据：{rules.notice_rule}。",
                    field="recognitions", code="not_pending")
        if not recs:
            raise DomainError(
                f"本县（市、区）{year} 年度没有待公示的认定单位。依据：{rules.notice_rule}。",
                field="recognitions", code="nothing_to_notice")
        notice = PublicNotice.objects.create(
            region_id=region_code, year=year, title=title, body=body, starts_on=starts_on,
            ends_on=ends_on, policy_version=rules.version, policy_id=rules.policy_id,
            created_by=actor,
        )
        move_recognitions(recs, "put_on_notice", "列入公示", rule=rules.notice_rule,
                          notice=notice)
        audit.record(actor, "publicity.open_notice", notice,
                     after=audit.snapshot(notice) | {
                         "recognitions": [r.pk for r in recs], "period_days":
                         rules.notice_period_days, "rule": rules.notice_rule},
                     region_code=region_code)
        period = f"{starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}"
        _notify_all(
            region_code, [r.unit_id for r in recs], "publicity.notice_opened",
            f"{year} 年度和谐劳动关系单位认定进入公示（{period}）",
            f"“{title}”：共 {len(recs)} 个单位，公示期 {period}。"
            f"公示期内收到的异议将登记、核查并答复。",
            reverse("public:notices"), reverse("publicity:notice", args=[notice.pk]),
        )
    return notice


# --- objections ---------------------------------------------------------------------------

def record_objection(actor, notice: PublicNotice, recognition: Recognition, *,
                     received_on: datetime.date | None, channel: str, content: str,
                     contact: str = "") -> Objection:
    """The office records an objection to one unit on notice, received within the period."""
    _require_county_office(actor, notice.region_id, "只有本县（市、区）三方办公室可以登记异议。")
    rules = policy.current(region=notice.region_id)
    content = clean_text(content)
    if not content:
        raise DomainError("请填写异议内容。", field="content")
    _limited(content, rules.content_max_chars, "content", "异议内容")
    contact = _limited(clean_text(contact, multiline=False), rules.contact_max_chars,
                       "contact", "联系方式")
    channel = (channel or "").strip()
    if channel not in rules.channels:
        raise DomainError("来源渠道应为：" + "、".join(rules.channels.values()) + "。",
                          field="channel")
    if received_on is None:
        raise DomainError("请填写收到日期。", field="received_on")
    today = timezone.localdate()
    if received_on > today:
        raise DomainError("收到日期不能晚于今天。", field="received_on")
    with transaction.atomic():
        notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.state != PublicNotice.State.OPEN:
            raise DomainError("公示已结束，不能再登记异议。", field="notice", code="notice_closed")
        if not notice.starts_on <= received_on <= notice.ends_on:
            raise DomainError(
                f"收到日期（{received_on:%Y-%m-%d}）不在公示期（{notice.starts_on:%Y-%m-%d} 至 "
                f"{notice.ends_on:%Y-%m-%d}）内：只受理公示期内收到的异议。"
                f"依据：{rules.objection_rule}。",
                field="received_on", code="outside_notice_period")
        rec = (Recognition.objects.select_for_update(of=("self",)).select_related("unit")
               .filter(pk=recognition.pk).first())
        if rec is None or rec.notice_id != notice.pk:
            raise DomainError("该单位不在本次公示名单中。", field="recognition",
                              code="not_on_notice")
        if rec.state != State.ON_NOTICE:
            raise DomainError(
                f"{rec.unit.name}当前状态为“{rec.get_state_display()}”，只能对公示中的单位登记异议。",
                field="recognition", code="not_on_notice")
        objection = Objection.objects.create(
            notice=notice, recognition=rec, received_on=received_on, channel=channel,
            content=content, contact=contact, recorded_by=actor,
        )
        audit.record(actor, "publicity.record_objection", objection,
                     after=audit.snapshot(objection) | {"rule": rules.objection_rule},
                     region_code=rec.unit.region_id)
        # The unit is not told of an objection before it is verified (the objector's
        # details stay with the office); it hears the outcome.
        notify(offices_over(notice.region_id), "publicity.objection_recorded",
               f"收到对“{rec.unit.name}”的异议，请核查处理",
               f"收到日期 {received_on:%Y-%m-%d}，渠道：{rules.channels[channel]}。",
               reverse("publicity:objection", args=[objection.pk]))
    return objection


def handle_objection(actor, objection: Objection, *, upheld: bool, finding: str,
                     answer: str) -> Objection:
    """The office answers an objection: upheld takes the unit off the list, dismissed keeps it."""
    _require_county_office(actor, objection.notice.region_id,
                           "只有本县（市、区）三方办公室可以处理异议。")
    rules = policy.current(region=objection.notice.region_id)
    answer = _limited(clean_text(answer), rules.answer_max_chars, "answer", "答复")
    finding = _limited(clean_text(finding), rules.finding_max_chars, "finding", "核查情况")
    if not answer:
        raise DomainError("请填写对异议人的答复。", field="answer")
    if upheld and not finding:
        raise DomainError("异议成立须写明核查情况（作为撤销认定的理由）。", field="finding")
    with transaction.atomic():
        locked = (Objection.objects.select_for_update(of=("self",)).select_related("notice")
                  .get(pk=objection.pk))
        before = audit.snapshot(locked)
        advance(locked, "uphold" if upheld else "dismiss", "处理该异议",
                rule=rules.objection_rule)
        locked.finding, locked.answer = finding, answer
        locked.handled_by, locked.handled_at = actor, timezone.now()
        locked.save()
        rec = Recognition.objects.select_for_update(of=("self",)).select_related("unit").get(
            pk=locked.recognition_id)
        audit.record(actor, "publicity.handle_objection", locked, before=before,
                     after=audit.snapshot(locked) | {"rule": rules.objection_rule},
                     region_code=rec.unit.region_id)
        if upheld and rec.state != State.REMOVED:
            rec_before = audit.snapshot(rec)
            move_recognitions([rec], "remove", "撤销认定", rule=rules.objection_rule,
                              removed_reason=finding)
            audit.record(actor, "publicity.remove_recognition", rec, before=rec_before,
                         after=audit.snapshot(rec) | {"objection": locked.pk},
                         region_code=rec.unit.region_id)
        if upheld:
            title = f"异议成立：“{rec.unit.name}”不再列入 {rec.year} 年度和谐劳动关系单位名单"
            body = f"核查情况：{finding}\n答复：{answer}"
        else:
            title = f"异议不成立：“{rec.unit.name}”保留在 {rec.year} 年度公示名单中"
            body = f"答复：{answer}"
        _notify_all(locked.notice.region_id, [rec.unit_id], "publicity.objection_handled",
                    title, body, reverse("home"),
                    reverse("publicity:objection", args=[locked.pk]))
    return locked


# --- close the notice ---------------------------------------------------------------------

def close_notice(actor, notice: PublicNotice) -> PublicNotice:
    """After the period, with every objection handled: the units still on notice are
    confirmed (公示无异议)."""
    _require_county_office(actor, notice.region_id, "只有本县（市、区）三方办公室可以结束公示。")
    rules = recognition_policy.current(region=notice.region_id)
    today = timezone.localdate()
    with transaction.atomic():
        locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.state == PublicNotice.State.OPEN:
            if today <= locked.ends_on:
                raise DomainError(
                    f"公示期至 {locked.ends_on:%Y-%m-%d}（含当日）止，期满后方可结束公示。"
                    f"依据：{rules.notice_rule}。", field="ends_on", code="period_running")
            unhandled = locked.objections.filter(state=Objection.State.RECEIVED).count()
            if unhandled:
                raise DomainError(
                    f"尚有 {unhandled} 条异议未处理，须全部核查答复后方可结束公示。"
                    f"依据：{policy.current(region=locked.region_id).objection_rule}。",
                    field="objections", code="objections_unhandled")
        before = audit.snapshot(locked)
        advance(locked, "close", "结束公示", rule=rules.notice_rule)
        locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "closed_at"])
        recs = list(Recognition.objects.select_for_update()
                    .filter(notice=locked, state=State.ON_NOTICE).order_by("pk"))
        move_recognitions(recs, "confirm", "确认公示无异议", rule=rules.notice_rule)
        audit.record(actor, "publicity.close_notice", locked, before=before,
                     after=audit.snapshot(locked) | {"confirmed": [r.pk for r in recs]},
                     region_code=locked.region_id)
        _notify_all(
            locked.region_id, [r.unit_id for r in recs], "publicity.notice_closed",
            f"{locked.year} 年度和谐劳动关系单位公示期满",
            f"“{locked.title}”公示结束：{len(recs)} 个单位公示无异议，待公布名单。",
            reverse("home"), reverse("publicity:notice", args=[locked.pk]),
        )
    return locked


# --- publish the year's list --------------------------------------------------------------

def publish_list(actor, region_code: str, year, title: str = "") -> PublishedList:
    """Publish the county's list of the year: every recognition confirmed after its notice and
    every one never put on notice (a notice is optional). One list per county and year."""
    _require_county_office(actor, region_code, "只有本县（市、区）三方办公室可以公布名单。")
    year = _year(year)
    rules = policy.current(region=region_code)
    title = clean_text(title, multiline=False)
    if not title:
        raise DomainError("请填写名单标题。", field="title")
    _limited(title, 200, "title", "名单标题")
    with transaction.atomic():
        existing = PublishedList.objects.filter(region_id=region_code, year=year).first()
        if existing is not None:
            raise DomainError(_duplicate_message(existing), field="year", code="already_published")
        of_year = Recognition.objects.filter(region_id=region_code, year=year)
        on_notice = of_year.filter(state=State.ON_NOTICE).count()
        if on_notice:
            raise DomainError(
                f"尚有 {on_notice} 个单位在公示中，公示结束后方可公布名单。"
                f"依据：{rules.publish_rule}。",
                field="year", code="notice_open")
        unhandled = Objection.objects.filter(recognition__in=of_year,
                                             state=Objection.State.RECEIVED).count()
        if unhandled:
            raise DomainError(
                f"尚有 {unhandled} 条异议未处理，处理完毕后方可公布名单。"
                f"依据：{rules.objection_rule}。",
                field="year", code="objections_unhandled")
        if PublicNotice.objects.filter(region_id=region_code, year=year,
                                       state=PublicNotice.State.OPEN).exists():
            raise DomainError("本年度尚有未结束的公示，请先结束公示再公布名单。", field="year",
                              code="notice_open")
        recs = list(
            of_year.select_for_update(of=("self",))
            .filter(state__in=[State.CONFIRMED, State.PENDING])
            .select_related("unit", "unit__region", "unit__region__parent",
                            "unit__region__parent__parent", "unit__region__parent__parent__parent")
            .order_by("pk")
        )
        if not recs:
            raise DomainError(
                f"本县（市、区）{year} 年度没有可公布的认定单位。依据：{rules.publish_rule}。",
                field="year", code="nothing_to_publish")
        now = timezone.now()
        try:
            with transaction.atomic():
                published = PublishedList.objects.create(
                    region_id=region_code, year=year, title=title, published_by=actor,
                    published_at=now, entry_count=len(recs),
                )
        except IntegrityError as exc:  # a concurrent publication of the same county and year
            raise DomainError(
                f"本县（市、区）{year} 年度名单已公布，每个县（市、区）每年只公布一份名单。",
                field="year", code="already_published") from exc
        entries = []
        for rec in recs:
            identifier = rec.unit.credit_code or rec.unit.project_code or ""
            entries.append(PublishedEntry(
                published_list=published, recognition=rec, year=year, unit_name=rec.unit.name,
                identifier=identifier, kind=rec.unit.kind, region_code=rec.unit.region_id,
                region_name=rec.unit.region.full_name,
                search_text=PublishedEntry.search_key(rec.unit.name, identifier),
            ))
        PublishedEntry.objects.bulk_create(entries, batch_size=1000)
        noticed = sum(1 for r in recs if r.state == State.CONFIRMED)
        move_recognitions(recs, "publish", "公布", rule=rules.publish_rule,
                          published_list=published)
        audit.record(actor, "publicity.publish", published,
                     after=audit.snapshot(published) | {
                         "recognitions": [r.pk for r in recs], "after_notice": noticed,
                         "without_notice": len(recs) - noticed, "rule": rules.publish_rule},
                     region_code=region_code)
        _notify_all(
            region_code, [r.unit_id for r in recs], "publicity.published",
            f"{year} 年度和谐劳动关系单位名单已公布",
            f"“{title}”：共 {len(recs)} 个单位。",
            reverse("public:index") + f"?year={year}&county={region_code}",
            reverse("publicity:list", args=[published.pk]),
        )
    return published


def _duplicate_message(existing: PublishedList) -> str:
    return (f"本县（市、区）{existing.year} 年度名单已于 "
            f"{timezone.localdate(existing.published_at):%Y-%m-%d} 公布（“{existing.title}”），"
            f"每个县（市、区）每年只公布一份名单。")
