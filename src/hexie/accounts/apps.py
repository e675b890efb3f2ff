from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hexie.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self):
        from hexie.core.scoping import (
            register_permission_provider,
            register_role_specs,
            register_unit_scope_provider,
        )

        from . import signins  # importing it connects the sign-in history receivers
        from .models import CoordinatorAssignment
        from .roles import ROLE_SPECS, Role
        from .tokens import membership_permissions

        signins.connect()
        register_role_specs(ROLE_SPECS)
        # An API token's membership holds its level's reads and the token's own writes.
        register_permission_provider(Role.API_CLIENT, membership_permissions)

        def assigned_units(user, membership):
            return CoordinatorAssignment.objects.filter(coordinator=user).values_list(
                "unit_id", flat=True
            )

        register_unit_scope_provider("coordinator", assigned_units)
