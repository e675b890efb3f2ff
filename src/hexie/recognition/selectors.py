"""Read queries of recognition, always through the region-scope choke point."""

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from hexie.accounts.roles import RECOGNITION_REVIEW, RECOGNITION_VIEW
from hexie.accounts.selectors import assessor_organisation_ids
from hexie.core.scoping import Scope, scope_for

from .models import Appeal, Application, ReviewAssignment

NOT_FOUND = "不存在或不在您的管辖范围内"


def applications_for(user, permission: str = RECOGNITION_VIEW):
    """Applications of the units inside the user's scope (offices by region, unit admins their
    own unit, assessors the units assigned to their organisation)."""
    return (Application.objects.visible_to(user, permission)
            .select_related("unit", "unit__region", "self_assessment", "congress",
                            "pledge__congress", "decided_by"))


def region_applications(user, permission: str = RECOGNITION_VIEW):
    """The county pages' list: only what a region scope reaches."""
    prefixes = scope_for(user, permission).region_prefixes
    if not prefixes:
        return Application.objects.none()
    return applications_for(user, permission).in_scope(Scope(prefixes))


def get_application(user, pk, permission: str = RECOGNITION_VIEW) -> Application:
    try:
        return applications_for(user, permission).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("认定申请" + NOT_FOUND) from None


def get_region_application(user, pk) -> Application:
    try:
        return region_applications(user).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("认定申请" + NOT_FOUND) from None


def state_counts(applications) -> list[tuple[str, str, int]]:
    counts = dict(applications.order_by().values_list("state").annotate(n=Count("id"))
                  .values_list("state", "n"))
    return [(code, label, counts.get(code, 0)) for code, label in Application.State.choices]



def is_reviewer(user) -> bool:
    """County staff (the tripartite review), assessor organisations' people and anyone named
    tripartite reviewer (partners of the county's 总工会、企联、工商联)."""
    scope = scope_for(user, RECOGNITION_REVIEW)  # a partner's: the units assigned to them
    return bool(scope.region_prefixes) or bool(scope.unit_ids) or bool(
        assessor_organisation_ids(user))


def assignments_for(user):
    """The reviewer's own assignments: named as tripartite reviewer, or assigned to their
    assessor organisation."""
    if user is None or not user.is_authenticated:
        return ReviewAssignment.objects.none()
    q = Q(reviewer=user)
    orgs = assessor_organisation_ids(user)
    if orgs:
        q |= Q(organisation_id__in=orgs)
    return (ReviewAssignment.objects.filter(q)
            .select_related("application", "application__unit", "application__self_assessment",
                            "organisation", "reviewer", "partner_organisation"))


def get_assignment(user, pk) -> ReviewAssignment:
    try:
        return assignments_for(user).get(pk=pk)
    except (ReviewAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404("评审任务" + NOT_FOUND) from None


def appeals_for(user, permission: str = RECOGNITION_VIEW):
    return Appeal.objects.visible_to(user, permission).select_related(
        "application", "application__unit")


def get_appeal(user, pk, permission: str = RECOGNITION_VIEW) -> Appeal:
    try:
        return appeals_for(user, permission).get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404("申诉" + NOT_FOUND) from None


def awaiting_assignment(applications):
    """Submitted, or reopened by an accepted appeal, with no reviewer of the current round."""
    current = ReviewAssignment.objects.filter(application=OuterRef("pk"),
                                              round=OuterRef("review_round"))
    return applications.filter(
        Q(state=Application.State.SUBMITTED)
        | Q(state=Application.State.APPEALED) & ~Exists(current)
    )


def awaiting_decision(applications):
    """In review with every assignment of the current round submitted."""
    current = ReviewAssignment.objects.filter(application=OuterRef("pk"),
                                              round=OuterRef("review_round"))
    return applications.filter(
        state__in=[Application.State.IN_REVIEW, Application.State.APPEALED]
    ).filter(Exists(current), ~Exists(current.filter(state=ReviewAssignment.State.ASSIGNED)))
