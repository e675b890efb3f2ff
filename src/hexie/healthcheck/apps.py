from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthcheckConfig(AppConfig):
    name = "hexie.healthcheck"
    label = "healthcheck"
    verbose_name = _("线上用工体检")

    def ready(self):
        from hexie.core import worklist
        from hexie.notifications import reminders

        from .worklist import healthcheck_todos, remediation_deadlines

        worklist.register(healthcheck_todos)
        reminders.register(remediation_deadlines)
