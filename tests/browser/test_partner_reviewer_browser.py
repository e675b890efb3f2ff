"""Partners in the tripartite review, in the system Chromium (issue 10 "done when": the county
assigns a union reviewer): the county office adds 西湖区总工会 on the partner organisations
page, opens the application and names its own staff member and the union's member, offered by
side; the union's member finds the review on the workbench and in 我的评审.

Screenshots to /tmp/shots/partners-*.png (look at them after a change to these pages).
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from hexie.accounts.models import Membership, PartnerOrganisation
from hexie.accounts.roles import Role
from hexie.campaigns import services as campaign_services
from hexie.recognition import services
from hexie.recognition.models import ReviewAssignment
from hexie.regions.loader import load_divisions
from tests.campaigns.conftest import congress, day
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_user
from tests.recognition.conftest import application_congress, submit_assessment

from .test_registry_browser import PASSWORD, log_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


def _user(role, username, display, **kwargs):
    user = make_user(role, username=username, **kwargs)
    user.display_name = display
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world(live_server, settings, tmp_path):
    """西湖区's office and a second staff member, an application waiting to be accepted."""
    settings.MEDIA_ROOT = tmp_path / "files"
    load_divisions()
    call_command("standards", "load", verbosity=0)
    office = _user(Role.COUNTY_OFFICE, "p-county", "西湖区三方办", region=XIHU)
    _user(Role.COUNTY_OFFICE, "p-staff", "王科长", region=XIHU)
    unit = UnitFactory(region_id=XIHU_TOWN, name="西湖三方评审示范有限公司")
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    year = timezone.localdate().year - 1
    campaign_services.open_campaign(office, XIHU, year)
    pledge = campaign_services.pledge(admin, unit, year=year, pledged_on=day(year, 3, 10),
                                      congress=congress(day(year, 3, 1)))
    submit_assessment(unit, pledge, admin)
    application = services.apply(admin, unit, year, application_congress())
    return {"application": application}


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_the_county_assigns_a_union_reviewer(world, new_page):
    application = world["application"]
    county = new_page()
    log_in(county, "p-county")

    # The county adds its trade union on the partner organisations page.
    county.goto("/people/partners/")
    form = county.get_by_test_id("partner-form")
    form.locator("#id_name").fill("西湖区总工会")
    form.locator("#id_kind").select_option("trade_union")
    form.locator("#id_region").fill(XIHU)
    form.locator("button[type=submit]").click()
    expect(county.get_by_test_id("partner-organisations")).to_contain_text("西湖区总工会")
    union = PartnerOrganisation.objects.get(name="西湖区总工会")
    # Its member (invited on the people page in real life; made here with a password).
    member = _user(Role.PARTNER, "p-union", "张三", organisation=union)
    assert Membership.objects.get(user=member).region_id == XIHU
    _shot(county, "partners-organisations.png")

    # The application page offers the union's member under 西湖区总工会（工会方）.
    county.goto(f"/recognition/{application.pk}/")
    form = county.get_by_test_id("assign-form")
    expect(form).to_contain_text("西湖区总工会（工会方）")
    expect(form).to_contain_text("西湖区总工会：张三")
    expect(form.get_by_test_id("help-staff")).to_contain_text("企业方")
    form.get_by_label("王科长").check()
    form.get_by_label("西湖区总工会：张三").check()
    _shot(county, "partners-assign-form.png")
    form.locator("button").click()
    expect(county.get_by_test_id("assignments")).to_contain_text("西湖区总工会：张三")
    expect(county.get_by_test_id("missing-sides")).to_contain_text("企业方")
    _shot(county, "partners-assigned.png")
    assert ReviewAssignment.objects.get(reviewer=member).side == "union"

    # The union's member sees the review to do, and nothing of the county's list.
    partner = new_page()
    log_in(partner, "p-union")
    expect(partner.get_by_test_id("todo-recognition.reviews")).to_contain_text("待完成的评审")
    partner.goto("/recognition/reviews/")
    expect(partner.get_by_test_id("reviews")).to_contain_text("西湖三方评审示范有限公司")
    expect(partner.get_by_test_id("reviews")).to_contain_text("工会方")
    _shot(partner, "partners-union-reviews.png")
    assert partner.goto("/recognition/").status == 404
