"""Application for recognition (认定申请, seed 四（二）), its review (评审评估, seed 四（三）)
and the resulting title of 和谐劳动关系单位 for a year. The public notice and the published
list live in ``hexie.publicity``.

Every case record declares its transitions (django-fsm-2); services check the seed rule, then
advance the state, audit and notify in one transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from hexie.accounts.models import TripartiteSide
from hexie.core.events import AggregateEvent, EventSpec
from hexie.core.querysets import ScopedQuerySet


class Application(models.Model):
    """One unit's application for recognition in one year (one per unit per year)."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "recognition.view"

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已申请，待受理")
        IN_REVIEW = "in_review", _("评审中")
        PASSED = "passed", _("评审通过")
        FAILED = "failed", _("评审未通过")
        APPEALED = "appealed", _("申诉中")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("单位"),
    )
    pledge = models.ForeignKey(
        "campaigns.Pledge", on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("创建承诺书"),
    )
    year = models.PositiveSmallIntegerField(_("创建年度"))
    # The submitted self-assessment the application rests on (the latest one at applying).
    self_assessment = models.ForeignKey(
        "assessments.SelfAssessment", on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("单位自评"),
    )
    # The second congress record: the congress approved applying (seed 四（二）"经职工代表大会或
    # 职工大会讨论通过后").
    congress = models.OneToOneField(
        "campaigns.CongressRecord", on_delete=models.PROTECT, related_name="application",
        verbose_name=_("职工（代表）大会记录"),
    )
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("申请人"),
    )
    submitted_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    # The combined review conclusion (tripartite leads, third party supplements), computed
    # when the county decides: {"tripartite": …, "third_party": …, "weights": …, "score": …}.
    conclusion = models.JSONField(_("综合评审结论"), null=True, blank=True)
    review_policy_version = models.CharField(_("评审规则版本"), max_length=32, blank=True)
    # The recognition PolicyVersion the decision was made under (see services.rules_for).
    review_policy = models.ForeignKey(
        "core.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("评审规则版本记录"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    # 1 for the first review; an accepted appeal opens round 2 with new assignments.
    review_round = models.PositiveSmallIntegerField(_("评审轮次"), default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("认定申请")
        verbose_name_plural = _("认定申请")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="application_unit_year_unique")
        ]
        indexes = [models.Index(fields=["year", "state"], name="application_year_state_idx")]

    def __str__(self):
        return f"{self.year} 年度认定申请 · {self.unit_id}"

    @transition(field=state, source=State.SUBMITTED, target=State.IN_REVIEW)
    def start_review(self):
        """The county accepted the application and assigned its reviewers."""

    @transition(field=state, source=[State.IN_REVIEW, State.APPEALED], target=State.PASSED)
    def pass_review(self):
        """The county decided: passed (seed 四（三）"评估通过即可认定其为和谐劳动关系单位")."""

    @transition(field=state, source=[State.IN_REVIEW, State.APPEALED], target=State.FAILED)
    def fail_review(self):
        """The county decided: not passed, with a reason."""

    @transition(field=state, source=State.FAILED, target=State.APPEALED)
    def appeal(self):
        """The unit appealed a fail; the county reviews again and decides again."""


