"""The append-only, hash-chained audit log."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import ScopedManager


class AuditEvent(models.Model):
    """One change made through a service. Each event carries the hash of the one before it."""

    # Append-only (a trigger refuses UPDATE): the admin shows it view-only (core.adminsite).
    immutable = True
    # Read by offices within their region (core.audit_selectors); an event belongs to the
    # division its service recorded, never to a unit id (object ids are of many types).
    scope_region_field = "region_code"
    scope_unit_field = None
    scope_permission = "audit.view"

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True)
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region_code = models.CharField(_("所属区划"), max_length=12, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64)
    hash = models.CharField(_("事件哈希"), max_length=64, unique=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # The audit page lists newest first (by id) within a region prefix or of one
            # actor; varchar_pattern_ops lets PostgreSQL answer the prefix LIKE from the index.
            models.Index(fields=["region_code", "id"], name="audit_region_idx",
                         opclasses=["varchar_pattern_ops", "int8_ops"]),
            # The region (scope) and action in the index too: the page reads its keys and its
            # capped count from these indexes alone (audit_selectors.keys_only), so a wrong
            # guess of how one actor's events spread over regions costs nothing
            # (docs/benchmarks.md, "Audit log at 10 million events").
            models.Index(fields=["actor_username", "id"], name="audit_actor_scope_idx",
                         include=["region_code"]),
            models.Index(fields=["at", "id"], name="audit_at_idx",
                         include=["region_code", "action"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class PolicyVersion(models.Model):
    """One loaded version of a policy (rule values with their seed clauses), in force from
    ``effective_from`` in the regions under ``region_prefix`` (blank: the whole province).
    A version, once stored, never changes: a new rule is a new version."""

    immutable = True  # the operator admin shows it view-only (core.adminsite)

    name = models.CharField(_("政策"), max_length=64)
    version = models.CharField(_("版本"), max_length=32)
    effective_from = models.DateField(_("施行日期"))
    region_prefix = models.CharField(_("适用区划前缀"), max_length=12, blank=True, default="")
    content = models.JSONField(_("内容"))
    sha256 = models.CharField(_("内容哈希"), max_length=64)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["name", "effective_from", "region_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version", "region_prefix"],
                                    name="policy_version_unique"),
        ]

    def __str__(self):
        where = self.region_prefix or "全省"
        return f"{self.name} {self.version}（{where}，{self.effective_from:%Y-%m-%d} 起施行）"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a loaded policy version is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("a loaded policy version is immutable")


class AuditArchive(models.Model):
    """One file of audit events moved out of the table (``hexie audit archive``). The chain
    goes on from ``last_hash``: ``hexie audit verify`` starts there, and the file's SHA-256
    shows whether the archived events are still the ones that left the table."""

    immutable = True  # the operator admin shows it view-only (core.adminsite)

    file_path = models.CharField(_("归档文件"), max_length=500)
    first_id = models.BigIntegerField(_("首个事件ID"))
    last_id = models.BigIntegerField(_("末个事件ID"))
    count = models.PositiveIntegerField(_("事件数"))
    sha256 = models.CharField(_("文件哈希（SHA-256）"), max_length=64)
    last_hash = models.CharField(_("末个事件哈希"), max_length=64)
    before = models.DateField(_("归档截止日期"))
    created_at = models.DateTimeField(_("归档时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计归档")
        verbose_name_plural = _("审计归档")
        ordering = ["last_id"]

    def __str__(self):
        return f"#{self.first_id}–#{self.last_id}（{self.count} 条）{self.file_path}"
