"""The yearly online employment health check (线上用工体检, seed 四（四）创建培育): the loaded
catalogue versions, one check per unit and year, its findings and their remediation tasks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from hexie.core.events import AggregateEvent, EventSpec
from hexie.core.querysets import ScopedQuerySet


class Level(models.TextChoices):
    GREEN = "green", _("绿色（低风险）")
    YELLOW = "yellow", _("黄色（中风险）")
    RED = "red", _("红色（高风险）")


class Answer(models.TextChoices):
    YES = "yes", _("是")
    NO = "no", _("否")
    NA = "na", _("不适用")


class CatalogueVersion(models.Model):
    """One loaded version of a health-check catalogue. A version, once stored, never changes."""

    immutable = True  # save() refuses an update; the admin shows it view-only

    catalogue_id = models.CharField(_("目录标识"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=200)
    issuer = models.CharField(_("发布机构"), max_length=200)
    effective = models.DateField(_("施行日期"))
    source = models.TextField(_("依据"))
    content = models.JSONField(_("内容"))
    sha256 = models.CharField(_("内容哈希"), max_length=64)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("体检目录版本")
        verbose_name_plural = _("体检目录版本")
        ordering = ["catalogue_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue_id", "version"],
                                    name="hc_catalogue_version_unique")
        ]

    def __str__(self):
        return f"{self.title}（{self.catalogue_id} 第 {self.version} 版）"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a loaded health-check catalogue version is immutable")
        super().save(*args, **kwargs)

    @property
    def key(self) -> str:
        return f"{self.catalogue_id}@{self.version}"


class HealthCheck(models.Model):
    """One unit's health check of one year, pinned to the catalogue version it was made with."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "healthcheck.view"

    class State(models.TextChoices):
        OPEN = "open", _("待填报")
        SUBMITTED = "submitted", _("已提交（整改中）")
        CLOSED = "closed", _("已完成")

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT,
                             related_name="health_checks", verbose_name=_("单位"))
    year = models.PositiveSmallIntegerField(_("体检年度"))
    catalogue = models.ForeignKey(CatalogueVersion, on_delete=models.PROTECT,
                                  related_name="checks", verbose_name=_("体检目录版本"))
    # The health-check PolicyVersion the check was organised under (year rule, catalogue).
    policy = models.ForeignKey("core.PolicyVersion", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", verbose_name=_("所用规则版本"))
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    # The office that organised it (county or town/park) and whether the unit had pledged.
    organised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("组织人"))
    organised_region = models.CharField(_("组织办公室区划"), max_length=12)
    organised_at = models.DateTimeField(_("组织时间"), auto_now_add=True)
    pledged = models.BooleanField(_("已提交创建承诺"), default=True)
    # The unit as checked: {"kind", "size", "platform"} (fixed at submission).
    profile = models.JSONField(_("单位情况"), default=dict, blank=True)
    answers = models.JSONField(_("答卷"), default=dict, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True,
                                    verbose_name=_("填报人"))
    answered_at = models.DateTimeField(_("最近保存时间"), null=True, blank=True)
    score = models.DecimalField(_("风险分"), max_digits=4, decimal_places=1, null=True,
                                blank=True)
    level = models.CharField(_("风险等级"), max_length=8, choices=Level.choices, blank=True)
    area_results = models.JSONField(_("分领域结果"), default=dict, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", null=True, blank=True,
                                     verbose_name=_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("线上用工体检")
        verbose_name_plural = _("线上用工体检")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="hc_one_check_per_unit_year")
        ]
        indexes = [models.Index(fields=["year", "state"], name="hc_year_state_idx")]

    def __str__(self):
        return f"{self.year} 年度线上用工体检 · {self.unit_id}"

    @transition(field=state, source=State.OPEN, target=State.SUBMITTED)
    def submit(self):
        """Freeze the answers (the service fills score, level and findings first)."""

    @transition(field=state, source=State.SUBMITTED, target=State.CLOSED)
    def close(self):
        """Every remediation task accepted by the office (or nothing to remediate)."""


