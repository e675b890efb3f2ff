from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hexie.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        from . import reminders
        from .campaign_deadlines import pledge_window

        reminders.register(pledge_window)
