from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "hexie.assessments"
    label = "assessments"
    verbose_name = _("单位自评")

    def ready(self):
        from hexie.core import worklist

        from .worklist import assessment_todos

        worklist.register(assessment_todos)
