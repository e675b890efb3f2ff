"""Two-factor sign-in (issue 10 §4): who must enrol, the code step after the password, recovery
codes used once, throttled code guessing, the session API refused until verified, and the
setting that turns it all off for the demo."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hexie.accounts import twofactor
from hexie.accounts.models import SignIn
from hexie.accounts.roles import Role
from hexie.core.models import AuditEvent
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_organisation, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Test-pass-123"  # tests.factories.UserFactory
HOME = "/"


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.HEXIE_REQUIRE_2FA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step itself must succeed"
    return response


def current_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                drift=offset_steps)
    return f"{code:06d}"


def let_the_delay_pass(device, spare: int = 0):
    """Move the last failure into the past by the whole throttling delay (less ``spare`` s)."""
    device.refresh_from_db()
    delay = 2 ** (device.throttling_failure_count - 1) if device.throttling_failure_count else 0
    device.throttling_failure_timestamp -= datetime.timedelta(seconds=delay - spare)
    device.save(update_fields=["throttling_failure_timestamp"])


def fail_three_times(client, device):
    for _ in range(3):
        client.post(reverse("security-2fa-verify"), {"code": "000000"})
        let_the_delay_pass(device)
    # put the third failure back at "now": the next try must wait 2^(3-1) = 4 s
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now()
    device.save(update_fields=["throttling_failure_timestamp"])


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Give the user a confirmed device and recovery codes, as the enrolment page does."""
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    codes = twofactor._new_recovery_codes(user)
    return device, codes


def role_user(role):
    if role in (Role.UNIT_ADMIN,):
        return make_user(role, unit=UnitFactory(region_id=XIHU_TOWN))
    if role == Role.ASSESSOR:
        return make_user(role, organisation=make_organisation())
    if role == Role.COORDINATOR:
        return make_user(role, region=XIHU)
    region = {Role.PROVINCE_OFFICE: "33", Role.CITY_OFFICE: "3301",
              Role.TOWN_OFFICE: XIHU_TOWN}.get(role, XIHU)
    return make_user(role, region=region)


# --- who must have a second factor ----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PROVINCE_OFFICE, Role.CITY_OFFICE, Role.COUNTY_OFFICE,
                                  Role.TOWN_OFFICE, Role.ASSESSOR, Role.PARTNER])
def test_office_assessor_and_partner_roles_must_enrol(client, role):
    # Given a person of a role that requires two factors, without a device
    user = role_user(role)

    # When they sign in with the right password
    sign_in(client, user)
    page = client.get(HOME)

    # Then every page sends them to the enrolment page first
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("security-2fa-enrol"))


@pytest.mark.parametrize("role", [Role.UNIT_ADMIN, Role.COORDINATOR])
def test_unit_admins_and_coordinators_may_go_without(client, role):
    # Given a unit admin or coordinator without a device
    user = role_user(role)

    # When they sign in
    sign_in(client, user)

    # Then they reach the home page directly, and may enrol from 账号安全
    assert client.get(HOME).status_code == 200
    security = client.get(reverse("security")).content.decode()
    assert "您的角色可自愿启用" in security
    assert client.get(reverse("security-2fa-enrol")).status_code == 200


def test_an_optional_role_that_enrolled_is_asked_for_the_code(client):
    # Given a unit admin who enrolled themselves
    user = role_user(Role.UNIT_ADMIN)
    enrolled(user)

    # When they sign in with the password
    sign_in(client, user)

    # Then the code page comes before anything else
    page = client.get(HOME)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("security-2fa-verify"))


def test_with_the_setting_off_there_is_no_second_step(client, settings):
    # Given the demo setting, and a county office that even has a device
    settings.HEXIE_REQUIRE_2FA = False
    county = role_user(Role.COUNTY_OFFICE)
    enrolled(county)

    # When they sign in with the password
    sign_in(client, county)

    # Then they are in, and the sign-in page says plainly that 2FA is off
    assert client.get(HOME).status_code == 200
    client.post("/logout/")
    assert "演示环境：未启用双因素认证" in client.get("/login/").content.decode()


def test_with_the_setting_on_the_sign_in_page_does_not_say_it_is_off(client):
    assert "未启用双因素认证" not in client.get("/login/").content.decode()


# --- enrolment ------------------------------------------------------------------------------


