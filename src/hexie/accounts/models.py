"""Users and their role memberships (role + region, role + unit, or role + organisation)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hexie.core.querysets import ScopedQuerySet
from hexie.regions.models import CODE_LENGTH

from .roles import ROLE_SPECS, Role, ScopeKind


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships only."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships.all()}


class AssessorOrganisation(models.Model):
    """A third-party assessment organisation (社会第三方评估机构)."""

    scope_region_field = "region__code"
    scope_unit_field = None

    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, verbose_name=_("所在区划"),
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("第三方评估机构")
        verbose_name_plural = _("第三方评估机构")

    def __str__(self):
        return self.name


class Membership(models.Model):
    """One role a user holds, with what it reaches: a region, a unit or an organisation."""

    scope_region_field = "region__code"
    scope_unit_field = "unit_id"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("管辖区划"), related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, null=True, blank=True,
        verbose_name=_("所属单位"), related_name="admins",
    )
    organisation = models.ForeignKey(
        AssessorOrganisation, on_delete=models.CASCADE, null=True, blank=True,
        verbose_name=_("评估机构"), related_name="members",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "unit", "organisation"],
                name="membership_unique",
            )
        ]

    def __str__(self):
        target = self.region_id or self.unit_id or self.organisation_id or ""
        return f"{self.get_role_display()} {target}"

    def save(self, *args, **kwargs):
        self.full_clean()
        super().save(*args, **kwargs)

    def clean(self):
        spec = ROLE_SPECS.get(self.role)
        if spec is None:  # the choices check has already reported the unknown role
            return
        if spec.scope_kind == ScopeKind.REGION:
            if not self.region_id:
                raise ValidationError({"region": _("该角色必须指定管辖区划。")})
            if spec.region_level and len(self.region_id) != CODE_LENGTH[spec.region_level]:
                raise ValidationError({"region": _("管辖区划的层级与角色不符。")})
            if self.unit_id or self.organisation_id:
                raise ValidationError(_("按区划授权的角色不能同时绑定单位或机构。"))
        elif self.role == Role.UNIT_ADMIN:
            if not self.unit_id or self.region_id or self.organisation_id:
                raise ValidationError({"unit": _("创建单位经办人必须且只能绑定一个单位。")})
        elif self.role == Role.ASSESSOR:
            if not self.organisation_id or self.region_id or self.unit_id:
                raise ValidationError({"organisation": _("评估机构人员必须绑定所属评估机构。")})
        elif self.role == Role.COORDINATOR:
            if self.unit_id or self.organisation_id:
                raise ValidationError(_("协调员通过定点联系指派单位，不直接绑定单位。"))


class CoordinatorAssignment(models.Model):
    """Fixed-point contact (定点联系): a coordinator follows these units."""

    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"

    coordinator = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="coordinated", verbose_name=_("协调员")
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="coordinators",
        verbose_name=_("联系单位"),
    )
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("定点联系")
        verbose_name_plural = _("定点联系")
        constraints = [
            models.UniqueConstraint(fields=["coordinator", "unit"], name="coordinator_unit_unique")
        ]

    def __str__(self):
        return f"{self.coordinator} → {self.unit}"


class ApiToken(models.Model):
    """A named key another government system sends as ``Authorization: Bearer <key>``
    (issue 10 §5). Only the SHA-256 of the key is kept; the key is shown once, at creation.

    The token acts through its own service user (``user``, username ``token:<name>``, no usable
    password) holding one ``api_client`` membership on ``region``, so every scope check, every
    refusal and every audit entry works for it as for a person (accounts.tokens)."""

    scope_region_field = "region__code"
    scope_unit_field = None

    name = models.CharField(_("名称"), max_length=100, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    key_hash = models.CharField(_("令牌摘要（SHA-256）"), max_length=64, unique=True)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_token", verbose_name=_("服务账号"),
    )
    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, verbose_name=_("限定区划"),
        related_name="+",
    )
    write_permissions = models.JSONField(_("写权限"), default=list, blank=True)
    expires_at = models.DateTimeField(_("到期时间"))
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("撤销人"),
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Invitation(models.Model):
    """A single-use link that lets a new person set their password and take one membership.

    Only the SHA-256 of the token is stored: the link is shown once, to whoever created it.
    ``region_code`` is the division the membership would reach (the region itself, the unit's
    or the organisation's), kept so invitations filter by scope like everything else."""

    scope_region_field = "region_code"
    scope_unit_field = "unit_id"

    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    username = models.CharField(_("指定用户名"), max_length=150, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("管辖区划"), related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, null=True, blank=True,
        verbose_name=_("所属单位"), related_name="invitations",
    )
    organisation = models.ForeignKey(
        AssessorOrganisation, on_delete=models.CASCADE, null=True, blank=True,
        verbose_name=_("评估机构"), related_name="invitations",
    )
    region_code = models.CharField(_("所在区划代码"), max_length=12, db_index=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations_sent",
        verbose_name=_("邀请人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("接受人"),
    )
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("账号邀请")
        verbose_name_plural = _("账号邀请")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_role_display()} {self.display_name or self.email or self.pk}"


class ApiAccessLog(models.Model):
    """One call made with an API token (issue 10 §5: "every call audited with the token's
    name"): written once per request, after the response, by
    ``accounts.access_log.ApiAccessLogMiddleware``. Append-only (a trigger refuses UPDATE and
    DELETE; ``hexie tokens archive-log`` moves old rows to a file first). It is not part of the
    audit hash chain: one plain INSERT per call, no lock shared by all API reads."""

    immutable = True  # the operator admin shows it view-only (core.adminsite)
    scope_region_field = "token__region__code"
    scope_unit_field = None

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="access_log",
                              verbose_name=_("API 令牌"))
    at = models.DateTimeField(_("时间"))
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("路径"), max_length=300)
    status = models.PositiveSmallIntegerField(_("状态码"))
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 调用记录")
        verbose_name_plural = _("API 调用记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["token", "id"], name="api_access_token_idx"),
                   models.Index(fields=["at"], name="api_access_at_idx")]

    def __str__(self):
        return f"{self.token_id} {self.method} {self.path} {self.status}"