class Finding(models.Model):
    """One failed item of a submitted check, with the legal basis as it stood then."""

    scope_region_field = "health_check__unit__region__code"
    scope_unit_field = "health_check__unit_id"
    scope_permission = "healthcheck.view"

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE,
                                     related_name="findings", verbose_name=_("体检"))
    item_id = models.CharField(_("条目"), max_length=16)
    area = models.CharField(_("领域"), max_length=4)
    area_name = models.CharField(_("领域名称"), max_length=64)
    question = models.TextField(_("体检问题"))
    risk_level = models.CharField(_("风险等级"), max_length=8, choices=Level.choices)
    legal_basis = models.JSONField(_("法律依据"), default=list)
    evidence_expected = models.TextField(_("应备材料"))
    advice = models.TextField(_("整改建议"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("体检发现")
        verbose_name_plural = _("体检发现")
        ordering = ["health_check_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["health_check", "item_id"], name="hc_finding_unique")
        ]

    def __str__(self):
        return f"{self.item_id} · {self.health_check_id}"


class RemediationTask(models.Model):
    """The unit's task to remedy one finding, closed with evidence and followed up by the
    office."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "healthcheck.view"

    class State(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("待跟进")
        ACCEPTED = "accepted", _("已通过")

    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="task",
                                   verbose_name=_("体检发现"))
    # The unit again, so scope filters and to-do counts need no join through the check.
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT,
                             related_name="remediation_tasks", verbose_name=_("单位"))
    due_on = models.DateField(_("整改期限"))
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    evidence = models.FileField(_("整改材料"), upload_to="healthcheck/%Y/%m/", max_length=255,
                                blank=True)
    evidence_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    evidence_type = models.CharField(_("文件类型"), max_length=8, blank=True)
    evidence_sha256 = models.CharField(_("内容哈希"), max_length=64, blank=True)
    note = models.TextField(_("整改说明"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", null=True, blank=True,
                                     verbose_name=_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True,
                                    verbose_name=_("跟进人"))
    reviewed_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)
    review_note = models.TextField(_("跟进意见"), blank=True)
    rounds = models.PositiveSmallIntegerField(_("退回次数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改任务")
        verbose_name_plural = _("整改任务")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["unit", "state", "due_on"], name="hc_task_unit_idx")]

    def __str__(self):
        return f"整改 {self.finding.item_id} · {self.unit_id}"

    @transition(field=state, source=State.OPEN, target=State.SUBMITTED)
    def submit(self):
        """The unit says it has remedied the finding, with evidence."""

    @transition(field=state, source=State.SUBMITTED, target=State.ACCEPTED)
    def accept(self):
        """The office is satisfied."""

    @transition(field=state, source=State.SUBMITTED, target=State.OPEN)
    def reopen(self):
        """The office sends it back with a note."""


def _closed(p: dict) -> str:
    if p["findings"]:
        return _("%(n)s 项整改全部通过，体检完成") % {"n": p["findings"]}
    return _("未发现问题，体检完成")


class HealthCheckEvent(AggregateEvent):
    """The history of one health check (办理记录): organised, answered, submitted, each
    remediation task handed in and followed up, completed."""

    class Type(models.TextChoices):
        ORGANISED = "organised", _("组织体检")
        ANSWERS_SAVED = "answers_saved", _("保存答卷")
        SUBMITTED = "submitted", _("提交体检")
        TASK_SUBMITTED = "task_submitted", _("提交整改材料")
        TASK_ACCEPTED = "task_accepted", _("整改通过")
        TASK_RETURNED = "task_returned", _("整改退回")
        CLOSED = "closed", _("体检完成")

    SPECS = {
        Type.ORGANISED: EventSpec(("year", "catalogue"),
                                  _("组织 %(year)s 年度线上用工体检（体检目录 %(catalogue)s）")),
        Type.ANSWERS_SAVED: EventSpec(("answered",), _("保存答卷，已回答 %(answered)s 项")),
        Type.SUBMITTED: EventSpec(
            ("score", "level", "level_label", "findings"),
            _("提交体检：风险分 %(score)s，%(level_label)s，发现问题 %(findings)s 项")),
        Type.TASK_SUBMITTED: EventSpec(("item_id", "file_name"),
                                       _("提交 %(item_id)s 的整改材料“%(file_name)s”")),
        Type.TASK_ACCEPTED: EventSpec(("item_id",), _("%(item_id)s 整改通过")),
        Type.TASK_RETURNED: EventSpec(("item_id", "note"),
                                      _("%(item_id)s 整改退回：%(note)s")),
        Type.CLOSED: EventSpec(("findings",), _closed),
    }
    AGGREGATE_FIELD = "health_check"

    health_check = models.ForeignKey(HealthCheck, on_delete=models.PROTECT,
                                     related_name="events", verbose_name=_("体检"))
    type = models.CharField(_("事件类型"), max_length=32, choices=Type.choices)

    class Meta(AggregateEvent.Meta):
        verbose_name = _("体检办理记录")
        verbose_name_plural = _("体检办理记录")
