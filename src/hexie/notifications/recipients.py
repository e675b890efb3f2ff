"""Who is concerned by a step: the offices over a unit's division, a unit's admins, an
assessor organisation's people. Each is one query, answered by ``accounts.selectors``."""

from hexie.accounts import selectors as accounts
from hexie.accounts.roles import Role


def offices_over(region_code: str, roles=(Role.COUNTY_OFFICE,)):
    """Users holding one of ``roles`` on a division that contains ``region_code``."""
    return accounts.offices_over(region_code, roles)


def unit_admins(unit_id: int):
    return unit_admins_of([unit_id])


def unit_admins_of(unit_ids):
    """The admins of any of ``unit_ids`` (a delivery batch)."""
    return accounts.unit_admins_of(unit_ids)


def organisation_members(organisation_id: int):
    return accounts.organisation_members(organisation_id)
