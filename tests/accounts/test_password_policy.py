"""The password policy of 等保 2.0 level 2 (issue 10 §4): length, three of four character
classes, the last N passwords not reused, expiry forcing a change after sign-in."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hexie.accounts.models import PasswordHistory, User
from hexie.accounts.passwords import character_classes, password_expired
from hexie.accounts.roles import Role
from hexie.core.models import AuditEvent
from tests.factories import XIHU, make_user

pytestmark = pytest.mark.django_db

OLD = "Test-pass-123"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def problems(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [e.code for e in exc.error_list]
    return []


# --- length and classes ---------------------------------------------------------------------


def test_nine_characters_are_too_short_and_ten_are_enough():
    assert "password_too_short" in problems("Abcdef1#x")  # 9
    assert problems("Abcdef1#xy") == []  # 10


def test_the_minimum_length_is_a_setting(settings):
    settings.HEXIE_PASSWORD_MIN_LENGTH = 12
    assert "password_too_short" in problems("Abcdef1#xyz")  # 11
    assert problems("Abcdef1#xyzw") == []  # 12


@pytest.mark.parametrize(("password", "classes"), [
    ("abcdefghijk", 1), ("abcdefGHIJK", 2), ("abcdef12345", 2), ("abcdef-_=+!", 2),
    ("abcdefGH123", 3), ("abcdefGH!@#", 3), ("abcdef123#$", 3), ("ABCDEF123#$", 3),
    ("Hexie@2026", 4),
])
def test_two_classes_are_refused_and_three_are_enough(password, classes):
    assert character_classes(password) == classes
    refused = "password_too_simple" in problems(password)
    assert refused == (classes < 3)


def test_the_messages_are_chinese():
    with pytest.raises(ValidationError) as caught:
        validate_password("abc")
    text = " ".join(caught.value.messages)
    assert "至少需要 10 个字符" in text
    assert "至少三类" in text


def test_the_demo_password_is_valid(settings):
    assert problems(settings.HEXIE_DEMO_PASSWORD) == []


# --- history --------------------------------------------------------------------------------


def test_every_password_set_is_kept_as_a_hash_only():
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    kept = PasswordHistory.objects.filter(user=user)
    assert kept.count() == 1
    assert OLD not in kept.get().password and kept.get().password == user.password


def test_the_fifth_previous_password_is_refused_and_the_sixth_is_allowed():
    # Given a person who has had six passwords, the current one included
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)  # p1 = OLD
    for n in range(2, 7):
        user.set_password(f"Qingshan-{n}-2026!")
        user.save()
    # p6 is current; the last five are p6, p5, p4, p3, p2

    # Then p2 (the fifth most recent) cannot come back, p1 (the sixth) can
    assert "password_reused" in problems("Qingshan-2-2026!", user)
    assert "password_reused" in problems("Qingshan-6-2026!", user)  # the current one
    assert problems(OLD, user) == []


def test_the_history_length_is_a_setting(settings):
    settings.HEXIE_PASSWORD_HISTORY = 1
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    user.set_password("Qingshan-2-2026!")
    user.save()
    assert problems(OLD, user) == []
    assert "password_reused" in problems("Qingshan-2-2026!", user)


def test_a_reused_password_is_refused_on_the_change_page_in_chinese(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)

    response = client.post(reverse("security-password"), {
        "old_password": OLD, "new_password1": OLD, "new_password2": OLD})

    assert response.status_code == 200
    assert "不能使用最近 5 次用过的密码" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_changing_the_password_is_audited_and_keeps_the_session(client):
    # Given a signed-in county office
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)
    before = user.password_changed_at

    # When they change their password on 账号安全
    response = client.post(reverse("security-password"), {
        "old_password": OLD, "new_password1": "Qingshan-2026!",
        "new_password2": "Qingshan-2026!"})

    # Then it is changed, dated, audited, kept in the history, and they stay signed in
    assert response.status_code == 302 and response["Location"] == reverse("security")
    user.refresh_from_db()
    assert user.check_password("Qingshan-2026!")
    assert user.password_changed_at > before
    assert AuditEvent.objects.filter(actor_id=user.pk, action="accounts.password_changed").exists()
    assert PasswordHistory.objects.filter(user=user).count() == 2
    assert client.get("/").status_code == 200


def test_a_weak_new_password_is_refused_naming_the_rule(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)

    response = client.post(reverse("security-password"), {
        "old_password": OLD, "new_password1": "abcdefghij", "new_password2": "abcdefghij"})

    assert response.status_code == 200
    assert "至少三类" in response.content.decode()
    assert not AuditEvent.objects.filter(action="accounts.password_changed").exists()


# --- expiry ---------------------------------------------------------------------------------


def aged(user, days, seconds=0) -> User:
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=days, seconds=seconds))
    user.refresh_from_db()
    return user


def test_a_password_expires_at_exactly_the_maximum_age(settings):
    settings.HEXIE_PASSWORD_MAX_AGE_DAYS = 90
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    now = timezone.now()
    user.password_changed_at = now - datetime.timedelta(days=90)
    assert password_expired(user, now)
    user.password_changed_at = now - datetime.timedelta(days=90) + datetime.timedelta(seconds=1)
    assert not password_expired(user, now)


def test_zero_days_turns_expiry_off(settings):
    settings.HEXIE_PASSWORD_MAX_AGE_DAYS = 0
    user = aged(make_user(Role.COUNTY_OFFICE, region=XIHU), 3650)
    assert not password_expired(user)


def test_an_expired_password_sends_every_page_to_the_change_form(client):
    # Given a county office whose password was set 90 days ago
    user = aged(make_user(Role.COUNTY_OFFICE, region=XIHU), 90)

    # When they sign in
    signed_in = client.post("/login/", {"username": user.username, "password": OLD})
    assert signed_in.status_code == 302

    # Then any page sends them to change the password, the API refuses, and the form shows
    page = client.get("/units/")
    assert page.status_code == 302 and page["Location"] == reverse("security-password")
    api = client.get("/api/v1/units/")
    assert api.status_code == 403 and api.json()["code"] == "password_expired"
    form = client.get(reverse("security-password"))
    assert form.status_code == 200 and "超过 90 天未修改" in form.content.decode()

    # And after the change they go on as usual
    client.post(reverse("security-password"), {
        "old_password": OLD, "new_password1": "Qingshan-2026!",
        "new_password2": "Qingshan-2026!"})
    assert client.get("/units/").status_code == 200


def test_a_password_a_day_short_of_expiry_changes_nothing(client):
    user = aged(make_user(Role.COUNTY_OFFICE, region=XIHU), 89, seconds=86399)
    client.force_login(user)
    assert client.get("/units/").status_code == 200


def test_a_new_user_s_password_is_dated_now():
    user = User.objects.create_user("fresh", password="Qingshan-2026!")
    assert timezone.now() - user.password_changed_at < datetime.timedelta(minutes=1)
