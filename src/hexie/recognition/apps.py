from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "hexie.recognition"
    label = "recognition"
    verbose_name = _("认定申请与评审")

    def ready(self):
        from hexie.accounts.roles import Role
        from hexie.core import worklist
        from hexie.core.scoping import UNIT_SCOPE_PROVIDERS, register_unit_scope_provider
        from hexie.notifications import reminders as deadline_reminders

        from .reminders import review_deadlines
        from .scoping import assessor_units, partner_reviewer_units
        from .worklist import recognition_todos

        worklist.register(recognition_todos)
        deadline_reminders.register(review_deadlines)
        if assessor_units not in UNIT_SCOPE_PROVIDERS.get(Role.ASSESSOR, []):
            register_unit_scope_provider(Role.ASSESSOR, assessor_units)
        if partner_reviewer_units not in UNIT_SCOPE_PROVIDERS.get(Role.PARTNER, []):
            register_unit_scope_provider(Role.PARTNER, partner_reviewer_units)
