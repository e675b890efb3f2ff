"""Every change of the campaign's first steps (seed 四（一）倡议承诺). Each takes the acting user,
checks scope and permission, enforces the rule it names, and writes the audit event in the same
transaction."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import (
    CAMPAIGNS_CULTIVATE,
    CAMPAIGNS_OPEN,
    CAMPAIGNS_PLEDGE,
    CAMPAIGNS_SEND,
    CAMPAIGNS_VIEW,
)
from hexie.core import audit, events
from hexie.core.clauses import cite
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.files import content_matches
from hexie.core.refusal import refuse, refuse_unless
from hexie.core.scoping import scope_for
from hexie.notifications import recipients
from hexie.notifications.services import notify
from hexie.regions import codes
from hexie.regions.models import Division
from hexie.units.models import Kind, Unit

from . import policy
from .models import (
    CampaignYear,
    CongressKind,
    CongressPurpose,
    CongressRecord,
    CultivationPlanEntry,
    InitiativeLetter,
    LetterDelivery,
    Pledge,
    PledgeEvent,
)

SEED = cite()
RULE_PLEDGE = f"{cite('4.1')}：单位经职工大会或职工代表大会讨论确定后，提交创建承诺书"
RULE_PLAN = f"{cite('4.1')}：县（市、区）制定分类培育、分步推进、分级选树计划"



# --- campaign year ------------------------------------------------------------------------

def open_campaign(actor, region_code: str, year: int) -> CampaignYear:
    """The county office opens the campaign year for its own division."""
    scope = scope_for(actor, CAMPAIGNS_OPEN)
    if scope.is_empty:
        raise NotPermitted("只有县（市、区）三方办公室可以开启创建年度。")
    if region_code not in scope.region_prefixes:
        if scope.covers_region(region_code) or scope_for(actor, CAMPAIGNS_VIEW).covers_region(
            region_code
        ):
            raise NotPermitted("只能为本办公室所辖区划开启创建年度。", field="region")
        raise OutOfScope()
    rules = policy.current(region=region_code)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("创建年度应为四位年份。", field="year") from None
    this_year = timezone.localdate().year
    if not rules.first_year <= year <= this_year + 1:
        raise DomainError(
            f"创建年度应在 {rules.first_year} 年（{SEED}施行）至 {this_year + 1} 年之间。",
            field="year",
        )
    with transaction.atomic():
        if CampaignYear.objects.filter(region_id=region_code, year=year).exists():
            raise DomainError(f"{year} 年度的创建活动已开启，不能重复开启。", field="year",
                              code="duplicate")
        try:
            with transaction.atomic():
                campaign = CampaignYear.objects.create(
                    region_id=region_code, year=year, opened_by=actor,
                    policy_version=rules.version, policy_id=rules.policy_id,
                )
        except IntegrityError as exc:  # a concurrent open of the same year
            raise DomainError(f"{year} 年度的创建活动已开启，不能重复开启。", field="year",
                              code="duplicate") from exc
        audit.record(actor, "campaigns.open", campaign, after=audit.snapshot(campaign),
                     region_code=region_code)
    return campaign


# --- initiative letters -------------------------------------------------------------------

@dataclass(frozen=True)
class LetterFilter:
    """Which units of the campaign's region receive a letter; empty means all of them."""

    kinds: tuple[str, ...] = ()
    town: str = ""

    def as_dict(self) -> dict:
        return {"kinds": list(self.kinds), "town": self.town}

    @classmethod
    def from_dict(cls, data: dict | None) -> "LetterFilter":
        data = data or {}
        return cls(tuple(data.get("kinds") or ()), data.get("town") or "")


def letter_recipients(campaign: CampaignYear, letter_filter: LetterFilter):
    """The units a letter goes to: inside the campaign's division, narrowed by the filter."""
    prefix = letter_filter.town or campaign.region_id
    units = Unit.objects.within(prefix)
    if letter_filter.kinds:
        units = units.filter(kind__in=letter_filter.kinds)
    return units


