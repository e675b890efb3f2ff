"""Test data builders. Units are built through the real validator rules (valid credit codes,
real town codes) so a factory never hides a rule."""

import itertools

import factory

from hexie.accounts.models import AssessorOrganisation, Membership, PartnerOrganisation, User
from hexie.units import credit_code as cc
from hexie.units.models import Kind, Unit
from hexie.units.size import Size

_seq = itertools.count(1)

# Known divisions used across tests.
XIHU = "330106"            # 杭州市西湖区
XIHU_TOWN = "330106002"    # 西湖区北山街道
XIHU_TOWN_2 = "330106004"  # 西湖区西溪街道
NANHU = "330402"           # 嘉兴市南湖区
NANHU_TOWN = "330402007"   # 南湖区建设街道
HANGZHOU = "3301"
JIAXING = "3304"


def credit_code(region6: str = XIHU) -> str:
    n = next(_seq)
    body = f"T{n:07d}"
    return cc.make("91" + region6, body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "Test-pass-123")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    kind = Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    region_id = XIHU_TOWN
    credit_code = factory.LazyAttribute(lambda o: credit_code(o.region_id[:6]))
    industry = "C13"
    industry_section = "C"
    employees = 350
    revenue_yuan = 50_000_000
    assets_yuan = 30_000_000
    size_derived = Size.MEDIUM
    size = Size.MEDIUM


def make_user(role: str, *, region: str | None = None, unit: Unit | None = None,
              organisation: AssessorOrganisation | PartnerOrganisation | None = None,
              username: str | None = None):
    """A user with one membership. A partner without an organisation joins the trade union of
    ``region`` (made on first use)."""
    user = UserFactory(username=username) if username else UserFactory()
    user.save()
    partner = organisation if isinstance(organisation, PartnerOrganisation) else None
    if role == "partner" and partner is None:
        partner = make_partner_organisation(region)
    Membership.objects.create(user=user, role=role, region_id=region, unit=unit,
                              organisation=None if partner else organisation,
                              partner_organisation=partner)
    return user


def make_partner_organisation(region: str = XIHU, kind: str = "trade_union",
                              name: str | None = None) -> PartnerOrganisation:
    return PartnerOrganisation.objects.get_or_create(
        region_id=region, kind=kind,
        name=name or f"{region}{PartnerOrganisation.Kind(kind).label}")[0]


def make_organisation(region: str = XIHU) -> AssessorOrganisation:
    return AssessorOrganisation.objects.create(name=f"测试评估机构{next(_seq)}", region_id=region)
