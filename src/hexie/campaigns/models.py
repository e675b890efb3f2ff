"""The first steps of the creation campaign (seed 四（一）倡议承诺): a county's campaign year,
its initiative letters and their deliveries, the units' pledges with the congress that discussed
them, and the county's cultivation plan."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hexie.core.events import AggregateEvent, EventSpec
from hexie.core.querysets import ScopedQuerySet


class CampaignYear(models.Model):
    """One office's campaign for one year, for the office's own division."""

    scope_region_field = "region__code"
    scope_unit_field = None
    scope_permission = "campaigns.view"

    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, verbose_name=_("区划"), related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("创建年度"))
    policy_version = models.CharField(_("政策版本"), max_length=32)
    policy = models.ForeignKey(
        "core.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("所用政策版本"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("开启人"),
    )
    opened_at = models.DateTimeField(_("开启时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("创建年度")
        verbose_name_plural = _("创建年度")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="campaign_region_year_unique")
        ]

    def __str__(self):
        return f"{self.year} 年度 · {self.region_id}"


class InitiativeLetter(models.Model):
    """An initiative letter (倡议书) and the progress of its delivery."""

    scope_region_field = "campaign__region__code"
    scope_unit_field = None
    scope_permission = "campaigns.view"

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")

    campaign = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="letters", verbose_name=_("创建年度"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("发送人"),
    )
    sent_at = models.DateTimeField(_("发送时间"))
    late = models.BooleanField(_("逾期发送"), default=False,
                               help_text=_("不在创建年度第一季度内发送"))
    # The campaign policy version whose initiative window decided ``late``.
    policy = models.ForeignKey(
        "core.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("所用政策版本"),
    )
    filters = models.JSONField(_("发送范围条件"), default=dict, blank=True)
    target_count = models.PositiveIntegerField(_("目标单位数"), default=0)
    delivered_count = models.PositiveIntegerField(_("已送达单位数"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.QUEUED)
    finished_at = models.DateTimeField(_("送达完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("倡议书")
        verbose_name_plural = _("倡议书")
        ordering = ["-id"]

    def __str__(self):
        return self.title

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SENT:
            return 100
        if not self.target_count:
            return 0
        return min(100, self.delivered_count * 100 // self.target_count)


class LetterDelivery(models.Model):
    """One letter delivered to one unit (the unit sees it on its workbench)."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "campaigns.view"

    letter = models.ForeignKey(
        InitiativeLetter, on_delete=models.CASCADE, related_name="deliveries",
        verbose_name=_("倡议书"),
    )
    # A unit deleted as registered by mistake takes its deliveries with it; its pledges and
    # congress records (PROTECT) keep a unit that has taken part from being deleted.
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="letter_deliveries",
        verbose_name=_("单位"),
    )
    delivered_at = models.DateTimeField(_("送达时间"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("倡议书送达")
        verbose_name_plural = _("倡议书送达")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "unit"], name="delivery_letter_unit_unique")
        ]
        indexes = [models.Index(fields=["unit", "letter"], name="delivery_unit_idx")]

    def __str__(self):
        return f"{self.letter_id} → {self.unit_id}"


class CongressKind(models.TextChoices):
    WORKERS_REPRESENTATIVE_CONGRESS = "workers_representative_congress", _("职工代表大会")
    WORKERS_CONGRESS = "workers_congress", _("职工大会")


class CongressPurpose(models.TextChoices):
    PLEDGE = "pledge", _("创建承诺")
    APPLICATION = "application", _("认定申请")


