"""Password reset by an office (issue 10 §1): a single-use link shown once (and e-mailed),
valid HEXIE_PASSWORD_RESET_HOURS, refused for a deactivated person or outside the scope,
audited when issued and when used."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from hexie.accounts.services import deactivate, issue_password_reset
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qiantang-river-2026"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county():
    return make_user("county_office", region=XIHU)


@pytest.fixture
def town():
    user = make_user("town_office", region=XIHU_TOWN, username="beishan")
    user.email = "beishan@example.com"
    user.save()
    return user


def _path(link: str) -> str:
    return urlsplit(link).path


def _use(link: str, password: str = NEW_PASSWORD):
    client = Client()
    page = client.get(_path(link), follow=True)
    if 'name="new_password1"' not in page.content.decode():
        return page
    return client.post(page.redirect_chain[-1][0] if page.redirect_chain else _path(link),
                       {"new_password1": password, "new_password2": password})


def test_the_link_sets_a_new_password_once_and_both_steps_are_audited(
        county, town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        link, emailed = issue_password_reset(county, town, base_url="http://testserver/")
    assert emailed and len(mail.outbox) == 1 and link in mail.outbox[0].body
    issued = AuditEvent.objects.get(action="accounts.issue_password_reset")
    assert issued.actor_username == county.username and issued.object_id == str(town.pk)
    assert link.rsplit("/", 2)[-2] not in str(issued.after)  # the token is never recorded
    done = _use(link)
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    town.refresh_from_db()
    assert town.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.password_reset_complete",
                                     actor_username="beishan").exists()
    again = _use(link, "Another-pass-2026x")
    assert 'data-testid="reset-invalid"' in again.content.decode()
    town.refresh_from_db()
    assert town.check_password(NEW_PASSWORD)


def test_a_weak_password_is_refused_naming_the_field(county, town):
    link, _ = issue_password_reset(county, town)
    page = _use(link, "12345678")
    assert page.status_code == 200 and "新密码：" in page.content.decode()
    town.refresh_from_db()
    assert not town.check_password("12345678")


def test_a_deactivated_person_is_refused_and_an_old_link_stops_working(county, town):
    link, _ = issue_password_reset(county, town)
    deactivate(county, town)
    with pytest.raises(DomainError) as refused:
        issue_password_reset(county, town)
    assert refused.value.code == "inactive"
    assert 'data-testid="reset-invalid"' in _use(link).content.decode()


def test_outside_the_scope_is_404_and_oneself_is_refused(county):
    other = make_user("town_office", region=NANHU_TOWN)
    with pytest.raises(OutOfScope):
        issue_password_reset(county, other)
    town_office = make_user("town_office", region=XIHU_TOWN)
    with pytest.raises(OutOfScope):  # a town office cannot reset its county's password
        issue_password_reset(town_office, county)
    with pytest.raises(NotPermitted):
        issue_password_reset(county, county)
    assert not AuditEvent.objects.filter(action="accounts.issue_password_reset").exists()


def test_the_link_expires_after_the_setting(county, town, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    link, _ = issue_password_reset(county, town)
    from django.contrib.auth.tokens import default_token_generator
    token = link.rstrip("/").rsplit("/", 1)[1]
    generator = default_token_generator  # its clock, moved (no sleeping in tests)
    real_now = generator._now
    try:
        generator._now = lambda: real_now() + timedelta(hours=1, seconds=1)
        assert not generator.check_token(town, token)
        generator._now = lambda: real_now() + timedelta(minutes=59)
        assert generator.check_token(town, token)
    finally:
        generator._now = real_now


def test_the_default_validity_is_24_hours():
    from django.conf import settings
    assert settings.HEXIE_PASSWORD_RESET_HOURS == 24
    assert settings.PASSWORD_RESET_TIMEOUT == 24 * 3600


def test_the_page_shows_the_link_once(client, county, town):
    client.force_login(county)
    page = client.post(reverse("people-password-reset", args=[town.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="reset-link"' in body
    assert "/reset/" in body
    again = client.get(reverse("people-detail", args=[town.pk])).content.decode()
    assert 'data-testid="reset-link"' not in again
    other = make_user("town_office", region=NANHU_TOWN)
    assert client.post(reverse("people-password-reset", args=[other.pk])).status_code == 404
    deactivate(county, town)
    refused = client.post(reverse("people-password-reset", args=[town.pk]), follow=True)
    assert "已停用" in refused.content.decode()


def test_without_an_email_nothing_is_sent(county, django_capture_on_commit_callbacks):
    plain = make_user("town_office", region=XIHU_TOWN)
    with django_capture_on_commit_callbacks(execute=True):
        link, emailed = issue_password_reset(county, plain)
    assert not emailed and mail.outbox == [] and "/reset/" in link