def _clean_filter(campaign: CampaignYear, kinds, town) -> LetterFilter:
    kinds = tuple(sorted({k for k in (kinds or ()) if k}))
    unknown = [k for k in kinds if k not in Kind.values]
    if unknown:
        raise DomainError("发送范围：单位类型“" + "、".join(unknown) + "”不存在。", field="kinds")
    town = (town or "").strip()
    if town:
        if not codes.is_within(town, campaign.region_id) or not Division.objects.filter(
            code=town, level="town"
        ).exists():
            raise DomainError("发送范围：所选乡镇（街道）不在本创建年度的区划内。", field="town")
    return LetterFilter(kinds, town)


def send_initiative(actor, campaign: CampaignYear, *, title: str, body: str, kinds=(),
                    town: str = "", now: datetime.datetime | None = None) -> InitiativeLetter:
    """Record the letter and queue its delivery to every unit in scope, or the filtered part.

    Sending outside the first quarter of the campaign year is allowed and flagged late
    (seed 四（一）："每年第一季度……发送……倡议书").
    """
    scope = scope_for(actor, CAMPAIGNS_SEND)
    if not scope.covers_region(campaign.region_id):
        from .selectors import campaigns_for

        if campaigns_for(actor).filter(pk=campaign.pk).exists():
            raise NotPermitted("只有本县（市、区）三方办公室可以发送倡议书。")
        raise OutOfScope()
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError("请填写倡议书标题。", field="title")
    if not body:
        raise DomainError("请填写倡议书正文。", field="body")
    letter_filter = _clean_filter(campaign, kinds, town)
    now = now or timezone.now()
    sent_on = timezone.localdate(now)
    rules = policy.current(sent_on, campaign.region_id)
    # The sender's scope is the campaign's division (checked above), so the recipients computed
    # from the division alone are exactly the units in the sender's scope.
    recipients = letter_recipients(campaign, letter_filter).in_scope(scope)
    with transaction.atomic():
        target = recipients.count()
        if not target:
            raise DomainError("发送范围内没有创建单位，请调整单位类型或乡镇（街道）。",
                              field="kinds")
        letter = InitiativeLetter.objects.create(
            campaign=campaign, title=title[:200], body=body, sent_by=actor, sent_at=now,
            late=rules.is_late(campaign.year, sent_on), filters=letter_filter.as_dict(),
            target_count=target, policy_id=rules.policy_id,
        )
        audit.record(actor, "campaigns.send_initiative", letter,
                     after=audit.snapshot(letter) | {"rule": rules.window_rule},
                     region_code=campaign.region_id)
        from .tasks import send_initiative_letters

        transaction.on_commit(lambda: send_initiative_letters.delay(letter.pk))
    return letter


def deliver_batch(letter_id: int, unit_ids: list[int]) -> int:
    """Deliver ``letter_id`` to those of ``unit_ids`` that do not have it yet; return how many
    were new. The letter row is locked, so two runs of the job never count a unit twice."""
    with transaction.atomic():
        letter = InitiativeLetter.objects.select_for_update().get(pk=letter_id)
        have = set(
            LetterDelivery.objects.filter(letter_id=letter_id, unit_id__in=unit_ids)
            .values_list("unit_id", flat=True)
        )
        now = timezone.now()
        new = [LetterDelivery(letter_id=letter_id, unit_id=u, delivered_at=now)
               for u in unit_ids if u not in have]
        LetterDelivery.objects.bulk_create(new, batch_size=1000)
        if new:
            # The admins of the units reached by this batch (one query; most units of a
            # county have no admin account yet).
            notify(recipients.unit_admins_of([d.unit_id for d in new]),
                   "campaigns.initiative_received", f"收到倡议书：{letter.title}",
                   "请在工作台签收倡议书；经职工（代表）大会讨论确定后，可提交创建承诺书。",
                   reverse("home"))
        fields = {"delivered_count": letter.delivered_count + len(new)}
        if letter.status == InitiativeLetter.Status.QUEUED:
            fields["status"] = InitiativeLetter.Status.SENDING
        InitiativeLetter.objects.filter(pk=letter_id).update(**fields)
    return len(new)