class CongressRecord(models.Model):
    """The workers' (representative) congress that discussed a step (seed 四（一）、（二）)."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "campaigns.view_records"

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="congress_records",
        verbose_name=_("单位"),
    )
    purpose = models.CharField(_("议题"), max_length=16, choices=CongressPurpose.choices)
    kind = models.CharField(_("会议形式"), max_length=40, choices=CongressKind.choices)
    held_on = models.DateField(_("会议日期"))
    attendance_present = models.PositiveIntegerField(_("出席人数"))
    attendance_total = models.PositiveIntegerField(_("应出席人数"))
    resolution = models.TextField(_("会议决议"))
    minutes = models.FileField(_("会议记录"), upload_to="congress/%Y/%m/", max_length=255)
    minutes_name = models.CharField(_("原文件名"), max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("填报人"),
    )
    recorded_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("职工（代表）大会记录")
        verbose_name_plural = _("职工（代表）大会记录")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attendance_present__lte=models.F("attendance_total")),
                name="congress_present_within_total",
            ),
            models.CheckConstraint(condition=models.Q(attendance_total__gt=0),
                                   name="congress_total_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"


class Pledge(models.Model):
    """A unit's creation pledge (创建承诺书) for one year: it enters the creating-unit database."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "campaigns.view"

    class State(models.TextChoices):
        PLEDGED = "pledged", _("已承诺")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="pledges", verbose_name=_("单位"),
    )
    campaign = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="pledges",
        verbose_name=_("创建年度"),
    )
    year = models.PositiveSmallIntegerField(_("创建年度"))
    pledged_on = models.DateField(_("承诺日期"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices,
                             default=State.PLEDGED)
    congress = models.OneToOneField(
        CongressRecord, on_delete=models.PROTECT, related_name="pledge",
        verbose_name=_("职工（代表）大会记录"),
    )
    pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("承诺人"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("创建承诺书")
        verbose_name_plural = _("创建承诺书")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="pledge_unit_year_unique")
        ]

    def __str__(self):
        return f"{self.year} 年度创建承诺 · {self.unit_id}"


class CultivationPlanEntry(models.Model):
    """The county's plan for one pledged unit: its cultivation class and target year
    (分类培育、分步推进、分级选树)."""

    scope_region_field = "pledge__unit__region__code"
    scope_unit_field = "pledge__unit_id"
    scope_permission = "campaigns.view"

    pledge = models.OneToOneField(
        Pledge, on_delete=models.CASCADE, related_name="cultivation",
        verbose_name=_("创建承诺书"),
    )
    cultivation_class = models.CharField(_("培育类别"), max_length=32)
    target_year = models.PositiveSmallIntegerField(_("目标年度"))
    policy_version = models.CharField(_("政策版本"), max_length=32)
    policy = models.ForeignKey(
        "core.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("所用政策版本"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("安排人"),
    )
    assigned_at = models.DateTimeField(_("安排时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培育计划")
        verbose_name_plural = _("培育计划")
        ordering = ["-id"]
        indexes = [models.Index(fields=["cultivation_class"], name="cultivation_class_idx")]

    def __str__(self):
        return f"{self.pledge_id} {self.cultivation_class} {self.target_year}"


class PledgeEvent(AggregateEvent):
    """The history of one pledge (办理记录): pledged, then placed in the county's plan."""

    class Type(models.TextChoices):
        PLEDGED = "pledged", _("提交创建承诺书")
        CULTIVATION_ASSIGNED = "cultivation_assigned", _("安排分类培育")

    SPECS = {
        Type.PLEDGED: EventSpec(
            ("year", "pledged_on", "congress_held_on"),
            _("经职工（代表）大会（%(congress_held_on)s）讨论确定，提交 %(year)s 年度创建承诺书，"
              "承诺日期 %(pledged_on)s")),
        Type.CULTIVATION_ASSIGNED: EventSpec(
            ("cultivation_class", "class_label", "target_year"),
            _("列入分类培育计划：%(class_label)s，目标年度 %(target_year)s 年")),
    }
    AGGREGATE_FIELD = "pledge"

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="events",
                               verbose_name=_("创建承诺书"))
    type = models.CharField(_("事件类型"), max_length=32, choices=Type.choices)

    class Meta(AggregateEvent.Meta):
        verbose_name = _("承诺书办理记录")
        verbose_name_plural = _("承诺书办理记录")
