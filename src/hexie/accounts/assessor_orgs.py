"""Third-party assessor organisations (社会第三方评估机构) and their people.

Issue 10 point 1: an office manages the assessor organisations it hires. A province, city or
county office registers an organisation at its own division or one below it (province, city
or county level: a town office registers none) and invites its staff through the ordinary
invitation with role ``assessor``.

The credit code is checked for its 18-character shape only: the GB 32100 checksum lives in
units.credit_code, above accounts in the layers.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.scoping import scope_for
from hexie.regions.models import CODE_LENGTH, Division

from .models import AssessorOrganisation, Membership
from .roles import ACCOUNTS_GRANT, Role

LEVELS = ("province", "city", "county")
# GB 32100-2015 shape: registering authority, kind, six-digit region code, then ten characters
# of the code alphabet (no I, O, S, V, Z).
CREDIT_CODE = re.compile(r"^[1-9ANY][0-9A-HJ-NPQRTUWXY][0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def assessor_organisations_in_scope(actor):
    """The assessor organisations inside ``actor``'s grant scope (an office's division and
    below), with the number of active members and their assessors."""
    return (AssessorOrganisation.objects.visible_to(actor, ACCOUNTS_GRANT)
            .select_related("region")
            .annotate(active_members=Count(
                "members__user", filter=Q(members__user__is_active=True,
                                          members__role=Role.ASSESSOR), distinct=True))
            .prefetch_related(Prefetch(
                "members", queryset=Membership.objects.filter(role=Role.ASSESSOR)
                .select_related("user").order_by("user__username")))
            .order_by("region_id", "name"))


def get_assessor_organisation(actor, pk) -> AssessorOrganisation:
    """One assessor organisation in ``actor``'s grant scope; ``OutOfScope`` (404) otherwise."""
    try:
        return assessor_organisations_in_scope(actor).get(pk=pk)
    except (AssessorOrganisation.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def create_assessor_organisation(actor, name: str, credit_code: str, region, *,
                                 reason: str = "") -> AssessorOrganisation:
    """A new assessor organisation at ``region`` (a province, city or county code or
    Division). ``actor`` must be an office of province, city or county level holding
    ``accounts.grant`` over that division (else 404); ``None`` is the system (a server
    command) and names a reason."""
    region_id = (getattr(region, "pk", region) or "").strip()
    name = " ".join((name or "").split())
    credit_code = (credit_code or "").strip().upper()
    office_lengths = {CODE_LENGTH[level] for level in LEVELS}
    if actor is None:
        if not reason.strip():
            raise ValueError("a system change names its reason")
    elif not (actor.is_active and actor.is_superuser):
        scope = scope_for(actor, ACCOUNTS_GRANT)
        if not any(len(prefix) in office_lengths for prefix in scope.region_prefixes):
            raise NotPermitted(_("只有省、市、县（市、区）三方办可以登记评估机构。"))
        if region_id and not scope.covers_region(region_id):
            raise OutOfScope()
    if not name:
        raise DomainError(_("请填写机构名称。"), field="name")
    if len(name) > 200:
        raise DomainError(_("机构名称不能超过 200 个字。"), field="name")
    if credit_code and not CREDIT_CODE.match(credit_code):
        raise DomainError(_("统一社会信用代码应为 18 位数字或大写字母（不使用 I、O、S、V、Z）。"),
                          field="credit_code")
    if not region_id:
        raise DomainError(_("请填写所在区划代码。"), field="region")
    if not Division.objects.filter(code=region_id).exists():
        raise DomainError(_("区划代码不存在。"), field="region")
    if len(region_id) not in office_lengths:
        raise DomainError(_("评估机构只能登记在省、市或县（市、区）一级。"), field="region")
    organisation = AssessorOrganisation(name=name, credit_code=credit_code,
                                        region_id=region_id)
    duplicate = DomainError(_("已有名为 %(name)s 的评估机构。") % {"name": name},
                            field="name", code="duplicate")
    with transaction.atomic():
        if AssessorOrganisation.objects.filter(name=name).exists():
            raise duplicate
        try:
            with transaction.atomic():
                organisation.save()
        except IntegrityError as exc:  # a concurrent creation of the same organisation
            raise duplicate from exc
        audit.record(actor, "accounts.create_assessor_organisation", organisation,
                     after=audit.snapshot(organisation) | {"reason": reason},
                     region_code=region_id)
    return organisation
