"""The yearly online employment health check in the system Chromium: a unit admin answers its
check (with the legal basis shown on demand), submits it, sees the result, downloads the PDF
report and closes a remediation task with evidence; the county office sees the year's progress
and follows the task up. The report is rendered to PNG (pdftoppm) beside the screenshots.

Screenshots 30–39 in docs/screenshots/ (look at them after a change to the pages or report).
"""

import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hexie.accounts.roles import Role
from hexie.healthcheck import services
from hexie.healthcheck.models import HealthCheck, RemediationTask
from hexie.regions.loader import load_divisions
from tests.factories import XIHU, XIHU_TOWN, XIHU_TOWN_2, UnitFactory, make_user

pytestmark = pytest.mark.browser

PASSWORD = "Browser-test-2026"
UNIT_NAME = "杭州西湖体检示范制造有限公司"
FAILED = ("HC-WG-01", "HC-RL-02")


@pytest.fixture
def world(live_server):
    load_divisions()  # a previous transactional test's flush removed them
    services.load_path(None)
    county = make_user(Role.COUNTY_OFFICE, region=XIHU, username="hc-county")
    unit = UnitFactory(region_id=XIHU_TOWN, name=UNIT_NAME, employees=420)
    admin = make_user(Role.UNIT_ADMIN, unit=unit, username="hc-unit")
    for user in (county, admin):
        user.set_password(PASSWORD)
        user.save()
    year = timezone.localdate().year
    others = [UnitFactory(region_id=XIHU_TOWN_2, name=f"西溪体检对照{n}有限公司")
              for n in range(3)]
    services.organise(county, year, [unit, *others])
    other_admin = make_user(Role.UNIT_ADMIN, unit=others[0])
    first = HealthCheck.objects.get(unit=others[0])
    answers = {i.id: "yes" for i in services.applicable_items(first)}
    services.submit(other_admin, first, answers | {"HC-LC-02": "no"})
    return {"unit": unit, "year": year, "check": HealthCheck.objects.get(unit=unit)}


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("工作台")


def shot(page: Page, directory, name: str) -> None:
    page.screenshot(path=str(directory / name), full_page=True)


def test_unit_runs_its_check_and_the_county_sees_progress(world, new_page, screenshot_dir,
                                                          tmp_path):
    check = world["check"]
    page = new_page()
    log_in(page, "hc-unit")
    expect(page.get_by_text("本年度用工体检待完成")).to_be_visible()
    page.get_by_role("link", name="用工体检").first.click()
    page.wait_for_url(f"**/healthcheck/{check.pk}/")
    expect(page.locator("h1")).to_contain_text(UNIT_NAME)
    items = services.applicable_items(check)
    for item in items:
        answer = "no" if item.id in FAILED else "yes"
        page.locator(f"label[for='a-{item.id}-{answer}']").click()
    row = page.locator("[data-item='HC-LC-01']")
    row.get_by_text("法律依据").click()
    expect(row.get_by_text("第八十二条")).to_be_visible()
    expect(page.get_by_test_id("answered")).to_contain_text("已回答 0 /")  # not saved yet
    page.locator("[data-area='LC']").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "30-healthcheck-form.png"))
    page.get_by_test_id("submit-check").click()
    expect(page.locator("h1")).to_contain_text("体检结果")
    expect(page.get_by_test_id("level")).to_contain_text("红色")
    expect(page.locator("[data-finding='HC-WG-01']")).to_contain_text("整改建议")
    shot(page, screenshot_dir, "31-healthcheck-result.png")

    with page.expect_download() as download:
        page.get_by_test_id("report-link").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    for old in screenshot_dir.glob("32-healthcheck-report-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf),
                    str(screenshot_dir / "32-healthcheck-report")], check=True)
    pages = sorted(screenshot_dir.glob("32-healthcheck-report-*.png"))
    assert len(pages) >= 3

    task = RemediationTask.objects.get(finding__item_id="HC-WG-01")
    form = page.get_by_test_id("close-HC-WG-01")
    form.locator("textarea[name=note]").fill("已于本月补发拖欠工资并改为银行代发。")
    evidence = tmp_path / "回单.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% bank receipt\n")
    form.locator("input[type=file]").set_input_files(str(evidence))
    form.get_by_role("button", name="提交整改").click()
    expect(page.get_by_text("已提交整改材料：HC-WG-01")).to_be_visible()
    expect(page.get_by_test_id("task-HC-WG-01")).to_contain_text("待跟进")
    shot(page, screenshot_dir, "33-healthcheck-task-submitted.png")

    county = new_page()
    log_in(county, "hc-county")
    expect(county.get_by_text("整改待跟进")).to_be_visible()
    county.get_by_role("link", name="用工体检").first.click()
    county.wait_for_url("**/healthcheck/progress/")
    expect(county.get_by_test_id("progress-percent")).to_have_text("50%")  # 2 of 4 submitted
    expect(county.get_by_test_id("check-list")).to_contain_text(UNIT_NAME)
    expect(county.get_by_test_id("by-town")).to_contain_text("北山街道")
    shot(county, screenshot_dir, "34-healthcheck-county-progress.png")
    county.get_by_role("link", name="整改跟进").click()
    row = county.locator(f"[data-task='{task.pk}']")
    expect(row).to_contain_text("已于本月补发拖欠工资")
    shot(county, screenshot_dir, "35-healthcheck-county-follow-up.png")
    row.locator("select[name=decision]").select_option("accept")
    row.get_by_role("button", name="保存").click()
    expect(county.get_by_text("已跟进整改任务：HC-WG-01")).to_be_visible()
    task.refresh_from_db()
    assert task.state == RemediationTask.State.ACCEPTED


def test_phone_sized_check_form(world, new_page, screenshot_dir):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, "hc-unit")
    page.goto(f"/healthcheck/{world['check'].pk}/")
    expect(page.locator("[data-item='HC-LC-01']")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(screenshot_dir / "36-healthcheck-mobile.png"))
