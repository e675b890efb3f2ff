"""Users and their role memberships (role + region, role + unit, or role + organisation)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hexie.core.querysets import ScopedQuerySet
from hexie.regions.models import CODE_LENGTH

from .roles import ROLE_SPECS, Role, ScopeKind


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships only."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    # When the password was last set; with HEXIE_PASSWORD_MAX_AGE_DAYS it expires (passwords.py).
    password_changed_at = models.DateTimeField(_("密码设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

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


class TripartiteSide(models.TextChoices):
    """The three sides of the tripartite mechanism (seed 四（三）: 政府、工会、企业代表)."""

    GOVERNMENT = "government", _("政府方")
    UNION = "union", _("工会方")
    ENTERPRISE = "enterprise", _("企业方")


class PartnerOrganisation(models.Model):
    """A partner organisation of the tripartite mechanism at one division (seed 四（三）: the
    review is by government, trade union and enterprise representatives): the 总工会, the
    企业联合会/企业家协会 or the 工商联 of a province, city or county. Its members hold the
    ``partner`` role over the organisation's region and may be named tripartite reviewers by the
    county office of that county (recognition)."""

    scope_region_field = "region__code"
    scope_unit_field = None

    class Kind(models.TextChoices):
        TRADE_UNION = "trade_union", _("总工会")
        ENTERPRISE_CONFEDERATION = "enterprise_confederation", _("企业联合会/企业家协会")
        FEDERATION_OF_INDUSTRY_COMMERCE = "federation_of_industry_commerce", _("工商联")

    # The side of the tripartite review a kind sits on (工商联 speaks for private enterprises).
    SIDES = {
        Kind.TRADE_UNION: TripartiteSide.UNION,
        Kind.ENTERPRISE_CONFEDERATION: TripartiteSide.ENTERPRISE,
        Kind.FEDERATION_OF_INDUSTRY_COMMERCE: TripartiteSide.ENTERPRISE,
    }
    LEVELS = ("province", "city", "county")

    name = models.CharField(_("组织名称"), max_length=200)
    kind = models.CharField(_("组织类别"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, verbose_name=_("所在区划"),
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("合作组织（总工会、企联、工商联）")
        verbose_name_plural = _("合作组织（总工会、企联、工商联）")
        ordering = ["region_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"],
                                    name="partner_organisation_unique")
        ]

    def __str__(self):
        return self.name

    @property
    def side(self) -> str:
        return self.SIDES[self.kind]

    def clean(self):
        if self.region_id and len(self.region_id) not in {
                CODE_LENGTH[level] for level in self.LEVELS}:
            raise ValidationError(
                {"region": _("合作组织只能设在省、市或县（市、区）一级。")})


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
    # A partner (总工会 / 企联 / 工商联) works for one partner organisation; the membership's
    # region is that organisation's region.
    partner_organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("合作组织"), related_name="members",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "unit", "organisation",
                        "partner_organisation"],
                name="membership_unique",
            )
        ]

    def __str__(self):
        target = ((self.partner_organisation_id and self.partner_organisation)
                  or self.region_id or self.unit_id or self.organisation_id or "")
        return f"{self.get_role_display()} {target}"

    def save(self, *args, **kwargs):
        self.full_clean()
        super().save(*args, **kwargs)

    def clean(self):
        spec = ROLE_SPECS.get(self.role)
        if spec is None:  # the choices check has already reported the unknown role
            return
        if self.role == Role.PARTNER:
            self._clean_partner()
            return
        if self.partner_organisation_id:
            raise ValidationError({"partner_organisation": _("只有合作单位人员可以绑定合作组织。")})
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

    def _clean_partner(self):
        """A partner names its organisation; its region is the organisation's (filled in when
        left empty, refused when it differs)."""
        if not self.partner_organisation_id:
            raise ValidationError({"partner_organisation": _(
                "合作单位人员必须绑定所属合作组织（总工会、企联或工商联）。")})
        if self.unit_id or self.organisation_id:
            raise ValidationError(_("合作单位人员不能同时绑定单位或评估机构。"))
        org_region = self.partner_organisation.region_id
        if not self.region_id:
            self.region_id = org_region
        elif self.region_id != org_region:
            raise ValidationError(
                {"region": _("合作单位人员的管辖区划须与所属合作组织的区划一致。")})


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
    partner_organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.CASCADE, null=True, blank=True,
        verbose_name=_("合作组织"), related_name="invitations",
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


class PasswordHistory(models.Model):
    """The hash of every password a person has had, newest last, so the last
    HEXIE_PASSWORD_HISTORY cannot come back (accounts.passwords.HistoryValidator)."""

    immutable = True  # written by the validator only

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history",
                             verbose_name=_("用户"))
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class SignIn(models.Model):
    """One sign-in attempt, successful or not (accounts.signins). Append-only: the database
    refuses UPDATE (and DELETE on PostgreSQL)."""

    immutable = True

    class Method(models.TextChoices):
        PASSWORD = "password", _("密码")
        TOTP = "totp", _("动态验证码")
        RECOVERY = "recovery", _("恢复码")

    class Failure(models.TextChoices):
        BAD_PASSWORD = "bad_password", _("用户名或密码不正确")
        LOCKED_OUT = "locked_out", _("失败次数过多，已暂时锁定")
        BAD_CODE = "bad_code", _("验证码不正确")
        THROTTLED = "throttled", _("验证过于频繁，暂不受理")

    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="sign_ins", verbose_name=_("用户"))
    username = models.CharField(_("登录名"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    success = models.BooleanField(_("成功"))
    method = models.CharField(_("方式"), max_length=16, choices=Method.choices,
                              default=Method.PASSWORD)
    failure_reason = models.CharField(_("失败原因"), max_length=16, choices=Failure.choices,
                                      blank=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="signin_user_at")]

    def __str__(self):
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'✓' if self.success else '✗'}"


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
