"""The whole campaign year through the pages, in the system Chromium (issue 4 point 9): the
county opens the year and sends the initiative letter; the unit signs it and pledges with its
congress record; it self-assesses with evidence and applies with a second congress record; a
county reviewer and a third-party assessor review; the county recognises the unit and publishes
the year's list; the public page shows the unit.

Every step is a page a person uses (no service call after the set-up). Screenshots go to
docs/screenshots/ as 10-… to 19-…; look at them after a change to these pages.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from hexie.accounts.roles import Role
from hexie.recognition.models import Application, Recognition
from hexie.regions.loader import load_divisions
from hexie.units import credit_code as cc
from hexie.units import services as unit_services
from tests.factories import XIHU, XIHU_TOWN, make_organisation, make_user

from .test_registry_browser import PASSWORD, log_in, shot

pytestmark = pytest.mark.browser

UNIT_NAME = "西湖全年走查示范科技有限公司"
# A real one-page PDF: the congress minutes and the evidence files (their signatures are
# checked).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _user(role, username, display, **kwargs):
    user = make_user(role, username=username, **kwargs)
    user.display_name = display
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world(live_server, settings, tmp_path):
    """西湖区 with its office, a second county reviewer, an assessor organisation with one
    assessor, and one small enterprise with its admin."""
    settings.MEDIA_ROOT = tmp_path / "files"
    load_divisions()
    call_command("standards", "load", verbosity=0)
    office = _user(Role.COUNTY_OFFICE, "walk-county", "西湖区三方办", region=XIHU)
    _user(Role.COUNTY_OFFICE, "walk-reviewer", "西湖区评审员", region=XIHU)
    organisation = make_organisation(XIHU)
    _user(Role.ASSESSOR, "walk-assessor", "第三方评估员", organisation=organisation)
    unit = unit_services.create_unit(office, {
        "kind": "enterprise", "name": UNIT_NAME, "region_code": XIHU_TOWN, "industry": "I6513",
        "credit_code": cc.make("91330106", "WLK00001"), "employees": "45",
        "revenue_yuan": "9000000", "assets_yuan": "4000000", "platform": "否",
    })
    assert unit.size == "small"  # the ES set: seven criteria
    _user(Role.UNIT_ADMIN, "walk-unit", "企业经办人", unit=unit)
    return {"unit": unit, "organisation": organisation}


def _pdf(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(PDF)
    return path


def _congress(page: Page, minutes, *, held_on: datetime.date, present=40, total=45):
    page.select_option("#id_kind", "workers_congress")
    page.fill("#id_held_on", held_on.isoformat())
    page.fill("#id_attendance_present", str(present))
    page.fill("#id_attendance_total", str(total))
    page.fill("#id_resolution", "大会讨论一致同意。")
    page.set_input_files("#id_minutes", str(minutes))


def _compliant(fact: dict, name: str, known: dict) -> str:
    """A compliant answer for one integer/number fact of the template."""
    if fact.get("at_most"):
        return known[fact["at_most"]]
    if name == "satisfaction_percent":
        return "92.5"
    if fact["type"] == "number":
        return "10000"
    return "45" if name.endswith("_total") else "2"


def test_a_whole_campaign_year_through_the_pages(world, new_page, screenshot_dir, tmp_path):
    today = timezone.localdate()
    year = today.year
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The county office opens the year and sends the initiative letter.
    log_in(page, "walk-county")
    page.locator("nav").get_by_role("link", name="创建活动", exact=True).click()
    page.fill("#id_year", str(year))
    page.get_by_role("button", name="开启创建年度").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+/$"))
    page.fill("#id_title", f"关于开展{year}年度和谐劳动关系创建活动的倡议书")
    page.fill("#id_body", "全区各单位：诚邀各单位经职工（代表）大会讨论确定后提交创建承诺书。")
    page.get_by_test_id("send-form").get_by_role("button", name="发送").click()
    expect(page.locator("body")).to_contain_text("已送达")
    shot(page, screenshot_dir, "10-county-letter-sent.png")
    page.context.clear_cookies()

    # 2. The unit signs the letter on its workbench and pledges with its congress record.
    log_in(page, "walk-unit")
    expect(page.get_by_test_id("todos")).to_contain_text("倡议书待签收")
    page.get_by_test_id("workbench-letters").get_by_role("link").first.click()
    page.get_by_role("button", name=re.compile("签收")).click()
    expect(page.locator("body")).to_contain_text("已签收")
    page.goto("/campaigns/pledge/")
    page.fill("#id_year", str(year))
    page.fill("#id_pledged_on", today.isoformat())
    _congress(page, _pdf(tmp_path, "职工大会会议记录.pdf"),
              held_on=today - datetime.timedelta(days=2))
    shot(page, screenshot_dir, "11-unit-pledge.png")
    page.get_by_role("button", name=re.compile("提交")).click()
    expect(page.locator("body")).to_contain_text(f"已提交 {year} 年度创建承诺书")

    # 3. Self-assessment: evidence for every item that asks for it, every fact compliant.
    page.goto("/assessments/")
    page.get_by_test_id(f"year-{year}").get_by_role("button", name="开始自评").click()
    page.wait_for_url(re.compile(r"/assessments/\d+/edit/$"))
    for item in page.locator("[data-evidence-item]").all():
        item_id = item.get_attribute("data-evidence-item")
        item.locator("input[type=file]").set_input_files(str(_pdf(tmp_path, f"{item_id}.pdf")))
        item.get_by_role("button", name="上传").click()
        expect(page.locator(f"[data-evidence-item='{item_id}']")).to_contain_text(
            f"{item_id}.pdf")
    from hexie.standards import contract
    from hexie.standards.services import compiled, resolve

    facts = contract.template(compiled(resolve().pk), "enterprise", "small")["facts"]
    known: dict[str, str] = {}
    for name in sorted(facts, key=lambda n: bool(facts[n].get("at_most"))):
        fact = facts[name]
        if fact["type"] == "boolean":
            page.locator(f"label[for='{name}-yes']").click()
        else:
            known[name] = _compliant(fact, name, known)
            page.fill(f"[name='{name}']", known[name])
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("live")).to_contain_text("达到创建标准")
    shot(page, screenshot_dir, "12-unit-self-assessment.png")
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))
    expect(page.get_by_test_id("overall")).to_contain_text("达到创建标准")

    # 4. Application, with the congress that approved applying.
    page.goto("/")
    expect(page.get_by_test_id("todos")).to_contain_text("可提交认定申请")
    page.goto("/recognition/apply/")
    page.fill("#id_year", str(year))
    _congress(page, _pdf(tmp_path, "职工大会决议.pdf"), held_on=today - datetime.timedelta(days=1))
    page.get_by_test_id("apply-form").get_by_role("button", name="提交认定申请").click()
    expect(page.locator("body")).to_contain_text("已申请，待受理")
    shot(page, screenshot_dir, "13-unit-applied.png")
    page.context.clear_cookies()
    application = Application.objects.get(unit=world["unit"], year=year)

    # 5. The county assigns its reviewer and the third-party organisation.
    log_in(page, "walk-county")
    expect(page.get_by_test_id("todos")).to_contain_text("待受理的认定申请")
    page.goto(f"/recognition/{application.pk}/")
    form = page.get_by_test_id("assign-form")
    form.get_by_label("西湖区评审员").check()
    form.locator("select[name=organisation]").select_option(str(world["organisation"].pk))
    form.get_by_role("button", name="指派").click()
    expect(page.get_by_test_id("state")).to_have_text("评审中")
    shot(page, screenshot_dir, "14-county-assigned.png")
    page.context.clear_cookies()

    # 6. Both reviewers confirm every criterion and record the site visit.
    for username, shot_name in (("walk-reviewer", "15-reviewer-form.png"),
                                ("walk-assessor", None)):
        log_in(page, username)
        expect(page.get_by_test_id("todos")).to_contain_text("待完成的评审")
        page.goto("/recognition/reviews/")
        page.locator("main").get_by_role("link", name=UNIT_NAME).click()
        form = page.get_by_test_id("review-form")
        for radio in form.locator("input[type=radio][value='1'][name^='c_']").all():
            radio.check()
        form.locator("[name=site_visit_on]").fill(today.isoformat())
        form.locator("[name=site_visit_notes]").fill("现场查看劳动合同、工资台账与社保缴费记录。")
        form.locator("input[name=recommend_pass][value='1']").check()
        if shot_name:
            shot(page, screenshot_dir, shot_name)
        form.get_by_role("button", name="提交评审意见").click()
        expect(page.get_by_role("alert")).to_contain_text("评审意见已提交")
        page.context.clear_cookies()

    # 7. The county decides: passed, with its reason.
    log_in(page, "walk-county")
    page.goto(f"/recognition/{application.pk}/")
    expect(page.get_by_test_id("conclusion")).to_be_visible()
    form = page.get_by_test_id("decide-form")
    form.locator("input[name=passed][value='1']").check()
    form.locator("[name=reason]").fill("三方评审与第三方评估均确认达到创建标准。")
    form.get_by_role("button", name="提交决定").click()
    expect(page.get_by_test_id("state")).to_have_text("评审通过")
    shot(page, screenshot_dir, "16-county-decided.png")
    # The application's history (办理记录), oldest first: applied, accepted with reviewers,
    # two reviews, the decision, each with its actor and one Chinese sentence.
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("办理记录")
    expect(timeline.locator("li")).to_have_count(5)
    for event_type in ("submitted", "reviewers_assigned", "review_submitted", "passed"):
        expect(timeline.get_by_test_id(f"event-{event_type}").first).to_be_visible()
    timeline.scroll_into_view_if_needed()
    timeline.screenshot(path=str(screenshot_dir / "19-application-timeline.png"))
    assert Recognition.objects.filter(unit=world["unit"], year=year, state="pending").exists()
    notice = page.request.get(page.get_by_test_id("recognition-pdf").get_attribute("href"))
    assert notice.ok and notice.headers["content-type"] == "application/pdf"
    assert notice.body().startswith(b"%PDF")

    # 8. The county publishes the year's list.
    page.goto(f"/publicity/?year={year}&region={XIHU}")
    publish = page.get_by_test_id("publish-form")
    publish.locator("[name=title]").fill(f"{year}年度西湖区和谐劳动关系单位名单")
    publish.get_by_role("button", name="公布名单").click()
    expect(page.locator("body")).to_contain_text("已公布")
    shot(page, screenshot_dir, "17-county-published.png")
    page.context.clear_cookies()

    # 9. The public finds the unit on the published list, without signing in.
    page.goto("/public/")
    page.fill("#q", "全年走查")
    page.get_by_test_id("public-filter").get_by_role("button").click()
    expect(page.get_by_test_id("entries")).to_contain_text(UNIT_NAME)
    shot(page, screenshot_dir, "18-public-list.png")
    csv = page.request.get("/public/download.csv?q=%E5%85%A8%E5%B9%B4%E8%B5%B0%E6%9F%A5")
    assert csv.ok and UNIT_NAME in csv.text()
