"""Who is concerned by a step: the offices over a unit's division, a unit's admins, an
assessor organisation's people. Each is one query."""

from django.contrib.auth import get_user_model

from hexie.accounts.roles import Role


def offices_over(region_code: str, roles=(Role.COUNTY_OFFICE,)):
    """Users holding one of ``roles`` on a division that contains ``region_code``."""
    prefixes = [region_code[:n] for n in (2, 4, 6, 9) if len(region_code) >= n]
    return get_user_model().objects.filter(
        is_active=True, memberships__role__in=list(roles), memberships__region_id__in=prefixes
    ).distinct()


def unit_admins(unit_id: int):
    return unit_admins_of([unit_id])


def unit_admins_of(unit_ids):
    """The admins of any of ``unit_ids`` (a delivery batch)."""
    return get_user_model().objects.filter(
        is_active=True, memberships__role=Role.UNIT_ADMIN, memberships__unit_id__in=unit_ids
    ).distinct()


def organisation_members(organisation_id: int):
    return get_user_model().objects.filter(
        is_active=True, memberships__role=Role.ASSESSOR,
        memberships__organisation_id=organisation_id,
    ).distinct()