class ReviewAssignment(models.Model):
    """One reviewer's part of an application's review: the county's own staff (tripartite
    review) or a third-party assessor organisation (social assessment, seed 四（三）)."""

    scope_region_field = "application__unit__region__code"
    scope_unit_field = "application__unit_id"
    scope_permission = "recognition.view"

    class Track(models.TextChoices):
        TRIPARTITE = "tripartite", _("三方评审")
        THIRD_PARTY = "third_party", _("第三方评估")

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("待评审")
        SUBMITTED = "submitted", _("已提交评审意见")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments",
        verbose_name=_("认定申请"),
    )
    track = models.CharField(_("评审类别"), max_length=16, choices=Track.choices)
    # The application's review round this assignment belongs to (a new round after an
    # accepted appeal; the earlier round's opinions stay on record).
    round = models.PositiveSmallIntegerField(_("评审轮次"), default=1)
    # Tripartite: the named staff member. Third party: the organisation; any of its assessors
    # may fill it in (``submitted_by`` records who did).
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments",
        null=True, blank=True, verbose_name=_("评审人"),
    )
    organisation = models.ForeignKey(
        "accounts.AssessorOrganisation", on_delete=models.PROTECT,
        related_name="review_assignments", null=True, blank=True,
        verbose_name=_("第三方评估机构"),
    )
    # Tripartite: the side the reviewer sits on (政府方 for the county office's staff, 工会方 or
    # 企业方 for a member of the county's partner organisation, kept as it was when assigned).
    side = models.CharField(_("三方评审所属方"), max_length=16, choices=TripartiteSide.choices,
                            blank=True)
    partner_organisation = models.ForeignKey(
        "accounts.PartnerOrganisation", on_delete=models.PROTECT,
        related_name="review_assignments", null=True, blank=True,
        verbose_name=_("所属合作组织"),
    )
    due_on = models.DateField(_("评审截止日期"))
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.ASSIGNED)
    site_visit_on = models.DateField(_("实地核查日期"), null=True, blank=True)
    site_visit_notes = models.TextField(_("实地核查记录"), blank=True)
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    recommend_pass = models.BooleanField(_("建议通过"), null=True)
    comment = models.TextField(_("评审意见"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("指派人"),
    )
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(track="tripartite", reviewer__isnull=False,
                                    organisation__isnull=True)
                           | models.Q(track="third_party", organisation__isnull=False)),
                name="assignment_reviewer_matches_track",
            ),
            # A tripartite reviewer sits on one side; a partner organisation only with a
            # partner's side; the third party has neither.
            models.CheckConstraint(
                condition=(models.Q(track="tripartite", side="government",
                                    partner_organisation__isnull=True)
                           | models.Q(track="tripartite", side__in=["union", "enterprise"],
                                      partner_organisation__isnull=False)
                           | models.Q(track="third_party", side="",
                                      partner_organisation__isnull=True)),
                name="assignment_side_matches_track",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "state"], name="assignment_reviewer_idx"),
            models.Index(fields=["organisation", "state"], name="assignment_org_idx"),
        ]

    def __str__(self):
        return f"{self.get_track_display()} · {self.application_id}"

    @property
    def reviewer_label(self) -> str:
        """"西湖区总工会：张三" for a partner, the name for county staff, else the organisation."""
        if self.reviewer_id is None:
            return str(self.organisation)
        if self.partner_organisation_id:
            return f"{self.partner_organisation}：{self.reviewer}"
        return str(self.reviewer)

    @transition(field=state, source=State.ASSIGNED, target=State.SUBMITTED)
    def submit(self):
        """The reviewer submitted opinions on every criterion and the site visit."""


class CriterionOpinion(models.Model):
    """A reviewer confirms or rejects one criterion of the unit's standard set."""

    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="opinions",
        verbose_name=_("评审任务"),
    )
    criterion_id = models.CharField(_("标准条目"), max_length=16)
    confirmed = models.BooleanField(_("确认达标"))
    comment = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("逐条评审意见")
        verbose_name_plural = _("逐条评审意见")
        ordering = ["assignment_id", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion_id"],
                                    name="opinion_assignment_criterion_unique")
        ]

    def __str__(self):
        return f"{self.criterion_id} {'✓' if self.confirmed else '✗'}"


class Appeal(models.Model):
    """A unit's appeal against a failed application (it may also re-apply next year)."""

    scope_region_field = "application__unit__region__code"
    scope_unit_field = "application__unit_id"
    scope_permission = "recognition.view"

    class State(models.TextChoices):
        FILED = "filed", _("已提出")
        ACCEPTED = "accepted", _("已受理，重新评审")
        REJECTED = "rejected", _("已驳回")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="appeals",
        verbose_name=_("认定申请"),
    )
    reason = models.TextField(_("申诉理由"))
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.FILED)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("申诉人"),
    )
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-id"]

    def __str__(self):
        return f"申诉 · {self.application_id}"

    @transition(field=state, source=State.FILED, target=State.ACCEPTED)
    def accept(self):
        """Accepted: the application goes back to review."""

    @transition(field=state, source=State.FILED, target=State.REJECTED)
    def reject(self):
        """Rejected with an answer; the fail stands."""


