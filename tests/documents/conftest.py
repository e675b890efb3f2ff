"""The documents' world: 西湖区's campaign of last year, its letter delivered to a unit with a
long name, the unit's pledge, its recognition, and the county's published list (of many units
where the table must run over pages). Recognition records are written directly: their services
belong to another app and are not what these tests are about."""

import datetime
import shutil
import subprocess

import pytest
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.assessments.models import SelfAssessment
from hexie.campaigns import services as campaigns
from hexie.campaigns.models import CongressKind, CongressPurpose, CongressRecord, Pledge
from hexie.publicity.models import PublishedEntry, PublishedList
from hexie.recognition.models import Application, Recognition
from hexie.standards.models import StandardLibrary
from tests.campaigns.conftest import congress, day
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_user

LONG_NAME = "杭州西湖区龙井茶文化旅游发展与数字化劳动关系服务创新研究院股份有限公司第二分公司"
LETTER_TITLE = "关于开展和谐劳动关系创建活动的倡议书"
LETTER_BODY = (
    "为深入贯彻落实浙人社发〔2023〕17号《高质量推进和谐劳动关系创建活动实施方案》，"
    "全面推进和谐劳动关系创建活动，现向辖区内各企业、工地项目、工业园区、乡镇（街道）和行业"
    "发出倡议：积极参加创建活动，经职工大会或职工代表大会讨论确定后，提交创建承诺书。\n"
    "“和谐劳动、共建共享”。让我们携手并进，依法规范用工，保障职工权益，"
    "构建规范有序、公正合理、互利共赢、和谐稳定的劳动关系！"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture
def year():
    return timezone.localdate().year - 1


@pytest.fixture
def office(db):
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


@pytest.fixture
def unit(db):
    return UnitFactory(region_id=XIHU_TOWN, name=LONG_NAME)


@pytest.fixture
def unit_admin(unit):
    return make_user(Role.UNIT_ADMIN, unit=unit)


@pytest.fixture
def list_size():
    """How many units the published list holds (the PDF tests need pages of them)."""
    return 3


@pytest.fixture
def world(office, unit, unit_admin, year, list_size, django_capture_on_commit_callbacks):
    """campaign, letter, delivery, pledge, recognition, published list."""
    campaign = campaigns.open_campaign(office, XIHU, year)
    with django_capture_on_commit_callbacks(execute=True):
        letter = campaigns.send_initiative(office, campaign, title=LETTER_TITLE,
                                           body=LETTER_BODY)
    letter.refresh_from_db()
    delivery = letter.deliveries.get(unit=unit)
    pledge = campaigns.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                              congress=congress(day(year, 3, 1)))
    recognition = make_recognition(unit, pledge, unit_admin, office)
    others = [make_recognition(u, make_pledge(campaign, u, unit_admin), unit_admin, office)
              for u in UnitFactory.create_batch(list_size - 1, region_id=XIHU_TOWN)]
    plist = make_published_list(office, year, [recognition, *others])
    return {"campaign": campaign, "letter": letter, "delivery": delivery, "pledge": pledge,
            "recognition": recognition, "list": plist}


def make_pledge(campaign, unit, by):
    record = CongressRecord.objects.create(
        unit=unit, purpose=CongressPurpose.PLEDGE,
        kind=CongressKind.WORKERS_CONGRESS, held_on=day(campaign.year, 3, 1),
        attendance_present=40, attendance_total=45, resolution="同意参加创建。",
        minutes="congress/x.pdf", minutes_name="minutes.pdf", recorded_by=by)
    return Pledge.objects.create(unit=unit, campaign=campaign, year=campaign.year,
                                 pledged_on=day(campaign.year, 3, 2), congress=record,
                                 pledged_by=by)


def make_recognition(unit, pledge, unit_admin, office, state=Recognition.State.PUBLISHED):
    library = StandardLibrary.objects.get_or_create(
        library_id="test-lib", version=1,
        defaults={"title": "测试标准", "issuer": "测试", "effective": datetime.date(2023, 6, 30),
                  "source": "测试", "content": {}, "sha256": "0" * 64})[0]
    sa = SelfAssessment.objects.create(unit=unit, pledge=pledge, year=pledge.year,
                                       standard=library, created_by=unit_admin)
    record = CongressRecord.objects.create(
        unit=unit, purpose=CongressPurpose.APPLICATION,
        kind=CongressKind.WORKERS_REPRESENTATIVE_CONGRESS, held_on=pledge.pledged_on,
        attendance_present=40, attendance_total=45, resolution="同意申请认定。",
        minutes="congress/y.pdf", minutes_name="minutes.pdf", recorded_by=unit_admin)
    application = Application.objects.create(unit=unit, pledge=pledge, year=pledge.year,
                                             self_assessment=sa, congress=record,
                                             submitted_by=unit_admin, state="passed")
    return Recognition.objects.create(unit=unit, year=pledge.year, application=application,
                                      region_id=unit.region_id[:6], state=state,
                                      recognised_on=datetime.date(pledge.year, 11, 20))


def make_published_list(office, year, recognitions):
    plist = PublishedList.objects.create(
        region_id=XIHU, year=year, title=f"杭州市西湖区{year}年度和谐劳动关系单位名单",
        published_by=office, published_at=timezone.make_aware(datetime.datetime(year, 12, 28, 9)),
        entry_count=len(recognitions))
    for r in recognitions:
        PublishedEntry.objects.create(published_list=plist, recognition=r,
                                      unit_name=r.unit.name, identifier=r.unit.credit_code,
                                      kind=r.unit.kind, region_code=r.unit.region_id,
                                      region_name="西湖区北山街道")
    return plist


def pdf_text(data: bytes, tmp_path) -> str:
    """The text poppler extracts in drawing order (pdftotext -raw; poppler-utils is installed
    in CI), pages separated by form feeds."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([shutil.which("pdftotext"), "-raw", str(path), "-"],
                          capture_output=True, check=True, text=True).stdout


def pdf_fonts(data: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run([shutil.which("pdffonts"), str(path)], capture_output=True,
                         check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]
