"""Read side of the people page: who an office manages and which roles it may hand out."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from hexie.core.audit_selectors import COUNT_CAP, changes_in_words, events_visible_to
from hexie.core.errors import OutOfScope
from hexie.core.pagination import CappedPaginator
from hexie.core.scoping import scope_for

from .models import AssessorOrganisation, Invitation, Membership
from .roles import ACCOUNTS_GRANT, ROLE_SPECS, Role
from .services import check_person_in_scope, role_height

HISTORY_PAGE_SIZE = 25


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
            .select_related("created_by", "region", "unit", "organisation",
                            "partner_organisation"))


def grantable_roles(actor) -> list[tuple[str, str]]:
    """The roles ``actor`` may invite people to, highest first (none above their own)."""
    own = [m.role for m in actor.memberships.all()
           if ACCOUNTS_GRANT in ROLE_SPECS[m.role].permissions]
    # The api_client role comes only with an API token (accounts.tokens), never by hand.
    choices = [(v, label) for v, label in Role.choices if v != Role.API_CLIENT]
    if actor.is_superuser:
        return choices
    if not own:
        return []
    top = min(role_height(r) for r in own)
    return [(value, label) for value, label in choices if role_height(value) >= top]


def person_for(actor, pk):
    """The person ``actor`` may open on /people/<pk>/: themselves (read only), or anyone whose
    every membership lies inside the actor's grant scope (accounts.services
    .check_person_in_scope); else ``OutOfScope`` (404)."""
    person = (get_user_model().objects.filter(pk=pk)
              .prefetch_related("memberships__region", "memberships__unit",
                                "memberships__organisation").first())
    if person is None:
        raise OutOfScope()
    if person.pk == actor.pk:
        return person
    if not manages_people(actor) and not actor.is_superuser:
        raise OutOfScope()
    check_person_in_scope(actor, person)
    return person


def invitations_for_person(person):
    """Unused, unexpired invitations made for ``person``: to their e-mail or their username
    (e.g. a second role offered to someone who already has an account)."""
    match = Q(username__iexact=person.username)
    if person.email:
        match |= Q(email__iexact=person.email)
    return (Invitation.objects.filter(match, accepted_at__isnull=True, revoked_at__isnull=True,
                                      expires_at__gt=timezone.now())
            .select_related("created_by", "region", "unit", "organisation"))


def person_history(viewer, person):
    """The audit events of ``person``'s page, newest first: every event about them (the
    person, or one of their memberships, present or revoked), and the events they acted in
    that ``viewer`` may read in the audit log (their own page: all of them) — so a page never
    shows an office what the person did outside the office's scope."""
    from hexie.core.models import AuditEvent

    membership_ids = {str(pk) for pk in person.memberships.values_list("pk", flat=True)}
    membership_ids |= set(AuditEvent.objects.filter(
        object_type="accounts.membership", action="accounts.grant_membership",
        after__user_id=person.pk).values_list("object_id", flat=True))
    user_type = get_user_model()._meta.label_lower
    about = (Q(object_type=user_type, object_id=str(person.pk))
             | Q(object_type="accounts.membership", object_id__in=sorted(membership_ids)))
    # By username first (the audit_actor_idx index), the id to be exact.
    by = Q(actor_username=person.get_username(), actor_id=person.pk)
    acted = AuditEvent.objects.all() if viewer.pk == person.pk else events_visible_to(viewer)
    return (AuditEvent.objects.filter(about) | acted.filter(by)).order_by("-id")


def history_page(viewer, person, number):
    paginator = CappedPaginator(person_history(viewer, person), HISTORY_PAGE_SIZE,
                                cap=COUNT_CAP)
    page = paginator.get_page(number)
    labels: dict = {}
    for event in page.object_list:
        event.changes = changes_in_words(event, labels)
    return page
