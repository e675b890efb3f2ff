"""What reviewers outside the county office reach through their assignments: an assessor
organisation's people the units of the applications assigned to their organisation (DOMAIN.md
§1 "review tasks assigned to their organisation"); a partner (总工会 / 企联 / 工商联) the units of
the applications they are named tripartite reviewer on — and only for the permissions the
partner role holds there (``RoleSpec.assigned_permissions``)."""

from .models import ReviewAssignment


def assessor_units(user, membership) -> set[int]:
    if not membership.organisation_id:
        return set()
    return set(ReviewAssignment.objects.filter(organisation_id=membership.organisation_id)
               .values_list("application__unit_id", flat=True))


def partner_reviewer_units(user, membership) -> set[int]:
    if not membership.partner_organisation_id:
        return set()
    return set(ReviewAssignment.objects.filter(
        reviewer=user, partner_organisation_id=membership.partner_organisation_id)
        .values_list("application__unit_id", flat=True))