def finish_delivery(letter_id: int) -> InitiativeLetter:
    """Close the letter once every batch is written; audited once per letter, not per unit."""
    with transaction.atomic():
        letter = InitiativeLetter.objects.select_for_update().get(pk=letter_id)
        if letter.status == InitiativeLetter.Status.SENT:
            return letter
        before = audit.snapshot(letter)
        letter.status = InitiativeLetter.Status.SENT
        letter.finished_at = timezone.now()
        letter.save(update_fields=["status", "finished_at"])
        audit.record(None, "campaigns.initiative_delivered", letter, before=before,
                     after=audit.snapshot(letter), region_code=letter.campaign.region_id)
    return letter


def mark_letter_read(actor, delivery: LetterDelivery) -> LetterDelivery:
    """The unit's own admin has read the letter (first reading only; later ones change
    nothing)."""
    if delivery.unit_id not in scope_for(actor, CAMPAIGNS_PLEDGE).unit_ids:
        refuse(actor, CAMPAIGNS_VIEW, "只有本单位经办人可以签收倡议书。",
               unit_id=delivery.unit_id, region_code=_unit_region(delivery.unit_id))
    with transaction.atomic():
        locked = LetterDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.read_at is None:
            before = audit.snapshot(locked)
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
            audit.record(actor, "campaigns.letter_read", locked, before=before,
                         after=audit.snapshot(locked), region_code=_unit_region(locked.unit_id))
    return locked


def _unit_region(unit_id: int) -> str:
    return Unit.objects.filter(pk=unit_id).values_list("region_id", flat=True).first() or ""


# --- pledge --------------------------------------------------------------------------------

@dataclass
class CongressInput:
    """What the unit says about the congress that discussed the pledge."""

    kind: str
    held_on: datetime.date | None
    attendance_present: int | None
    attendance_total: int | None
    resolution: str
    minutes: UploadedFile | None


_SUFFIXES = {"pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg")}


def check_minutes_file(upload: UploadedFile | None, *, rule: str = RULE_PLEDGE) -> None:
    """PDF or image, within the size limit, and really what its name says (``rule`` is the
    step's seed rule named when the file is missing)."""
    rules = policy.current()
    if upload is None:
        raise DomainError(f"请上传职工（代表）大会会议记录（PDF 或图片）。依据：{rule}。",
                          field="minutes")
    allowed = ", ".join(s for t in rules.minutes_types for s in _SUFFIXES[t])
    name = (upload.name or "").lower()
    kind = next((t for t in rules.minutes_types if name.endswith(_SUFFIXES[t])), None)
    if kind is None:
        raise DomainError(f"会议记录只接受 PDF 或图片文件（{allowed}）。", field="minutes")
    if upload.size > rules.minutes_max_bytes:
        limit = rules.minutes_max_bytes // (1024 * 1024)
        raise DomainError(f"会议记录文件过大：不能超过 {limit} MB。", field="minutes")
    if not content_matches(upload, kind):
        raise DomainError("会议记录文件内容与扩展名不符，请上传真实的 PDF 或图片文件。",
                          field="minutes")


