from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "hexie.monitoring"
    label = "monitoring"
    verbose_name = _("动态监测")
