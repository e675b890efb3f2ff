from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "hexie.publicity"
    label = "publicity"
    verbose_name = _("公示与公布")

    def ready(self):
        from hexie.core import worklist
        from hexie.notifications import reminders

        from .reminders import notice_deadlines
        from .worklist import publicity_todos

        worklist.register(publicity_todos)
        reminders.register(notice_deadlines)