class Recognition(models.Model):
    """The title 和谐劳动关系单位 of one unit for one year, from a passed application.

    It is final only once published: on public notice an upheld objection removes it.
    """

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "recognition.view"

    class State(models.TextChoices):
        PENDING = "pending", _("待公示")
        ON_NOTICE = "on_notice", _("公示中")
        CONFIRMED = "confirmed", _("公示无异议")
        REMOVED = "removed", _("异议成立，已撤销")
        PUBLISHED = "published", _("已公布")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="recognitions",
        verbose_name=_("单位"),
    )
    year = models.PositiveSmallIntegerField(_("认定年度"))
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="recognition",
        verbose_name=_("认定申请"),
    )
    # The county whose office recognised the unit (the published list is per county and year).
    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("认定区划"),
    )
    state = FSMField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    recognised_on = models.DateField(_("认定日期"))
    notice = models.ForeignKey(
        "publicity.PublicNotice", on_delete=models.PROTECT, related_name="recognitions",
        null=True, blank=True, verbose_name=_("公示"),
    )
    published_list = models.ForeignKey(
        "publicity.PublishedList", on_delete=models.PROTECT, related_name="recognitions",
        null=True, blank=True, verbose_name=_("公布名单"),
    )
    removed_reason = models.TextField(_("撤销理由"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("和谐劳动关系单位认定")
        verbose_name_plural = _("和谐劳动关系单位认定")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="recognition_unit_year_unique")
        ]
        indexes = [models.Index(fields=["region", "year", "state"],
                                name="recognition_region_year_idx")]

    def __str__(self):
        return f"{self.year} 年度和谐劳动关系单位 · {self.unit_id}"

    @transition(field=state, source=State.PENDING, target=State.ON_NOTICE)
    def put_on_notice(self):
        """Put on public notice (公示) with the notice's period."""

    @transition(field=state, source=State.ON_NOTICE, target=State.CONFIRMED)
    def confirm(self):
        """The notice period ended with no upheld objection."""

    @transition(field=state, source=[State.PENDING, State.ON_NOTICE, State.CONFIRMED],
                target=State.REMOVED)
    def remove(self):
        """An objection was upheld: the unit comes off the list."""

    @transition(field=state, source=[State.PENDING, State.CONFIRMED], target=State.PUBLISHED)
    def publish(self):
        """Published in the year's list (seed 四（三）"向社会公布名单")."""


def _assigned(p: dict) -> str:
    who = "、".join(p["staff"])
    if p["organisation"]:
        who = _("%(staff)s，第三方评估机构%(org)s") % {"staff": who, "org": p["organisation"]}
    return _("受理并指派第 %(round)s 轮评审人员：%(who)s；截止日期 %(due)s") % {
        "round": p["round"], "who": who, "due": p["due_on"]}


def _reviewed(p: dict) -> str:
    score = _("，评分 %(score)s") % {"score": p["score"]} if p["score"] is not None else ""
    verdict = _("建议通过") if p["recommend_pass"] else _("建议不通过")
    return _("提交%(track)s意见：%(verdict)s%(score)s") % {
        "track": p["track_label"], "verdict": verdict, "score": score}


def _passed(p: dict) -> str:
    score = _("（综合评分 %(score)s）") % {"score": p["score"]} if p["score"] else ""
    return _("作出认定决定：评审通过，认定为和谐劳动关系单位%(score)s。理由：%(reason)s") % {
        "score": score, "reason": p["reason"]}


class ApplicationEvent(AggregateEvent):
    """The history of one application (办理记录): applied, accepted and assigned, each review,
    the decision, the appeal and how it was handled."""

    class Type(models.TextChoices):
        SUBMITTED = "submitted", _("提出认定申请")
        REVIEWERS_ASSIGNED = "reviewers_assigned", _("受理并指派评审")
        REVIEW_SUBMITTED = "review_submitted", _("提交评审意见")
        PASSED = "passed", _("认定通过")
        FAILED = "failed", _("认定未通过")
        APPEALED = "appealed", _("提出申诉")
        APPEAL_ACCEPTED = "appeal_accepted", _("受理申诉")
        APPEAL_REJECTED = "appeal_rejected", _("驳回申诉")

    SPECS = {
        Type.SUBMITTED: EventSpec(
            ("year", "self_assessment_sequence", "congress_held_on"),
            _("经职工（代表）大会（%(congress_held_on)s）讨论通过，依据第 "
              "%(self_assessment_sequence)s 次单位自评提出 %(year)s 年度认定申请")),
        Type.REVIEWERS_ASSIGNED: EventSpec(("round", "staff", "organisation", "due_on"),
                                           _assigned),
        Type.REVIEW_SUBMITTED: EventSpec(("track", "track_label", "recommend_pass", "score"),
                                         _reviewed),
        Type.PASSED: EventSpec(("score", "reason"), _passed),
        Type.FAILED: EventSpec(("reason",), _("作出认定决定：评审未通过。理由：%(reason)s")),
        Type.APPEALED: EventSpec(("reason",), _("对认定结果提出申诉。理由：%(reason)s")),
        Type.APPEAL_ACCEPTED: EventSpec(("round", "answer"),
                                        _("受理申诉，进入第 %(round)s 轮评审。答复：%(answer)s")),
        Type.APPEAL_REJECTED: EventSpec(("answer",),
                                        _("驳回申诉，原认定结果不变。答复：%(answer)s")),
    }
    AGGREGATE_FIELD = "application"

    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="events", verbose_name=_("认定申请"))
    type = models.CharField(_("事件类型"), max_length=32, choices=Type.choices)

    class Meta(AggregateEvent.Meta):
        verbose_name = _("认定申请办理记录")
        verbose_name_plural = _("认定申请办理记录")
