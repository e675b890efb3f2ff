from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "hexie.surveys"
    label = "surveys"
    verbose_name = _("职工满意度调查")

    def ready(self):
        from hexie.assessments.fact_sources import register_satisfaction_source
        from hexie.core import worklist

        from .selectors import satisfaction_source
        from .worklist import survey_todos

        worklist.register(survey_todos)
        register_satisfaction_source(satisfaction_source)
