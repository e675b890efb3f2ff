"""Read side of the people page: who an office manages and which roles it may hand out."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from hexie.core.scoping import scope_for

from .models import AssessorOrganisation, Invitation, Membership
from .roles import ACCOUNTS_GRANT, ROLE_SPECS, Role
from .services import role_height


def manages_people(user) -> bool:
    """Offices hold the grant permission over a region; unit admins (their unit) do not get
    this page."""
    return bool(scope_for(user, ACCOUNTS_GRANT).region_prefixes)


def people_in_scope(actor):
    """Everyone holding at least one membership inside ``actor``'s grant scope, with their
    memberships, active or not (deactivated people stay listed so they can be reactivated)."""
    scope = scope_for(actor, ACCOUNTS_GRANT)
    # A membership reaches its place through its region, its unit or its organisation.
    unit_model = Membership._meta.get_field("unit").related_model  # units sits above accounts
    inside = Membership.objects.filter(
        Q(pk__in=Membership.objects.in_scope(scope).values("pk"))
        | Q(unit__in=unit_model.objects.in_scope(scope).values("pk"))
        | Q(organisation__in=AssessorOrganisation.objects.in_scope(scope).values("pk")))
    return (get_user_model().objects.filter(memberships__in=inside).distinct()
            .prefetch_related("memberships__region", "memberships__unit",
                              "memberships__organisation",
                              "memberships__partner_organisation")
            .order_by("-is_active", "username"))


def pending_invitations(actor):
    return (Invitation.objects.visible_to(actor, ACCOUNTS_GRANT)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True,
                    expires_at__gt=timezone.now())
            .select_related("created_by", "region", "unit"))


def grantable_roles(actor) -> list[tuple[str, str]]:
    """The roles ``actor`` may invite people to, highest first (none above their own)."""
    own = [m.role for m in actor.memberships.all()
           if ACCOUNTS_GRANT in ROLE_SPECS[m.role].permissions]
    if actor.is_superuser:
        return list(Role.choices)
    if not own:
        return []
    top = min(role_height(r) for r in own)
    return [(value, label) for value, label in Role.choices if role_height(value) >= top]
