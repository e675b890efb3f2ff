"""Anonymous worker satisfaction surveys (seed 三（一）1⑪, 2⑦).

A round issues N single-use links. A link is stored only as a keyed hash with a used flag (no
time of use); an answer is stored with no reference to a link, a person, an address or a time,
under a random UUID key, and its comment apart from its scores. See docs/decisions.md D25.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from hexie.core.querysets import ScopedQuerySet


class SurveyRound(models.Model):
    """One survey round of one enterprise, for one campaign year."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "surveys.view"

    class State(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="survey_rounds",
                             verbose_name=_("单位"))
    year = models.PositiveSmallIntegerField(_("创建年度"))
    number = models.PositiveIntegerField(_("轮次"))
    set_id = models.CharField(_("适用标准"), max_length=4)
    # [[code, label], …] as asked: a later policy version never changes an old round.
    dimensions = models.JSONField(_("调查指标"))
    policy_version = models.CharField(_("调查规则版本"), max_length=32)
    policy = models.ForeignKey(
        "core.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("调查规则版本记录"),
    )
    workforce = models.PositiveIntegerField(_("职工人数"))
    minimum_sample = models.PositiveIntegerField(_("最低样本量"))
    link_count = models.PositiveIntegerField(_("链接数"))
    valid_until = models.DateTimeField(_("有效期至"))
    state = FSMField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("发起人"))
    opened_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True,
                                  verbose_name=_("结束人"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The result frozen when the round closes (selectors.compute_result's shape).
    result = models.JSONField(_("调查结果"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="survey_round_number_unique"),
        ]

    def __str__(self):
        return f"{self.year} 年度满意度调查第 {self.number} 轮 · {self.unit_id}"

    @transition(field=state, source=State.OPEN, target=State.CLOSED)
    def close(self):
        """Stop answers; the service freezes the result first."""


class SurveyLink(models.Model):
    """One single-use link: the keyed hash of its token and whether it was used — nothing
    else (no time of use, no order that an answer could be matched to)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["round", "used"], name="survey_link_round_used_idx")]

    def __str__(self):
        return f"link {self.pk}"


class SurveyAnswer(models.Model):
    """One worker's answers: one digit per dimension in the round's order ("45354435"), how
    many of them are satisfied and which (bit i = dimension i, so the result is integer sums,
    D25). Random key, no link, no time, no address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="answers")
    levels = models.CharField(max_length=16)
    satisfied = models.PositiveSmallIntegerField()
    satisfied_mask = models.PositiveIntegerField(default=0)

    def __str__(self):
        return str(self.pk)


class SurveyComment(models.Model):
    """An optional comment, kept apart from the scores it came with (random key, no time)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()

    def __str__(self):
        return str(self.pk)


class SurveyApplication(models.Model):
    """Provenance: a closed round's result written into a self-assessment's
    ``satisfaction_percent`` (which round, when, by whom, on how many answers)."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "surveys.view"

    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="applications",
                              verbose_name=_("满意度调查"))
    self_assessment = models.ForeignKey("assessments.SelfAssessment", on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("单位自评"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("单位"))
    year = models.PositiveSmallIntegerField(_("创建年度"))
    percent = models.DecimalField(_("综合满意度（%）"), max_digits=5, decimal_places=2)
    answers = models.PositiveIntegerField(_("有效答卷"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("写入人"))
    applied_at = models.DateTimeField(_("写入时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("满意度写入自评记录")
        verbose_name_plural = _("满意度写入自评记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["unit", "year"], name="survey_app_unit_year_idx")]

    def __str__(self):
        return f"{self.round} → {self.self_assessment_id}"
