"""A unit asks for its login and gets it, in the system Chromium: the public form linked from
the sign-in page, the county office's to-do, the approval with the link shown once and copied,
and the contact opening the link and signing in as the unit's admin.

Screenshots go to /tmp/shots/unitlogin-*.png.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hexie.accounts.models import Membership
from hexie.accounts.roles import Role
from hexie.units.models import AccessRequest, Unit
from tests.factories import XIHU, XIHU_TOWN, credit_code, make_user

pytestmark = pytest.mark.browser

PASSWORD = "Browser-test-2026"
SHOTS = Path("/tmp/shots")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"unitlogin-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_unit_requests_access_and_the_county_approves(new_page):
    unit = Unit.objects.create(kind="enterprise", name="西湖自助申请科技有限公司",
                               region_id=XIHU_TOWN, credit_code=credit_code(XIHU),
                               industry="I6513", industry_section="I", employees=80,
                               revenue_yuan=9_000_000, size="small", size_derived="small")
    county = make_user(Role.COUNTY_OFFICE, region=XIHU, username="xihu_county")
    county.set_password(PASSWORD)
    county.save()

    # The unit, signed out: from the sign-in page to the request form.
    page = new_page()
    page.goto("/login/")
    page.get_by_test_id("request-access-link").click()
    expect(page.locator("h1")).to_have_text("单位申请开通账号")
    page.fill("#id_credit_code", unit.credit_code)
    page.fill("#id_unit_name", unit.name)
    page.fill("#id_legal_representative", "周法人")
    page.fill("#id_contact_name", "吴联系")
    page.fill("#id_phone", "123")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-phone")).to_contain_text("联系电话格式不正确")
    shot(page, "01-request-error")
    page.fill("#id_phone", "13900000000")
    page.fill("#id_email", "wu@example.com")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("access-request-done")).to_contain_text("申请已提交")
    shot(page, "02-request-done")
    request = AccessRequest.objects.get()
    assert request.state == "pending"

    # The county office: the to-do on the workbench, the list, the approval.
    office = new_page(permissions=["clipboard-read", "clipboard-write"])
    office.goto("/login/")
    office.fill("#id_username", county.username)
    office.fill("#id_password", PASSWORD)
    office.locator("form button[type=submit]").click()
    office.wait_for_url(re.compile(r"/$"))
    todo = office.get_by_role("link", name=re.compile("待审核的单位账号申请"))
    expect(todo).to_be_visible()
    shot(office, "03-workbench-todo")
    todo.click()
    expect(office.get_by_test_id("pending-requests")).to_contain_text("周法人")
    shot(office, "04-pending-requests")
    office.get_by_test_id(f"approve-{request.pk}").click()
    link_box = office.locator("#invite-link")
    expect(link_box).to_be_visible()
    link = link_box.inner_text().strip()
    assert "/invite/" in link
    office.get_by_test_id("copy-link").click()
    expect(office.get_by_test_id("copy-link")).to_have_text("已复制")
    assert office.evaluate("navigator.clipboard.readText()").strip() == link
    shot(office, "05-approved-link")
    request.refresh_from_db()
    assert request.state == "approved"
    office.goto(f"/units/{unit.pk}/")
    expect(office.get_by_test_id("pending-invitations")).to_contain_text("吴联系")

    # The contact opens the link, chooses a password and lands on the workbench as the admin.
    contact = new_page()
    contact.goto(link)
    contact.fill("#id_username", "wu_admin")
    contact.fill("#id_password1", PASSWORD)
    contact.fill("#id_password2", PASSWORD)
    contact.locator("form button[type=submit]").click()
    contact.wait_for_url(re.compile(r"/$"))
    shot(contact, "06-unit-admin-home")
    office.reload()
    expect(office.get_by_test_id("unit-admins")).to_contain_text("wu_admin")
    expect(office.get_by_test_id("pending-invitations")).to_contain_text("没有待接受的邀请。")
    shot(office, "07-unit-page-admins")
    assert Membership.objects.filter(user__username="wu_admin", role=Role.UNIT_ADMIN,
                                     unit=unit).exists()