def test_enrolment_confirms_with_a_code_and_shows_ten_recovery_codes_once(client):
    # Given a county office signed in with the password, on the enrolment page
    county = role_user(Role.COUNTY_OFFICE)
    sign_in(client, county)
    page = client.get(reverse("security-2fa-enrol") + "?next=/units/")
    html = page.content.decode()
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", "")  # inline QR code, no external image
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=county, confirmed=False)
    assert secret.replace(" ", "") in twofactor.secret_text(device).replace(" ", "")

    # When a wrong code is entered, then the right one
    wrong = client.post(reverse("security-2fa-enrol"), {"code": "000000", "next": "/units/"})
    device.refresh_from_db()
    device.throttle_reset()
    right = client.post(reverse("security-2fa-enrol"),
                        {"code": current_code(device), "next": "/units/"})

    # Then the wrong one is refused in Chinese, the right one confirms the device and shows
    # ten recovery codes, and the session is verified
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert right.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>",
                       right.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=county).confirmed
    assert StaticToken.objects.filter(device__user=county).count() == 10
    assert client.get("/units/").status_code == 200
    assert list(SignIn.objects.filter(user=county).order_by("id").values_list(
        "method", "success")) == [("password", True), ("totp", True)]
    # And the codes are not shown again
    assert codes[0] not in client.get(reverse("security")).content.decode()
    actions = set(AuditEvent.objects.filter(actor_id=county.pk).values_list("action", flat=True))
    assert {"accounts.2fa_enrol_started", "accounts.2fa_enrolled",
            "accounts.2fa_enrol_failed"} <= actions


def test_regenerating_recovery_codes_voids_the_old_ones_and_is_audited(client):
    # Given a verified county office with recovery codes
    county = role_user(Role.COUNTY_OFFICE)
    device, old_codes = enrolled(county)
    sign_in(client, county)
    client.post(reverse("security-2fa-verify"), {"code": current_code(device)})

    # When they regenerate the codes
    page = client.post(reverse("security-2fa-recovery"))

    # Then ten new ones are shown, the old ones are gone, and the change is audited
    assert page.status_code == 200
    assert old_codes[0] not in page.content.decode()
    tokens = set(StaticToken.objects.filter(device__user=county).values_list("token", flat=True))
    assert len(tokens) == 10 and twofactor.normalise(old_codes[0]) not in tokens
    assert AuditEvent.objects.filter(actor_id=county.pk,
                                     action="accounts.2fa_recovery_regenerated").exists()


# --- the second step ------------------------------------------------------------------------


def test_the_right_code_lets_the_person_in_and_is_in_the_sign_in_history(client):
    # Given a county office with a device, past the password step
    county = role_user(Role.COUNTY_OFFICE)
    device, _codes = enrolled(county)
    sign_in(client, county)
    assert client.get("/units/")["Location"] == reverse("security-2fa-verify") + "?next=%2Funits%2F"

    # When they enter the current code
    response = client.post(reverse("security-2fa-verify"),
                           {"code": current_code(device), "next": "/units/"})

    # Then they go where they were going, and the history holds both steps
    assert response.status_code == 302 and response["Location"] == "/units/"
    assert client.get("/units/").status_code == 200
    methods = list(SignIn.objects.filter(user=county, success=True)
                   .order_by("id").values_list("method", flat=True))
    assert methods == ["password", "totp"]


def test_a_wrong_code_is_refused_recorded_and_audited(client):
    county = role_user(Role.COUNTY_OFFICE)
    enrolled(county)
    sign_in(client, county)

    response = client.post(reverse("security-2fa-verify"), {"code": "123456"})

    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert client.get(HOME).status_code == 302
    failure = SignIn.objects.get(user=county, success=False)
    assert (failure.method, failure.failure_reason) == ("totp", "bad_code")
    assert AuditEvent.objects.filter(actor_id=county.pk, action="accounts.2fa_failed").exists()


def test_a_recovery_code_works_once_only(client):
    # Given a county office with recovery codes
    county = role_user(Role.COUNTY_OFFICE)
    _device, codes = enrolled(county)

    # When they sign in with a recovery code
    sign_in(client, county)
    first = client.post(reverse("security-2fa-verify"), {"code": codes[3]})
    assert first.status_code == 302
    assert client.get(HOME).status_code == 200
    client.post("/logout/")

    # Then the same code is refused the next time, while another one still works
    sign_in(client, county)
    again = client.post(reverse("security-2fa-verify"), {"code": codes[3]})
    assert again.status_code == 400
    assert client.get(HOME).status_code == 302
    device = county.staticdevice_set.get()
    device.throttle_reset()
    other = client.post(reverse("security-2fa-verify"), {"code": codes[4].upper()})
    assert other.status_code == 302
    assert StaticToken.objects.filter(device__user=county).count() == 8
    assert SignIn.objects.filter(user=county, method="recovery", success=True).count() == 2


