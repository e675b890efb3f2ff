"""Risk signals on a unit (seed 四（六）动态管理): what the monitoring work reads later. The health
check records its red findings here and workers' anonymous concerns arrive here; later sources
(petitions, inspection, arbitration cases) add their own kinds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hexie.core.querysets import ScopedQuerySet


class RiskSignal(models.Model):
    scope_region_field = "unit__region__code"
    scope_unit_field = "unit_id"
    scope_permission = "monitoring.view"

    class Source(models.TextChoices):
        HEALTH_CHECK = "health_check", _("线上用工体检")
        WORKER_VOICE = "worker_voice", _("职工心声（匿名）")

    class Level(models.TextChoices):
        RED = "red", _("红色（高风险）")
        YELLOW = "yellow", _("黄色（中风险）")
        INFO = "info", _("提示")

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        HANDLED = "handled", _("已处理")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="risk_signals",
        verbose_name=_("单位"),
    )
    source = models.CharField(_("来源"), max_length=24, choices=Source.choices)
    level = models.CharField(_("风险等级"), max_length=8, choices=Level.choices)
    area = models.CharField(_("领域"), max_length=64, blank=True)
    summary = models.TextField(_("内容"))
    # The record it came from, e.g. "healthcheck.finding:12"; empty for anonymous concerns
    # (nothing may point back to a worker).
    reference = models.CharField(_("来源记录"), max_length=64, blank=True)
    detected_on = models.DateField(_("发现日期"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handling_note = models.TextField(_("处理情况"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险信号")
        verbose_name_plural = _("风险信号")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="risk_unit_state_idx"),
            models.Index(fields=["source", "state", "detected_on"], name="risk_source_idx"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} · {self.unit_id}"
