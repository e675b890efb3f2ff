from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthcheckConfig(AppConfig):
    name = "hexie.healthcheck"
    label = "healthcheck"
    verbose_name = _("线上用工体检")