def check_congress(congress: CongressInput | None, pledged_on: datetime.date, *,
                   rule: str = RULE_PLEDGE, region: str | None = None) -> None:
    """The congress record of a step held on ``pledged_on``: kind, date not after it, quorum,
    resolution and minutes (the recognition application reuses it with its own ``rule``). The
    quorum is the policy's in force on ``pledged_on`` in ``region``."""
    rules = policy.current(pledged_on, region)
    if congress is None:
        raise DomainError(f"缺少职工（代表）大会记录。依据：{rule}。", field="congress",
                          code="no_congress")
    if congress.kind not in CongressKind.values:
        raise DomainError("会议形式应为职工代表大会或职工大会。", field="kind")
    if congress.held_on is None:
        raise DomainError("请填写会议日期。", field="held_on")
    if congress.held_on > pledged_on:
        raise DomainError(
            f"会议日期（{congress.held_on:%Y-%m-%d}）晚于承诺日期（{pledged_on:%Y-%m-%d}）："
            f"须先经大会讨论确定，再提交承诺书。依据：{RULE_PLEDGE}。",
            field="held_on", code="congress_after_pledge",
        )
    present, total = congress.attendance_present, congress.attendance_total
    if total is None or total <= 0:
        raise DomainError("应出席人数应为正整数。", field="attendance_total")
    if present is None or present < 0:
        raise DomainError("出席人数应为非负整数。", field="attendance_present")
    if present > total:
        raise DomainError("出席人数不能多于应出席人数。", field="attendance_present")
    quorum = rules.quorum[congress.kind]
    if not quorum.reached(present, total):
        raise DomainError(
            f"出席人数 {present}/{total} 未达到法定人数（{quorum.share.numerator}/"
            f"{quorum.share.denominator} 以上），会议不能作出有效决定。依据：{quorum.rule}。",
            field="attendance_present", code="no_quorum",
        )
    if not (congress.resolution or "").strip():
        raise DomainError("请填写会议决议（大会讨论确定参加创建的结论）。", field="resolution")
    check_minutes_file(congress.minutes, rule=rule)


T = TypeVar("T")


def record_congress(actor, unit: Unit, congress: CongressInput, *, purpose: str, file_stem: str,
                    cited_by: Callable[[CongressRecord], T]) -> tuple[CongressRecord, T]:
    """Store the congress record of a unit's step (its pledge, its recognition application)
    with the minutes, and the row that cites it, made by ``cited_by(record)`` in the same
    savepoint; audited. Runs inside the calling service's transaction after that service has
    checked its scope and the congress (``check_congress``). A concurrent duplicate
    (IntegrityError from ``cited_by``) removes the stored minutes and is raised again for the
    caller to word."""
    record = CongressRecord(
        unit=unit, purpose=purpose, kind=congress.kind,
        held_on=congress.held_on, attendance_present=congress.attendance_present,
        attendance_total=congress.attendance_total, resolution=congress.resolution.strip(),
        minutes_name=(congress.minutes.name or "")[-255:], recorded_by=actor,
    )
    suffix = "." + congress.minutes.name.rsplit(".", 1)[-1].lower()
    record.minutes.save(f"{file_stem}{suffix}", congress.minutes, save=False)
    try:
        with transaction.atomic():
            record.save()
            citing = cited_by(record)
    except IntegrityError:
        record.minutes.delete(save=False)
        raise
    audit.record(actor, "campaigns.congress_record", record, after=audit.snapshot(record),
                 region_code=unit.region_id)
    return record, citing


def campaign_for_unit(unit: Unit, year: int) -> CampaignYear | None:
    """The campaign of ``year`` whose division holds the unit (the most local one)."""
    return (CampaignYear.objects.filter(year=year, region_id__in=codes.lineage(unit.region_id))
            .order_by("-region_id").first())


