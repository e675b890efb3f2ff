"""The creating-unit registry (创建单位信息库): the five kinds of DOMAIN.md §2 in one table.

One table rather than one per kind: every list, filter, scope check and later workflow works on
"a unit" whatever its kind, and a million rows stay one index range. Kind-specific fields are
nullable and the validator says which a kind needs (docs/decisions.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hexie.core.querysets import ScopedQuerySet

from .search import BigramsField, bigram_keys, search_text
from .size import Size


class Kind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    CONSTRUCTION_PROJECT = "construction_project", _("工地项目")
    INDUSTRIAL_PARK = "industrial_park", _("工业园区")
    TOWN = "town", _("乡镇（街道）")
    INDUSTRY = "industry", _("行业（协会）")


class UnitQuerySet(ScopedQuerySet):
    """Units as every other scoped model: ``visible_to(user)`` asks ``units.view``."""


class Unit(models.Model):
    scope_region_field = "region__code"
    scope_unit_field = "pk"
    scope_permission = "units.view"

    kind = models.CharField(_("单位类型"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("单位名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, verbose_name=_("所在区划"),
        related_name="units", db_index=False,
    )
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True
    )
    industry = models.CharField(_("行业代码"), max_length=8, blank=True)
    industry_section = models.CharField(_("行业门类"), max_length=1, blank=True)
    employees = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    revenue_yuan = models.DecimalField(
        _("营业收入（元）"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    assets_yuan = models.DecimalField(
        _("资产总额（元）"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    size_derived = models.CharField(_("测算规模"), max_length=8, choices=Size.choices, blank=True)
    size_override = models.CharField(
        _("核定规模"), max_length=8, choices=Size.choices, blank=True
    )
    size_override_reason = models.TextField(_("核定理由"), blank=True)
    size = models.CharField(_("企业规模"), max_length=8, choices=Size.choices, blank=True)
    platform = models.BooleanField(_("新业态平台企业"), default=False)
    project_code = models.CharField(
        _("项目代码"), max_length=64, null=True, blank=True
    )
    contractor_credit_code = models.CharField(_("总承包单位信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    start_date = models.DateField(_("开工日期"), null=True, blank=True)
    end_date = models.DateField(_("竣工日期"), null=True, blank=True)
    workers = models.PositiveIntegerField(_("务工人数"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Derived from the name on every save and by the import (search.py, docs/decisions.md
    # D19); never edited, never audited.
    name_search = models.TextField(_("名称检索文本"), default="", editable=False)
    name_bigrams = BigramsField(_("名称二字组"))

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("创建单位")
        verbose_name_plural = _("创建单位")
        ordering = ["-id"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL answer region-prefix LIKE from the index;
            # other databases ignore opclasses and get a plain index.
            models.Index(
                fields=["region"], name="unit_region_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["kind", "region"], name="unit_kind_region_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["size"], name="unit_size_idx"),
        ]
        constraints = [
            # Constraints rather than unique=True: on PostgreSQL Django adds a second,
            # varchar_pattern_ops index to every unique CharField, which no query here uses
            # and every insert pays for (docs/benchmarks.md).
            models.UniqueConstraint(fields=["credit_code"], name="unit_credit_code_unique"),
            models.UniqueConstraint(fields=["project_code"], name="unit_project_code_unique"),
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(kind="town"), name="unit_one_town_per_code"
            ),
            models.CheckConstraint(
                condition=models.Q(size_override="") | ~models.Q(size_override_reason=""),
                name="unit_size_override_needs_reason",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_search = search_text(self.name)
        self.name_bigrams = bigram_keys(self.name_search)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, *DERIVED_FIELDS}
        super().save(*args, **kwargs)

    @property
    def identifier(self) -> str:
        return self.credit_code or self.project_code or self.region_id


# Columns computed from others, left out of audit snapshots and edit forms.
DERIVED_FIELDS = ("name_search", "name_bigrams")


class ImportJob(models.Model):
    """An uploaded registry file and what became of it (all rows or none)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        SUCCEEDED = "succeeded", _("已导入")
        FAILED = "failed", _("未导入（有错误）")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("提交人"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    imported = models.PositiveIntegerField(_("导入条数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    # "同时生成单位经办人邀请" (issue 10): one unit_admin invitation per imported unit, made in
    # the same job; their links go into a private XLSX only the importing office may fetch.
    invite = models.BooleanField(_("同时生成单位经办人邀请"), default=False)
    region_code = models.CharField(_("导入单位的共同区划"), max_length=12, blank=True)
    invitations = models.PositiveIntegerField(_("生成邀请数"), default=0)
    invitation_file = models.CharField(_("邀请清单文件"), max_length=255, blank=True,
                                       editable=False)
    invitations_expire_at = models.DateTimeField(_("邀请失效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"


class InvitationContact(models.Model):
    """The contact a unit-admin invitation was made for: the phone the invitation row has no
    field for, and where the invitation came from (the unit page, an import, an access
    request). One row per invitation made by the units app."""

    scope_region_field = "invitation__region_code"
    scope_unit_field = "invitation__unit_id"

    invitation = models.OneToOneField(
        "accounts.Invitation", on_delete=models.CASCADE, primary_key=True,
        related_name="contact", verbose_name=_("邀请"),
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    job = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+", verbose_name=_("导入任务"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("邀请联系人")
        verbose_name_plural = _("邀请联系人")

    def __str__(self):
        return self.phone or str(self.invitation_id)


class AccessRequest(models.Model):
    """A unit asking for a login by itself (单位申请开通账号): the county checks the legal
    representative by hand (the registry has no such field) and approves, which makes a
    unit_admin invitation for the contact, or refuses with a reason."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("已拒绝")

    # Only offices (region scope) decide; a unit admin's unit id reaches no request.
    scope_region_field = "region_code"
    scope_unit_field = None
    scope_permission = "accounts.grant"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="access_requests",
                             verbose_name=_("单位"))
    region_code = models.CharField(_("所在区划代码"), max_length=12, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    unit_name = models.CharField(_("单位名称（申请人填写）"), max_length=200)
    legal_representative = models.CharField(_("法定代表人"), max_length=64)
    contact_name = models.CharField(_("联系人姓名"), max_length=64)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    ip = models.GenericIPAddressField(_("提交 IP"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices,
                             default=State.PENDING)
    reason = models.TextField(_("拒绝理由"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    invitation = models.ForeignKey("accounts.Invitation", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("邀请"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位账号申请")
        verbose_name_plural = _("单位账号申请")
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "region_code"], name="access_req_state_idx")]

    def __str__(self):
        return f"{self.unit_name}（{self.contact_name}）"
