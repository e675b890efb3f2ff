"""Self-assessment (单位自评, seed 四（二）): a pledged unit measures itself against its standard
set, with evidence per item. Drafts can be saved; each submission is kept for good and pinned to
the exact standard library version it was evaluated against."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from hexie.core.events import AggregateEvent, EventSpec
from hexie.core.querysets import ScopedQuerySet


class SelfAssessment(models.Model):
    """One self-assessment of one unit for one campaign year.

    A unit has at most one open draft per year. Submitting freezes the row (facts, the
    evaluation result and the evidence list stay as they were); the next edit starts a new
    draft that copies the last submission's facts and evidence.
    """

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "assessments.view"

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="self_assessments",
        verbose_name=_("单位"),
    )
    pledge = models.ForeignKey(
        "campaigns.Pledge", on_delete=models.PROTECT, related_name="self_assessments",
        verbose_name=_("创建承诺书"),
    )
    year = models.PositiveSmallIntegerField(_("创建年度"))
    standard = models.ForeignKey(
        "standards.StandardLibrary", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("标准库版本"),
    )
    # The unit as evaluated: {"kind", "size", "platform"} at the time (a later size change does
    # not alter a submitted result).
    profile = models.JSONField(_("单位情况"), default=dict)
    facts = models.JSONField(_("自评数据"), default=dict, blank=True)
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    # 1, 2, 3 … for submissions of the same unit and year; null while a draft.
    sequence = models.PositiveIntegerField(_("提交序号"), null=True, blank=True)
    # The evaluator's full response (standards.contract) at submission; the latest live
    # evaluation while a draft.
    result = models.JSONField(_("评价结果"), null=True, blank=True)
    meets = models.BooleanField(_("达到创建标准"), null=True)
    evidence_complete = models.BooleanField(_("证明材料齐全"), null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位自评")
        verbose_name_plural = _("单位自评")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], condition=models.Q(state="draft"),
                                    name="self_assessment_one_draft"),
            models.UniqueConstraint(fields=["unit", "year", "sequence"],
                                    name="self_assessment_sequence_unique"),
        ]
        indexes = [models.Index(fields=["unit", "year", "state"], name="sa_unit_year_state_idx")]

    def __str__(self):
        return f"{self.year} 年度单位自评 · {self.unit_id}"

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self):
        """Freeze the draft (the service fills result, sequence and who/when first)."""


class Evidence(models.Model):
    """One evidence file (证明材料) attached to one item of a self-assessment. Files live under
    MEDIA_ROOT (outside the web root) and are served only through the scope check."""

    scope_region_field = "self_assessment__unit__region__code"
    scope_unit_field = "self_assessment__unit_id"
    scope_permission = "assessments.view"

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="evidence",
        verbose_name=_("单位自评"),
    )
    item_id = models.CharField(_("指标"), max_length=32)
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/", max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    file_type = models.CharField(_("文件类型"), max_length=8)  # pdf, png, jpeg, docx, xlsx …
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("内容哈希"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["item_id", "id"]
        indexes = [models.Index(fields=["self_assessment", "item_id"], name="evidence_sa_item_idx")]

    def __str__(self):
        return f"{self.item_id} · {self.original_name}"


def _started(p: dict) -> str:
    if p["copied_from_sequence"]:
        return _("开始自评草稿（标准库 %(standard)s），沿用第 %(seq)s 次提交的数据和 "
                 "%(n)s 份证明材料") % {"standard": p["standard"],
                                      "seq": p["copied_from_sequence"],
                                      "n": p["evidence_copied"]}
    return _("开始自评草稿（标准库 %(standard)s）") % {"standard": p["standard"]}


def _submitted(p: dict) -> str:
    return _("提交第 %(seq)s 次单位自评：%(verdict)s，%(evidence)s") % {
        "seq": p["sequence"],
        "verdict": _("达到创建标准") if p["meets"] else _("未达到创建标准"),
        "evidence": _("证明材料齐全") if p["evidence_complete"] else _("证明材料不齐全"),
    }


class SelfAssessmentEvent(AggregateEvent):
    """The history of one self-assessment row (办理记录): started, facts saved, evidence added
    or removed, submitted."""

    class Type(models.TextChoices):
        STARTED = "started", _("开始自评")
        FACTS_SAVED = "facts_saved", _("保存自评数据")
        EVIDENCE_ADDED = "evidence_added", _("上传证明材料")
        EVIDENCE_REMOVED = "evidence_removed", _("删除证明材料")
        SUBMITTED = "submitted", _("提交自评")

    SPECS = {
        Type.STARTED: EventSpec(("standard", "copied_from_sequence", "evidence_copied"),
                                _started),
        Type.FACTS_SAVED: EventSpec(("changed",),
                                    _("保存自评草稿，修改了 %(changed)s 项数据")),
        Type.EVIDENCE_ADDED: EventSpec(("item_id", "file_name"),
                                       _("为指标 %(item_id)s 上传证明材料“%(file_name)s”")),
        Type.EVIDENCE_REMOVED: EventSpec(("item_id", "file_name"),
                                         _("删除指标 %(item_id)s 的证明材料“%(file_name)s”")),
        Type.SUBMITTED: EventSpec(("sequence", "meets", "evidence_complete", "standard"),
                                  _submitted),
    }
    AGGREGATE_FIELD = "self_assessment"

    self_assessment = models.ForeignKey(SelfAssessment, on_delete=models.PROTECT,
                                        related_name="events", verbose_name=_("单位自评"))
    type = models.CharField(_("事件类型"), max_length=32, choices=Type.choices)

    class Meta(AggregateEvent.Meta):
        verbose_name = _("单位自评办理记录")
        verbose_name_plural = _("单位自评办理记录")