def test_wrong_codes_throttle_even_the_right_code_until_the_delay_passes(client, settings):
    # Given a county office past the password step, and throttling of 1 s × 2^(n-1)
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    county = role_user(Role.COUNTY_OFFICE)
    device, _codes = enrolled(county)
    sign_in(client, county)

    # When three wrong codes are entered (the next try must wait 4 s)
    fail_three_times(client, device)

    # Then the right code is refused as throttled and the refusal is recorded
    refused = client.post(reverse("security-2fa-verify"), {"code": current_code(device)})
    assert refused.status_code == 400
    assert "错误次数过多" in refused.content.decode()
    assert client.get(HOME).status_code == 302
    assert SignIn.objects.filter(user=county, failure_reason="throttled").count() == 1

    # And once the delay has passed (the last failure moved 4 s into the past), it is accepted
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    device.throttling_failure_timestamp -= datetime.timedelta(seconds=4)
    device.save(update_fields=["throttling_failure_timestamp"])
    accepted = client.post(reverse("security-2fa-verify"), {"code": current_code(device)})
    assert accepted.status_code == 302
    assert client.get(HOME).status_code == 200


def test_just_before_the_delay_passes_the_right_code_is_still_refused(client):
    county = role_user(Role.COUNTY_OFFICE)
    device, _codes = enrolled(county)
    sign_in(client, county)
    fail_three_times(client, device)
    let_the_delay_pass(device, spare=1)  # 3 of the 4 seconds have passed

    refused = client.post(reverse("security-2fa-verify"), {"code": current_code(device)})

    assert refused.status_code == 400
    assert client.get(HOME).status_code == 302


# --- the API --------------------------------------------------------------------------------


def test_session_api_calls_are_refused_until_verified(client):
    # Given a county office past the password step only
    county = role_user(Role.COUNTY_OFFICE)
    device, _codes = enrolled(county)
    sign_in(client, county)

    # When the session calls the API
    before = client.get("/api/v1/units/")

    # Then it is a 403 in the one refusal shape, in Chinese
    assert before.status_code == 403
    assert before.json()["code"] == "otp_required"
    assert "双因素认证" in before.json()["detail"]

    # And another Authorization header does not get the session past the second step
    basic = client.get("/api/v1/units/", HTTP_AUTHORIZATION="Basic eDp5")
    assert basic.status_code == 403 and basic.json()["code"] == "otp_required"

    # And after the code, the same call answers
    client.post(reverse("security-2fa-verify"), {"code": current_code(device)})
    assert client.get("/api/v1/units/").status_code == 200


def test_token_api_calls_pass_without_a_second_factor(county_token):
    response = Client().get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {county_token}")
    assert response.status_code == 200


@pytest.fixture
def county_token():
    from hexie.accounts.tokens import create_token

    county = role_user(Role.COUNTY_OFFICE)
    _token, key = create_token(county, name="劳动监察系统", region_code=XIHU)
    return key


def test_logout_and_the_verify_page_are_reachable_before_verification(client):
    county = role_user(Role.COUNTY_OFFICE)
    enrolled(county)
    sign_in(client, county)

    assert client.get(reverse("security-2fa-verify")).status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get(HOME).status_code == 302  # signed out: the login page
    assert client.get(HOME)["Location"].startswith("/login/")


def test_the_verify_page_does_not_redirect_to_another_site(client):
    county = role_user(Role.COUNTY_OFFICE)
    device, _codes = enrolled(county)
    sign_in(client, county)

    response = client.post(reverse("security-2fa-verify"),
                           {"code": current_code(device), "next": "https://evil.example/"})

    assert response["Location"] == HOME


def test_the_code_is_not_accepted_twice_in_the_same_time_step(client):
    county = role_user(Role.COUNTY_OFFICE)
    device, _codes = enrolled(county)
    code = current_code(device)
    sign_in(client, county)
    assert client.post(reverse("security-2fa-verify"), {"code": code}).status_code == 302
    client.post("/logout/")

    sign_in(client, county)
    replay = client.post(reverse("security-2fa-verify"), {"code": code})

    assert replay.status_code == 400
