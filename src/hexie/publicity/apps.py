from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "hexie.publicity"
    label = "publicity"
    verbose_name = _("公示与公布")
