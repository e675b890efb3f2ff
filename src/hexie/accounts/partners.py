"""Partner organisations (合作组织: 总工会, 企业联合会/企业家协会, 工商联) and their people.

Seed 四（三）: the recognition review is by the tripartite bodies — government, trade union and
enterprise representatives. An office keeps the partner organisations of its own division and
the divisions below it (a county its county's, a city its city's and its counties'), at
province, city or county level, and invites their staff through the ordinary invitation with
role ``partner``. The county office may then name those people tripartite reviewers
(recognition.services.assign_reviewers).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.scoping import scope_for
from hexie.regions.models import Division

from .models import Membership, PartnerOrganisation
from .roles import ACCOUNTS_GRANT, Role


def partner_organisations_in_scope(actor):
    """The partner organisations inside ``actor``'s grant scope (an office's division and
    below), with the number of active members."""
    return (PartnerOrganisation.objects.visible_to(actor, ACCOUNTS_GRANT)
            .select_related("region")
            .annotate(active_members=Count(
                "members__user", filter=Q(members__user__is_active=True,
                                          members__role=Role.PARTNER), distinct=True))
            .prefetch_related(Prefetch(
                "members", queryset=Membership.objects.filter(role=Role.PARTNER)
                .select_related("user").order_by("user__username"))))


def get_partner_organisation(actor, pk) -> PartnerOrganisation:
    """One partner organisation in ``actor``'s grant scope; ``OutOfScope`` (404) otherwise."""
    try:
        return partner_organisations_in_scope(actor).get(pk=pk)
    except (PartnerOrganisation.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def create_partner_organisation(actor, name: str, kind: str, region, *,
                                reason: str = "") -> PartnerOrganisation:
    """A new partner organisation at ``region`` (a province, city or county code or Division).
    ``actor`` must hold ``accounts.grant`` over that division (else 404); ``None`` is the
    system (a server command) and names a reason."""
    region_id = (getattr(region, "pk", region) or "").strip()
    name = " ".join((name or "").split())
    if actor is None:
        if not reason.strip():
            raise ValueError("a system change names its reason")
    elif not (actor.is_active and actor.is_superuser):
        scope = scope_for(actor, ACCOUNTS_GRANT)
        if not scope.region_prefixes:
            raise NotPermitted(_("只有三方办可以管理合作组织。"))
        if region_id and not scope.covers_region(region_id):
            raise OutOfScope()
    if not name:
        raise DomainError(_("请填写组织名称。"), field="name")
    if len(name) > 200:
        raise DomainError(_("组织名称不能超过 200 个字。"), field="name")
    if kind not in PartnerOrganisation.Kind.values:
        raise DomainError(_("请选择组织类别：总工会、企业联合会/企业家协会或工商联。"),
                          field="kind")
    if not region_id:
        raise DomainError(_("请填写所在区划代码。"), field="region")
    if not Division.objects.filter(code=region_id).exists():
        raise DomainError(_("区划代码不存在。"), field="region")
    organisation = PartnerOrganisation(name=name, kind=kind, region_id=region_id)
    try:
        organisation.clean()
    except ValidationError as exc:
        raise DomainError(exc.message_dict["region"][0], field="region") from exc
    duplicate = DomainError(_("该区划已有同类同名的合作组织。"), field="name", code="duplicate")
    with transaction.atomic():
        if PartnerOrganisation.objects.filter(region_id=region_id, kind=kind,
                                              name=name).exists():
            raise duplicate
        try:
            with transaction.atomic():
                organisation.save()
        except IntegrityError as exc:  # a concurrent creation of the same organisation
            raise duplicate from exc
        audit.record(actor, "accounts.create_partner_organisation", organisation,
                     after=audit.snapshot(organisation) | {"reason": reason},
                     region_code=region_id)
    return organisation


def find_partner_organisation(name: str, region: str | None = None) -> PartnerOrganisation:
    """The partner organisation called ``name`` (in ``region`` when given), for the command
    line; ``DomainError`` naming ``org`` when there is none or more than one."""
    found = PartnerOrganisation.objects.filter(name=(name or "").strip())
    if region:
        found = found.filter(region_id=region)
    count = found.count()
    if not count:
        raise DomainError(_("没有名为 %(name)s 的合作组织") % {"name": name}, field="org")
    if count > 1:
        raise DomainError(_("有多个名为 %(name)s 的合作组织，请用 --region 指明区划")
                          % {"name": name}, field="org")
    return found.get()
