"""Issue 10 "done when", in the system Chromium, with no account made behind the pages except
the province's first one (`hexie accounts create` in real life): the province invites a city
office, the city a county office, the county a unit's admin from the unit's page; the unit opens
its link, sets a password, signs in and pledges; a second unit asks for access and the county
approves it; the county adds its trade union, invites a union member and names them a
tripartite reviewer.

Screenshots go to docs/screenshots/ as 30-… to 37-…; look at them after a change to these pages.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from hexie.accounts.models import Membership, User
from hexie.accounts.roles import Role
from hexie.campaigns import services as campaign_services
from hexie.campaigns.models import Pledge
from hexie.recognition import services as recognition
from hexie.recognition.models import ReviewAssignment
from hexie.regions.loader import load_divisions
from hexie.units import credit_code as cc
from hexie.units import services as unit_services
from hexie.units.models import AccessRequest
from tests.campaigns.conftest import congress
from tests.factories import HANGZHOU, XIHU, XIHU_TOWN, make_user
from tests.recognition.conftest import application_congress, submit_assessment

from .test_registry_browser import PASSWORD, log_in, shot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Walk-accounts-2026"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _unit(actor, name, serial, employees="45"):
    return unit_services.create_unit(actor, {
        "kind": "enterprise", "name": name, "region_code": XIHU_TOWN, "industry": "I6513",
        "credit_code": cc.make("91330106", serial), "employees": employees,
        "revenue_yuan": "9000000", "assets_yuan": "4000000", "platform": "否",
    })


@pytest.fixture
def world(live_server, settings, tmp_path):
    """The province's first account and the registry's units; nothing else."""
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.HEXIE_PRIVATE_ROOT = tmp_path / "private"
    load_divisions()
    call_command("standards", "load", verbosity=0)
    province = make_user(Role.PROVINCE_OFFICE, region="33", username="walk-sheng")
    province.display_name = "省三方办"
    province.set_password(PASSWORD)
    province.save()
    return {
        "pledging": _unit(province, "西湖账号走查科技有限公司", "ACC00001"),
        "asking": _unit(province, "西湖自助开通贸易有限公司", "ACC00002"),
        "applied": _unit(province, "西湖三方评审走查有限公司", "ACC00003"),
    }


def _invite_on_people_page(page: Page, role: str, region: str, name: str, *,
                           partner: str | None = None) -> str:
    page.goto("/people/")
    page.select_option("#id_role", role)
    if partner:
        page.select_option("#id_partner_organisation", label=partner)
    else:
        page.fill("#id_region", region)
    page.fill("#id_display_name", name)
    page.get_by_role("button", name="生成邀请链接").click()
    box = page.get_by_test_id("invitation-link")
    expect(box).to_be_visible()
    return box.locator("code").inner_text().strip()


def _accept(page: Page, link: str, username: str) -> None:
    """Open the link signed out, set a password, land on the workbench; then sign out and in
    again with that password."""
    page.context.clear_cookies()
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    expect(page.get_by_test_id("invitation-accept")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.get_by_role("button", name="创建账号并登录").click()
    expect(page.locator("h1")).to_have_text("工作台")
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", NEW_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("工作台")


def test_offices_units_and_partners_get_their_accounts_through_the_pages(
        world, new_page, screenshot_dir, tmp_path):
    today = timezone.localdate()
    year = today.year
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The province invites the Hangzhou city office; the city accepts.
    log_in(page, "walk-sheng")
    link = _invite_on_people_page(page, "city_office", HANGZHOU, "杭州市三方办")
    shot(page, screenshot_dir, "30-province-invites-city.png")
    _accept(page, link, "walk-hangzhou")
    expect(page.get_by_test_id("whoami")).to_contain_text("市三方会议办公室")
    assert Membership.objects.get(user__username="walk-hangzhou").region_id == HANGZHOU

    # 2. The city invites the 西湖区 county office, which cannot be a province office.
    page.goto("/people/")
    assert "province_office" not in page.locator("#id_role").inner_html()
    link = _invite_on_people_page(page, "county_office", XIHU, "西湖区三方办")
    _accept(page, link, "walk-xihu")
    assert Membership.objects.get(user__username="walk-xihu").region_id == XIHU

    # 3. The county opens the year, sends the letter, and invites the unit's admin from the
    #    unit's page.
    page.locator("nav").get_by_role("link", name="创建活动", exact=True).click()
    page.fill("#id_year", str(year))
    page.get_by_role("button", name="开启创建年度").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+/$"))
    page.fill("#id_title", f"关于开展{year}年度和谐劳动关系创建活动的倡议书")
    page.fill("#id_body", "全区各单位：诚邀各单位经职工（代表）大会讨论确定后提交创建承诺书。")
    page.get_by_test_id("send-form").get_by_role("button", name="发送").click()
    expect(page.locator("body")).to_contain_text("已送达")
    unit = world["pledging"]
    page.goto(f"/units/{unit.pk}/")
    page.fill("#id_invite_display_name", "企业经办人")
    page.fill("#id_invite_phone", "13900001111")
    page.get_by_test_id("invite-submit").click()
    expect(page.get_by_test_id("invitation-link")).to_be_visible()
    link = page.locator("#invite-link").inner_text().strip()
    shot(page, screenshot_dir, "31-county-invites-unit-admin.png")

    # 4. The unit opens the link, sets a password, signs in, signs the letter and pledges.
    _accept(page, link, "walk-qiye")
    expect(page.get_by_test_id("todos")).to_contain_text("倡议书待签收")
    page.get_by_test_id("workbench-letters").get_by_role("link").first.click()
    page.get_by_role("button", name=re.compile("签收")).click()
    expect(page.locator("body")).to_contain_text("已签收")
    page.goto("/campaigns/pledge/")
    page.fill("#id_year", str(year))
    page.fill("#id_pledged_on", today.isoformat())
    page.select_option("#id_kind", "workers_congress")
    page.fill("#id_held_on", (today - datetime.timedelta(days=2)).isoformat())
    page.fill("#id_attendance_present", "40")
    page.fill("#id_attendance_total", "45")
    page.fill("#id_resolution", "大会讨论一致同意。")
    minutes = tmp_path / "职工大会会议记录.pdf"
    minutes.write_bytes(PDF)
    page.set_input_files("#id_minutes", str(minutes))
    page.get_by_role("button", name=re.compile("提交")).click()
    expect(page.locator("body")).to_contain_text(f"已提交 {year} 年度创建承诺书")
    shot(page, screenshot_dir, "32-unit-pledged.png")
    assert Pledge.objects.filter(unit=unit, year=year).exists()
    page.context.clear_cookies()

    # 5. A second unit asks for access on the public page; the county approves it.
    asking = world["asking"]
    page.goto("/login/")
    page.get_by_test_id("request-access-link").click()
    page.fill("#id_credit_code", asking.credit_code)
    page.fill("#id_unit_name", asking.name)
    page.fill("#id_legal_representative", "周法人")
    page.fill("#id_contact_name", "吴联系")
    page.fill("#id_phone", "13900002222")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("access-request-done")).to_contain_text("申请已提交")
    shot(page, screenshot_dir, "33-unit-asks-for-access.png")
    request = AccessRequest.objects.get(unit=asking)
    log_in_as(page, "walk-xihu")
    page.get_by_role("link", name=re.compile("待审核的单位账号申请")).click()
    expect(page.get_by_test_id("pending-requests")).to_contain_text("周法人")
    shot(page, screenshot_dir, "34-county-access-requests.png")
    page.get_by_test_id(f"approve-{request.pk}").click()
    link = page.locator("#invite-link").inner_text().strip()
    _accept(page, link, "walk-ziyuan")
    assert Membership.objects.get(user__username="walk-ziyuan").unit_id == asking.pk
    request.refresh_from_db()
    assert request.state == "approved"

    # 6. The county adds its trade union and invites a member of it.
    log_in_as(page, "walk-xihu")
    page.goto("/people/partners/")
    form = page.get_by_test_id("partner-form")
    form.locator("#id_name").fill("西湖区总工会")
    form.locator("#id_kind").select_option("trade_union")
    form.locator("#id_region").fill(XIHU)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("partner-organisations")).to_contain_text("西湖区总工会")
    link = _invite_on_people_page(page, "partner", "", "张工会",
                                  partner="西湖区总工会（总工会）")
    _accept(page, link, "walk-gonghui")
    member = User.objects.get(username="walk-gonghui")
    assert Membership.objects.get(user=member).partner_organisation.name == "西湖区总工会"

    # A third unit has applied meanwhile (its year told through the services).
    applied = world["applied"]
    admin = make_user(Role.UNIT_ADMIN, unit=applied)
    pledge = campaign_services.pledge(admin, applied, year=year,
                                      pledged_on=today - datetime.timedelta(days=1),
                                      congress=congress(today - datetime.timedelta(days=3)))
    submit_assessment(applied, pledge, admin)
    application = recognition.apply(admin, applied, year, application_congress())

    # 7. The county names itself and the union member as tripartite reviewers.
    log_in_as(page, "walk-xihu")
    page.goto(f"/recognition/{application.pk}/")
    form = page.get_by_test_id("assign-form")
    expect(form).to_contain_text("西湖区总工会（工会方）")
    form.get_by_label("西湖区总工会：张工会").check()
    form.get_by_label("西湖区三方办").check()
    shot(page, screenshot_dir, "35-county-assigns-union-reviewer.png")
    form.locator("button").click()
    expect(page.get_by_test_id("assignments")).to_contain_text("西湖区总工会：张工会")
    assert ReviewAssignment.objects.get(reviewer=member).side == "union"

    # 8. The union member finds the review on the workbench.
    log_in_as(page, "walk-gonghui")
    expect(page.get_by_test_id("todo-recognition.reviews")).to_contain_text("待完成的评审")
    shot(page, screenshot_dir, "36-union-reviewer-workbench.png")
    # 9. And the county sees the whole chain on the person's page: who invited, who accepted.
    log_in_as(page, "walk-xihu")
    page.goto(f"/people/{member.pk}/")
    expect(page.get_by_test_id("memberships")).to_contain_text("西湖区总工会")
    expect(page.get_by_test_id("person-history")).to_contain_text("accounts.accept_invitation")
    shot(page, screenshot_dir, "37-person-page.png")


def log_in_as(page: Page, username: str) -> None:
    """Sign out whoever is signed in and sign in with the password set on the invitation."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", NEW_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("工作台")

