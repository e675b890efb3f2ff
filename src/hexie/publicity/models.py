"""Public notice (公示) of recognised units, objections received in its window, and the year's
published list of 和谐劳动关系单位 (seed 四（三）"向社会公布名单"). Published lists are public."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from hexie.core.querysets import ScopedQuerySet


class PublicNotice(models.Model):
    """A county's public notice of the units it intends to recognise for a year."""

    scope_region_field = "region__code"
    scope_unit_field = None
    scope_permission = "recognition.view"

    class State(models.TextChoices):
        OPEN = "open", _("公示中")
        CLOSED = "closed", _("公示结束")

    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划"),
    )
    year = models.PositiveSmallIntegerField(_("认定年度"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("公示说明"), blank=True)
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示截止日期"))
    policy_version = models.CharField(_("规则版本"), max_length=32)
    # The recognition PolicyVersion whose notice period this notice runs for.
    policy = models.ForeignKey(
        "core.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("所用规则版本"),
    )
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["region", "year"], name="notice_region_year_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="notice_period_ordered"),
        ]

    def __str__(self):
        return self.title

    @transition(field=state, source=State.OPEN, target=State.CLOSED)
    def close(self):
        """The period is over and every objection is handled."""


class Objection(models.Model):
    """An objection (异议) to one unit on notice, received within the notice period."""

    scope_region_field = "recognition__unit__region__code"
    scope_unit_field = "recognition__unit_id"
    scope_permission = "recognition.view"

    class State(models.TextChoices):
        RECEIVED = "received", _("已受理，待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    notice = models.ForeignKey(
        PublicNotice, on_delete=models.PROTECT, related_name="objections",
        verbose_name=_("公示"),
    )
    recognition = models.ForeignKey(
        "recognition.Recognition", on_delete=models.PROTECT, related_name="objections",
        verbose_name=_("被异议单位"),
    )
    received_on = models.DateField(_("收到日期"))
    channel = models.CharField(_("来源渠道"), max_length=32, blank=True)
    content = models.TextField(_("异议内容"))
    contact = models.CharField(_("联系方式（可不填）"), max_length=100, blank=True)
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.RECEIVED)
    finding = models.TextField(_("核查情况"), blank=True)
    answer = models.TextField(_("答复"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-id"]

    def __str__(self):
        return f"异议 · {self.recognition_id}"

    @transition(field=state, source=State.RECEIVED, target=State.UPHELD)
    def uphold(self):
        """Upheld: the unit comes off the list."""

    @transition(field=state, source=State.RECEIVED, target=State.DISMISSED)
    def dismiss(self):
        """Dismissed with an answer; the unit stays."""


class PublishedList(models.Model):
    """A county's published list of 和谐劳动关系单位 for a year (final; public)."""

    scope_region_field = "region__code"
    scope_unit_field = None
    scope_permission = "recognition.view"

    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划"),
    )
    year = models.PositiveSmallIntegerField(_("认定年度"))
    title = models.CharField(_("标题"), max_length=200)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("公布时间"))
    entry_count = models.PositiveIntegerField(_("单位数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公布名单")
        verbose_name_plural = _("公布名单")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="published_list_region_year")
        ]

    def __str__(self):
        return self.title


class PublishedEntry(models.Model):
    """One unit on a published list, as it stood when published (a later rename of the unit
    does not rewrite what the public was told)."""

    scope_region_field = "region_code"
    scope_unit_field = None
    scope_permission = "recognition.view"

    published_list = models.ForeignKey(
        PublishedList, on_delete=models.CASCADE, related_name="entries",
        verbose_name=_("公布名单"),
    )
    recognition = models.OneToOneField(
        "recognition.Recognition", on_delete=models.PROTECT, related_name="published_entry",
        verbose_name=_("认定"),
    )
    # The list's year, repeated here so that the public page filters and orders one table
    # (year, region, id) from one index (migration 0004; docs/decisions.md D22).
    year = models.PositiveSmallIntegerField(_("认定年度"), null=True)
    unit_name = models.CharField(_("单位名称"), max_length=200)
    identifier = models.CharField(_("统一社会信用代码 / 项目代码"), max_length=64, blank=True)
    kind = models.CharField(_("单位类型"), max_length=24)
    region_code = models.CharField(_("所在区划代码"), max_length=12)
    region_name = models.CharField(_("所在区划"), max_length=100)
    # What the public search looks in: the name and the identifier, upper-cased, joined by a
    # control character that no search text can hold (the search strips them), so a match
    # never spans both. One stored column: no UPPER() per row, one LIKE instead of two, and on
    # PostgreSQL one trigram index (migration 0006). Written by ``search_key``.
    search_text = models.TextField(_("检索文本"), blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公布名单条目")
        verbose_name_plural = _("公布名单条目")
        ordering = ["published_list_id", "region_code", "id"]
        indexes = [
            models.Index(fields=["region_code"], name="published_entry_region_idx"),
            # Region-prefix filters of the public page (LIKE '3301%') on PostgreSQL; the name
            # and code searches use the trigram indexes of migration 0003.
            models.Index(fields=["region_code"], name="published_entry_region_pfx",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["-year", "region_code", "id"], name="published_entry_order"),
        ]

    def __str__(self):
        return self.unit_name

    @staticmethod
    def search_key(unit_name: str, identifier: str) -> str:
        return f"{unit_name.upper()}\x1f{identifier.upper()}"
