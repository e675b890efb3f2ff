from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hexie.core"
    label = "core"
    verbose_name = _("审计与基础")

    def ready(self):
        from .policies import load_after_migrate

        # Once per migrate (sent for this app only), after every app's tables exist.
        post_migrate.connect(load_after_migrate, sender=self,
                             dispatch_uid="hexie.core.policies.load")
