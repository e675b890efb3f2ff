from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "hexie.recognition"
    label = "recognition"
    verbose_name = _("认定申请与评审")
