from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    name = "hexie.site"
    label = "site"
    verbose_name = _("平台首页与工作台")
