"""Two-factor enrolment in the system Chromium: a county office signs in with HEXIE_REQUIRE_2FA
on, is sent to the enrolment page, enters the code computed from the secret shown there (no
camera), sees its ten recovery codes and lands on the home page.

Screenshots /tmp/shots/signin-*.png (look at them after a change to the pages)."""

import re
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from hexie.accounts.roles import Role
from hexie.regions.loader import load_divisions
from tests.factories import XIHU, make_user

pytestmark = pytest.mark.browser

PASSWORD = "Browser-test-2026"
SHOTS = Path("/tmp/shots")


@pytest.fixture
def county(live_server, settings):
    settings.HEXIE_REQUIRE_2FA = True
    load_divisions()  # a previous transactional test's flush removed them
    user = make_user(Role.COUNTY_OFFICE, region=XIHU, username="tfa-county")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_county_office_enrols_and_lands_on_the_home_page(new_page, county):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page()

    # Given the sign-in page, which does not claim 2FA is off
    page.goto("/login/")
    expect(page.get_by_test_id("two-factor-off")).to_have_count(0)
    page.fill("#id_username", county.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()

    # When the password is right, the enrolment page shows a QR code and the secret
    expect(page.locator("h1")).to_have_text("启用双因素认证")
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    page.screenshot(path=str(SHOTS / "signin-1-enrol.png"), full_page=True)
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]+", secret)

    # And the code an authenticator app would show confirms it
    code = totp(b32decode(secret + "=" * (-len(secret) % 8)))
    page.fill("#id_code", f"{code:06d}")
    page.locator("form button[type=submit]").click()

    # Then ten recovery codes are shown once
    expect(page.locator("h1")).to_have_text("双因素认证已启用")
    expect(page.get_by_test_id("recovery-code-list").locator("li")).to_have_count(10)
    page.screenshot(path=str(SHOTS / "signin-2-recovery-codes.png"), full_page=True)

    # And continuing lands on the home page, signed in and verified
    page.get_by_test_id("continue").click()
    expect(page.locator("h1")).to_have_text("工作台")

    # And 账号安全 shows 2FA on and this sign-in
    page.get_by_test_id("nav-security").click()
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("已启用")
    expect(page.get_by_test_id("sign-in-row")).to_have_count(2)  # password, then the code
    expect(page.get_by_test_id("sign-in-row").first).to_contain_text("动态验证码")
    page.screenshot(path=str(SHOTS / "signin-3-security.png"), full_page=True)
