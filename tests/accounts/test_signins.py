"""Sign-in history (issue 10 §4): every attempt with time, address, browser and result;
append-only; the person sees their own on 账号安全, their office through the partial."""

import pytest
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from hexie.accounts.models import SignIn
from hexie.accounts.roles import Role
from hexie.accounts.signins import recent_sign_ins
from hexie.core.models import AuditEvent
from tests.factories import XIHU, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Test-pass-123"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


def sign_in(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_a_successful_sign_in_is_recorded_with_address_and_truncated_browser(client, county):
    agent = "Mozilla/5.0 " + "x" * 400

    sign_in(client, county.username, PASSWORD, HTTP_USER_AGENT=agent, REMOTE_ADDR="10.1.2.3")

    row = SignIn.objects.get(user=county)
    assert (row.success, row.method, row.failure_reason) == (True, "password", "")
    assert row.ip == "10.1.2.3" and row.username == county.username
    assert row.user_agent == agent[:255]


def test_a_wrong_password_is_recorded_against_the_person(client, county):
    sign_in(client, county.username, "wrong-password")

    row = SignIn.objects.get(username=county.username)
    assert (row.user, row.success, row.failure_reason) == (county, False, "bad_password")


def test_an_unknown_username_is_recorded_without_a_person(client):
    sign_in(client, "nobody-here", "wrong-password")

    row = SignIn.objects.get(username="nobody-here")
    assert row.user is None and not row.success


def test_a_lockout_is_recorded_and_audited(client, county, settings):
    # Given the axes limit of five failures
    assert settings.AXES_FAILURE_LIMIT == 5

    # When five wrong passwords and then the right one are entered
    for _ in range(5):
        sign_in(client, county.username, "wrong-password")
    assert sign_in(client, county.username, PASSWORD).status_code == 429

    # Then four plain failures, then the lockout ones are in the history, and the lockout
    # itself is in the audit log
    reasons = list(SignIn.objects.filter(username=county.username).order_by("id")
                   .values_list("failure_reason", flat=True))
    assert reasons[:4] == ["bad_password"] * 4
    assert set(reasons[4:]) == {"locked_out"} and len(reasons) == 6
    # (one event for the locking attempt, one for the refused attempt after it)
    locked = AuditEvent.objects.filter(action="accounts.sign_in_locked")
    assert locked.count() == 2
    assert {(e.object_id, e.after["username"]) for e in locked} == {
        (str(county.pk), county.username)}


def test_the_history_is_append_only(county):
    row = SignIn.objects.create(user=county, username=county.username, success=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        SignIn.objects.filter(pk=row.pk).update(success=False)


def test_recent_sign_ins_are_the_person_s_own_newest_first_and_limited(client, county):
    other = make_user(Role.COUNTY_OFFICE, region=XIHU)
    for _ in range(3):
        SignIn.objects.create(user=county, username=county.username, success=True)
    SignIn.objects.create(user=other, username=other.username, success=True)

    rows = recent_sign_ins(county, limit=2)

    assert len(rows) == 2 and all(r.user == county for r in rows)
    assert rows[0].id > rows[1].id


def test_the_person_sees_their_own_history_on_the_security_page(client, county):
    sign_in(client, county.username, "wrong-password", REMOTE_ADDR="10.9.8.7")
    sign_in(client, county.username, PASSWORD, REMOTE_ADDR="10.9.8.7")

    page = client.get(reverse("security")).content.decode()

    assert "账号安全" in page
    assert page.count('data-testid="sign-in-row"') == 2
    assert "10.9.8.7" in page and "用户名或密码不正确" in page


def test_the_partial_renders_a_table_for_the_office_s_person_page(county):
    SignIn.objects.create(user=county, username=county.username, success=False,
                          failure_reason=SignIn.Failure.BAD_CODE, method=SignIn.Method.TOTP,
                          ip="10.0.0.1")

    html = render_to_string("accounts/_sign_ins.html", {"sign_ins": recent_sign_ins(county)})

    assert "<table" in html and "验证码不正确" in html and "动态验证码" in html
    assert "10.0.0.1" in html
    assert "暂无登录记录" in render_to_string("accounts/_sign_ins.html", {"sign_ins": []})
