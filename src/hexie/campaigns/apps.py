from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "hexie.campaigns"
    label = "campaigns"
    verbose_name = _("创建活动")

    def ready(self):
        from hexie.core import worklist
        from hexie.notifications import reminders

        from .reminders import pledge_window
        from .worklist import campaign_todos

        worklist.register(campaign_todos)
        reminders.register(pledge_window)
