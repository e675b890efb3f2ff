"""The demo data set: one account per role of DOMAIN.md §1 and a few thousand units.

Idempotent: running it again changes nothing once the demo accounts exist.
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from hexie.core.scoping import Scope
from hexie.regions.models import Division
from hexie.units import credit_code as cc
from hexie.units.importing import import_units
from hexie.units.models import Unit
from hexie.units.seed import synthetic_rows, write_csv

from .models import AssessorOrganisation, CoordinatorAssignment, Membership, User
from .roles import Role

DEMO_UNIT_CODE = cc.make("91330106", "DEM00001")

# username, display name, role, region code (or None), description
ACCOUNTS = [
    ("sheng", "省三方办", Role.PROVINCE_OFFICE, "33", "浙江省（全省）"),
    ("hangzhou", "杭州市三方办", Role.CITY_OFFICE, "3301", "杭州市"),
    ("xihu", "西湖区三方办", Role.COUNTY_OFFICE, "330106", "杭州市西湖区"),
    ("nanhu", "南湖区三方办", Role.COUNTY_OFFICE, "330402", "嘉兴市南湖区"),
    ("beishan", "北山街道", Role.TOWN_OFFICE, "330106002", "西湖区北山街道"),
    ("xietiao", "协调员张敏", Role.COORDINATOR, None, "定点联系西湖区 3 个单位"),
    ("pinggu", "评估员李华", Role.ASSESSOR, None, "浙江示例第三方评估中心"),
    ("gonghui", "西湖区总工会", Role.PARTNER, "330106", "西湖区（只读）"),
    ("qiye", "企业经办人王芳", Role.UNIT_ADMIN, None, "杭州西湖示范科技有限公司（本单位）"),
]


def demo_exists() -> bool:
    return User.objects.filter(username="sheng").exists()


def load_demo(password: str | None = None) -> list[tuple[str, str, str]]:
    """Create the demo set if absent; return (username, role label, scope description)."""
    password = password or settings.HEXIE_DEMO_PASSWORD
    if not demo_exists():
        _seed_units()
        _create_accounts(password)
    return [(u, str(Role(r).label), d) for u, _, r, _, d in ACCOUNTS]


def _seed_units():
    towns = list(Division.objects.filter(level="town").values_list("code", "name"))
    with tempfile.TemporaryDirectory() as tmp:
        for seed, count, region in ((2026, 1200, "330106"), (2027, 800, "330402"),
                                    (2028, 2000, "")):
            path = Path(tmp) / f"demo-{seed}.csv"
            taken = set(Unit.objects.filter(kind="town").values_list("region_id", flat=True))
            write_csv(synthetic_rows(count, seed, towns, region, taken), path)
            import_units(None, path, original_name=f"演示数据（种子 {seed}）",
                         scope=Scope(("33",)))


@transaction.atomic
def _create_accounts(password: str):
    unit = Unit.objects.filter(credit_code=DEMO_UNIT_CODE).first() or Unit.objects.create(
        kind="enterprise", name="杭州西湖示范科技有限公司", region_id="330106002",
        credit_code=DEMO_UNIT_CODE, industry="I6513", industry_section="I", employees=260,
        revenue_yuan=120_000_000, assets_yuan=80_000_000, size_derived="medium", size="medium",
        address="杭州市西湖区示范路 88 号",
    )
    organisation, _ = AssessorOrganisation.objects.get_or_create(
        name="浙江示例第三方评估中心", defaults={"region_id": "3301"}
    )
    for username, display, role, region, _desc in ACCOUNTS:
        user = User.objects.create_user(username=username, password=password,
                                        display_name=display)
        Membership.objects.create(
            user=user, role=role, region_id=region,
            unit=unit if role == Role.UNIT_ADMIN else None,
            organisation=organisation if role == Role.ASSESSOR else None,
        )
        if role == Role.COORDINATOR:
            for followed in Unit.objects.filter(region__code__startswith="330106",
                                                kind="enterprise").order_by("id")[:3]:
                CoordinatorAssignment.objects.create(coordinator=user, unit=followed)
