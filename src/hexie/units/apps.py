from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "hexie.units"
    label = "units"
    verbose_name = _("创建单位")

    def ready(self):
        from hexie.core import worklist

        from .worklist import access_request_todos

        worklist.register(access_request_todos)