def pledge(actor, unit: Unit, *, year: int, pledged_on: datetime.date | None,
           congress: CongressInput | None) -> Pledge:
    """A unit admin pledges its own unit for ``year`` with the congress that discussed it."""
    scope = scope_for(actor, CAMPAIGNS_PLEDGE)
    if unit.pk not in scope.unit_ids:
        refuse(actor, CAMPAIGNS_VIEW, "创建承诺书只能由本单位经办人提交。", unit=unit)
    today = timezone.localdate()
    pledged_on = pledged_on or today
    if pledged_on > today:
        raise DomainError("承诺日期不能晚于今天。", field="pledged_on")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("创建年度应为四位年份。", field="year") from None
    if pledged_on.year != year:
        raise DomainError(f"承诺日期应在 {year} 年度内。", field="pledged_on")
    campaign = campaign_for_unit(unit, year)
    if campaign is None:
        raise DomainError(f"所在县（市、区）尚未开启 {year} 年度创建活动，暂不能提交承诺书。",
                          field="year", code="no_campaign")
    if Pledge.objects.filter(unit=unit, year=year).exists():
        raise DomainError(f"本单位已提交 {year} 年度创建承诺书，每年只能承诺一次。",
                          field="year", code="duplicate")
    check_congress(congress, pledged_on, region=unit.region_id)
    with transaction.atomic():
        try:
            __, made = record_congress(
                actor, unit, congress, purpose=CongressPurpose.PLEDGE,
                file_stem=f"{unit.pk}-pledge-{year}",
                cited_by=lambda record: Pledge.objects.create(
                    unit=unit, campaign=campaign, year=year, pledged_on=pledged_on,
                    congress=record, pledged_by=actor),
            )
        except IntegrityError as exc:  # a concurrent pledge of the same unit and year
            raise DomainError(f"本单位已提交 {year} 年度创建承诺书，每年只能承诺一次。",
                              field="year", code="duplicate") from exc
        audit.record(actor, "campaigns.pledge", made,
                     after=audit.snapshot(made) | {"rule": RULE_PLEDGE},
                     region_code=unit.region_id)
        events.record(made, PledgeEvent.Type.PLEDGED, actor, year=year, pledged_on=pledged_on,
                      congress_held_on=congress.held_on)
        notify([*recipients.offices_over(unit.region_id), *recipients.unit_admins(unit.pk)],
               "campaigns.pledged", f"{unit.name} 提交了 {year} 年度创建承诺书",
               f"承诺日期 {pledged_on:%Y-%m-%d}；职工（代表）大会 {congress.held_on:%Y-%m-%d}。",
               reverse("campaigns:plan", args=[campaign.pk]))
    return made


# --- cultivation plan ----------------------------------------------------------------------

def assign_cultivation(actor, pledge_obj: Pledge, *, cultivation_class: str,
                       target_year: int) -> CultivationPlanEntry:
    """The county office puts a pledged unit into a cultivation class with a target year."""
    unit = pledge_obj.unit
    scope = scope_for(actor, CAMPAIGNS_CULTIVATE)
    refuse_unless(scope.covers_region(unit.region_id), actor, CAMPAIGNS_VIEW,
                  "只有县（市、区）三方办公室可以安排分类培育计划。", unit=unit)
    rules = policy.current(region=unit.region_id)
    klass = rules.cultivation_class(cultivation_class or "")
    if klass is None:
        labels = "、".join(c.label for c in rules.cultivation_classes)
        raise DomainError(f"培育类别应为：{labels}。依据：{RULE_PLAN}。",
                          field="cultivation_class")
    try:
        target_year = int(target_year)
    except (TypeError, ValueError):
        raise DomainError("目标年度应为四位年份。", field="target_year") from None
    last = pledge_obj.year + rules.target_year_horizon
    if not pledge_obj.year <= target_year <= last:
        raise DomainError(
            f"目标年度应在 {pledge_obj.year} 至 {last} 年之间（分步推进）。依据：{RULE_PLAN}。",
            field="target_year",
        )
    with transaction.atomic():
        entry = (CultivationPlanEntry.objects.select_for_update()
                 .filter(pledge=pledge_obj).first())
        before = audit.snapshot(entry) if entry else None
        if entry is None:
            entry = CultivationPlanEntry(pledge=pledge_obj)
        entry.cultivation_class = klass.code
        entry.target_year = target_year
        entry.policy_version = rules.version
        entry.policy_id = rules.policy_id
        entry.assigned_by = actor
        if before and (before["cultivation_class"], before["target_year"]) == (
            klass.code, target_year
        ):
            return entry
        entry.save()
        audit.record(actor, "campaigns.assign_cultivation", entry, before=before,
                     after=audit.snapshot(entry), region_code=unit.region_id)
        events.record(pledge_obj, PledgeEvent.Type.CULTIVATION_ASSIGNED, actor,
                      cultivation_class=klass.code, class_label=klass.label,
                      target_year=target_year)
    return entry
