"""What an assessor organisation's people reach: the units of the applications assigned to
their organisation (DOMAIN.md §1 "review tasks assigned to their organisation")."""

from .models import ReviewAssignment


def assessor_units(user, membership) -> set[int]:
    if not membership.organisation_id:
        return set()
    return set(ReviewAssignment.objects.filter(organisation_id=membership.organisation_id)
               .values_list("application__unit_id", flat=True))
