"""Loaded standard library versions. A version, once stored, never changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardLibrary(models.Model):
    immutable = True  # save() refuses an update; the admin shows it view-only

    library_id = models.CharField(_("标准库标识"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=200)
    issuer = models.CharField(_("发布机构"), max_length=200)
    effective = models.DateField(_("施行日期"))
    source = models.TextField(_("依据"))
    example = models.BooleanField(_("示例（非正式标准）"), default=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="variants",
        verbose_name=_("上级标准库"),
    )
    content = models.JSONField(_("内容"))
    facts = models.JSONField(_("共享事实词典"), null=True, blank=True)
    sha256 = models.CharField(_("内容哈希"), max_length=64)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("创建标准库")
        verbose_name_plural = _("创建标准库")
        ordering = ["library_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["library_id", "version"], name="library_version_unique")
        ]

    def __str__(self):
        return f"{self.title}（{self.library_id} 第 {self.version} 版）"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a loaded standard library version is immutable")
        super().save(*args, **kwargs)

    @property
    def key(self) -> str:
        return f"{self.library_id}@{self.version}"
