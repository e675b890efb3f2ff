"""A worker answers a satisfaction survey on a phone (390×844), in the system Chromium: big touch
targets, no horizontal scroll, the thank-you page, the link refused the second time; then the unit
admin's round page with the result. Screenshots in docs/screenshots/20-… (look at them)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from hexie.accounts.roles import Role
from hexie.standards import services as standards
from hexie.surveys import services
from hexie.surveys.models import SurveyAnswer, SurveyComment
from hexie.units.size import Size
from tests.factories import XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


@pytest.fixture
def survey(transactional_db):
    standards._compiled.cache_clear()
    call_command("standards", "load", stdout=io.StringIO())
    unit = UnitFactory(region_id=XIHU_TOWN, name="西湖手机调查科技有限公司", employees=20,
                       size=Size.MEDIUM)
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    from django.utils import timezone

    opened = services.open_round(admin, unit, links=20, valid_days=14,
                                 year=timezone.localdate().year)
    yield unit, admin, opened
    standards._compiled.cache_clear()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_worker_answers_on_a_phone(new_page, live_server, survey, screenshot_dir):
    unit, admin, opened = survey
    page = new_page(**PHONE)
    page.goto(f"/s/{opened.tokens[0]}/")
    expect(page.get_by_text(unit.name)).to_be_visible()
    assert no_horizontal_scroll(page)
    choices = page.locator("label.survey-choice")
    assert choices.count() == 8 * 5
    box = choices.first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 60  # touch targets
    for i, (code, _label) in enumerate(opened.round.dimensions):
        page.locator(f"label[for='{code}-{5 if i % 3 else 4}']").tap()
    page.fill("#id_comment", "食堂饭菜不错，希望夜班有热饭。")
    page.screenshot(path=str(screenshot_dir / "20-survey-phone-form.png"), full_page=True)
    page.get_by_test_id("submit-survey").tap()
    expect(page.get_by_test_id("thanks")).to_be_visible()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / "21-survey-phone-thanks.png"))
    assert SurveyAnswer.objects.count() == 1
    answer = SurveyAnswer.objects.get()
    assert answer.levels == "45545545" and answer.satisfied == 8
    assert SurveyComment.objects.get().text == "食堂饭菜不错，希望夜班有热饭。"

    page.goto(f"/s/{opened.tokens[0]}/")
    expect(page.get_by_test_id("refused")).to_contain_text("已使用")
    assert SurveyAnswer.objects.count() == 1

    # the unit admin's round page (desktop) after 17 more answers
    for token in opened.tokens[1:18]:
        services.submit_answer(token, {c: 5 for c, _ in opened.round.dimensions})
    services.close_round(admin, opened.round)
    session = Client()
    session.force_login(admin)
    desk = new_page()
    desk.context.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value,
                               "url": live_server.url}])
    desk.goto(f"/surveys/{opened.round.pk}/")
    expect(desk.get_by_test_id("overall-percent")).to_have_text("100.00%")
    expect(desk.get_by_test_id("round-state")).to_have_text("已结束")
    desk.screenshot(path=str(screenshot_dir / "22-survey-round-result.png"), full_page=True)
