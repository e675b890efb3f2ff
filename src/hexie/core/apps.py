from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hexie.core"
    label = "core"
    verbose_name = _("审计与基础")

    def ready(self):
        from django.core import checks

        from .audit_archive import check_retention
        from .policies import load_after_migrate

        checks.register(check_retention)

        # Once per migrate (sent for this app only), after every app's tables exist.
        post_migrate.connect(load_after_migrate, sender=self,
                             dispatch_uid="hexie.core.policies.load")


class OperatorAdminConfig(admin_apps.AdminConfig):
    """Replaces ``django.contrib.admin`` in INSTALLED_APPS so ``admin.site`` is the operator's
    site (superusers only; see hexie.core.adminsite)."""

    default = False  # CoreConfig stays the default config of hexie.core
    default_site = "hexie.core.adminsite.OperatorAdminSite"
