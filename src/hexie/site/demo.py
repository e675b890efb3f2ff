"""The demo data set: one account per role of DOMAIN.md §1 and a few thousand units.

Idempotent: running it again changes nothing once the demo accounts exist.
"""

import datetime
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from hexie.accounts.models import (
    AssessorOrganisation,
    CoordinatorAssignment,
    PartnerOrganisation,
    User,
)
from hexie.accounts.roles import Role
from hexie.accounts.services import grant_membership
from hexie.assessments.demo import submit_demo_self_assessment
from hexie.assessments.models import SelfAssessment
from hexie.campaigns import services as campaigns
from hexie.campaigns.models import CampaignYear, CongressKind, Pledge
from hexie.campaigns.tasks import send_initiative_letters
from hexie.core.scoping import Scope
from hexie.healthcheck.demo import demo_health_check
from hexie.publicity.demo import demo_notice_and_publish
from hexie.recognition.demo import demo_application, demo_assign, demo_review_and_pass
from hexie.regions.models import Division
from hexie.surveys.demo import load_demo_surveys
from hexie.units import credit_code as cc
from hexie.units.importing import import_units
from hexie.units.models import Unit
from hexie.units.seed import synthetic_rows, write_csv

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
    ("gonghui", "西湖区总工会", Role.PARTNER, "330106", "西湖区总工会（只读；三方评审人员）"),
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
    if not CampaignYear.objects.filter(region_id=DEMO_CAMPAIGN_REGION).exists():
        _seed_campaign()
    if not SelfAssessment.objects.within(DEMO_CAMPAIGN_REGION).exists():
        _seed_workflow()
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
    # The county's trade union: its member reviews for the union side of the tripartite
    # review (seed 四（三）).
    union, _ = PartnerOrganisation.objects.get_or_create(
        region_id=DEMO_CAMPAIGN_REGION, kind=PartnerOrganisation.Kind.TRADE_UNION,
        name="西湖区总工会")
    for username, display, role, region, _desc in ACCOUNTS:
        user = User.objects.create_user(username=username, password=password,
                                        display_name=display)
        grant_membership(
            None, user, role, region=region,
            unit=unit if role == Role.UNIT_ADMIN else None,
            organisation={Role.ASSESSOR: organisation, Role.PARTNER: union}.get(role),
            reason="demo",
        )
        if role == Role.COORDINATOR:
            for followed in Unit.objects.within("330106").filter(
                    kind="enterprise").order_by("id")[:3]:
                CoordinatorAssignment.objects.create(coordinator=user, unit=followed)


DEMO_CAMPAIGN_REGION = "330106"
# Units that have pledged in the demo, each through its own admin (no password: they exist so
# that every pledge goes through the service and is audited like a real one).
DEMO_PLEDGES = 4
# A one-page PDF: the demo's congress minutes (the pledge service checks the signature).
DEMO_MINUTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _seed_campaign():
    """西湖区 opens this year's campaign, sends the initiative letter to every unit, and a few
    units pledge with their congress record; the office puts them into its plan."""
    office = User.objects.get(username="xihu")
    today = timezone.localdate()
    campaign = campaigns.open_campaign(office, DEMO_CAMPAIGN_REGION, today.year)
    letter = campaigns.send_initiative(
        office, campaign, title=f"关于开展{today.year}年度和谐劳动关系创建活动的倡议书",
        body="全区各企业、工地项目、工业园区、乡镇（街道）和行业协会：\n"
             "依据浙人社发〔2023〕17号，诚邀各单位经职工大会或职工代表大会讨论确定后，"
             "提交创建承诺书，积极参加和谐劳动关系创建活动。\n西湖区协调劳动关系三方会议办公室",
    )
    # Deliver now so the demo is complete at once; the job is idempotent, so the run queued by
    # send_initiative (inline, or on a worker when a broker is configured) adds nothing.
    send_initiative_letters(letter.pk)
    held_on = max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=7))
    classes = ["key", "regular", "regular", "foundation"]
    units = (Unit.objects.within(DEMO_CAMPAIGN_REGION).filter(kind="enterprise")
             .exclude(credit_code=DEMO_UNIT_CODE)
             .exclude(admins__isnull=False).order_by("id")[:DEMO_PLEDGES])
    for n, unit in enumerate(units, start=1):
        admin = User(username=f"demo-unit-{n}", display_name="演示承诺单位经办人")
        admin.set_unusable_password()
        admin.save()
        grant_membership(None, admin, Role.UNIT_ADMIN, unit=unit, reason="demo")
        total = max(3, min(unit.employees or 60, 120))
        pledge = campaigns.pledge(admin, unit, year=today.year, pledged_on=today, congress=(
            campaigns.CongressInput(
                kind=CongressKind.WORKERS_REPRESENTATIVE_CONGRESS, held_on=held_on,
                attendance_present=-(-total * 4 // 5), attendance_total=total,
                resolution="大会讨论一致同意参加和谐劳动关系创建活动。",
                minutes=SimpleUploadedFile("职代会会议记录.pdf", DEMO_MINUTES),
            )))
        campaigns.assign_cultivation(office, pledge, cultivation_class=classes[n % 4],
                                     target_year=today.year + (1 if n % 2 else 2))


def _seed_workflow():
    """The rest of the year for the pledged demo units, each step through its service: two
    self-assess; the first is reviewed, recognised, put on notice and published, the second
    waits for its reviewers (西湖区 office, 西湖区总工会's gonghui and the demo assessor
    organisation); the first runs
    its health check; the third runs a satisfaction survey."""
    from hexie.healthcheck import services as healthcheck
    from hexie.standards import services as standards

    # The steps pin the standard library and the health-check catalogue: make sure they are in
    # (idempotent; `hexie up` has loaded them already).
    standards.load_path(None)
    healthcheck.load_path(None)
    office = User.objects.get(username="xihu")
    organisation = AssessorOrganisation.objects.get(name="浙江示例第三方评估中心")
    # 西湖区总工会's member reviews beside the office: the first application shows a union
    # opinion in its conclusion, the second waits on the partner's home as a to-do.
    partners = list(User.objects.filter(username="gonghui", is_active=True))
    year = timezone.localdate().year
    pledges = list(Pledge.objects.within(DEMO_CAMPAIGN_REGION)
                   .filter(year=year, pledged_by__username__startswith="demo-unit-")
                   .select_related("unit", "pledged_by").order_by("id"))
    if len(pledges) < 3:
        return
    (first, second, third) = pledges[:3]
    for p in (first, second):
        submit_demo_self_assessment(p.unit, p.pledged_by, year)
    demo_review_and_pass(demo_application(first.unit, first.pledged_by, year), office,
                         organisation, partners)
    demo_notice_and_publish(DEMO_CAMPAIGN_REGION, year, office)
    demo_assign(demo_application(second.unit, second.pledged_by, year), office, organisation,
                partners)
    demo_health_check(first.unit, first.pledged_by, office, year)
    load_demo_surveys(third.unit, third.pledged_by, year)
