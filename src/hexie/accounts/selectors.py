"""Read queries about who holds which role where. Other apps ask these instead of querying
``Membership`` themselves, so the membership table has one owner (issue 9)."""

from django.contrib.auth import get_user_model

from hexie.regions import codes

from .models import Membership, PartnerOrganisation, TripartiteSide
from .roles import Role


def members_with_role(roles, *, regions=None, unit_ids=None, organisation_id=None):
    """Active users holding one of ``roles`` (one role or several) on one of ``regions``
    (exact division codes), on one of ``unit_ids`` or in ``organisation_id``; each user once."""
    roles = [roles] if isinstance(roles, str) else list(roles)
    lookups = {"is_active": True, "memberships__role__in": roles}
    if regions is not None:
        lookups["memberships__region_id__in"] = list(regions)
    if unit_ids is not None:
        lookups["memberships__unit_id__in"] = unit_ids
    if organisation_id is not None:
        lookups["memberships__organisation_id"] = organisation_id
    return get_user_model().objects.filter(**lookups).distinct()


def offices_over(region_code: str, roles=(Role.COUNTY_OFFICE,)):
    """Users holding one of ``roles`` on ``region_code``'s division or one above it."""
    return members_with_role(roles, regions=codes.lineage(region_code))


def county_staff(region_code: str):
    """The county office people of the county that holds ``region_code`` (its reviewers)."""
    return members_with_role(Role.COUNTY_OFFICE, regions=[codes.county_of(region_code)])


def is_county_staff(user, region_code: str) -> bool:
    """``user`` holds a county office membership on the county that holds ``region_code``."""
    return user.is_active and Membership.objects.filter(
        user=user, role=Role.COUNTY_OFFICE, region_id=codes.county_of(region_code)).exists()


def unit_admins_of(unit_ids):
    """The admins of any of ``unit_ids`` (a list or a subquery of unit ids)."""
    return members_with_role(Role.UNIT_ADMIN, unit_ids=unit_ids)


def organisation_members(organisation_id: int):
    return members_with_role(Role.ASSESSOR, organisation_id=organisation_id)


def assessor_organisation_ids(user) -> list[int]:
    """The assessor organisations ``user`` works for."""
    return list(Membership.objects.filter(user=user, role=Role.ASSESSOR,
                                          organisation__isnull=False)
                .values_list("organisation_id", flat=True))


def works_for_organisation(user, organisation_id) -> bool:
    return Membership.objects.filter(user=user, role=Role.ASSESSOR,
                                     organisation_id=organisation_id).exists()


# --- partners as tripartite reviewers (seed 四（三）) -----------------------------------------

def county_partner_members(region_code: str) -> list[tuple[PartnerOrganisation, object]]:
    """(organisation, person) for every active partner of a partner organisation sitting at
    the county that holds ``region_code``, ordered by organisation kind, name and username."""
    memberships = (Membership.objects
                   .filter(role=Role.PARTNER, user__is_active=True,
                           partner_organisation__region_id=codes.county_of(region_code))
                   .select_related("user", "partner_organisation")
                   .order_by("partner_organisation__kind", "partner_organisation__name",
                             "user__username"))
    return [(m.partner_organisation, m.user) for m in memberships]


def county_partner_organisations(region_code: str):
    """The partner organisations at the county that holds ``region_code``."""
    return PartnerOrganisation.objects.filter(region_id=codes.county_of(region_code))


def tripartite_side(user, region_code: str):
    """The side ``user`` reviews for in the county that holds ``region_code``:
    ``(TripartiteSide.GOVERNMENT, None)`` for that county office's staff,
    ``(side, organisation)`` for a member of one of its partner organisations, ``None``
    otherwise (inactive people included)."""
    if not user.is_active:
        return None
    if is_county_staff(user, region_code):
        return TripartiteSide.GOVERNMENT, None
    membership = (Membership.objects
                  .filter(user=user, role=Role.PARTNER,
                          partner_organisation__region_id=codes.county_of(region_code))
                  .select_related("partner_organisation")
                  .order_by("partner_organisation__kind", "partner_organisation_id").first())
    if membership is None:
        return None
    return membership.partner_organisation.side, membership.partner_organisation
