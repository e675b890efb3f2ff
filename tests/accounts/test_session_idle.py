"""Inactivity sign-out (issue 10 §4): a session unused for HEXIE_SESSION_IDLE_MINUTES ends.
The last activity is a timestamp in the session, moved back here instead of waiting."""

import time

import pytest

from hexie.accounts.middleware import LAST_SEEN_KEY
from hexie.accounts.roles import Role
from tests.factories import XIHU, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, settings):
    settings.HEXIE_SESSION_IDLE_MINUTES = 30
    client.force_login(make_user(Role.COUNTY_OFFICE, region=XIHU))
    return client


def idle_for(client, seconds: int):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_sign_in_starts_the_idle_clock(signed_in):
    assert abs(signed_in.session[LAST_SEEN_KEY] - time.time()) < 60


def test_idle_for_exactly_the_limit_signs_out(signed_in):
    # Given a session whose last request was exactly 30 minutes ago
    idle_for(signed_in, 30 * 60)

    # When the next page is asked for
    page = signed_in.get("/units/")

    # Then the session has ended: the login page, saying why, in Chinese
    assert page.status_code == 302 and page["Location"] == "/login/?next=/units/"
    login = signed_in.get(page["Location"])
    assert "超过 30 分钟未操作" in login.content.decode()
    assert signed_in.get("/units/").status_code == 302


def test_a_second_short_of_the_limit_keeps_the_session_and_restarts_the_clock(signed_in):
    idle_for(signed_in, 30 * 60 - 1)

    assert signed_in.get("/units/").status_code == 200
    assert abs(signed_in.session[LAST_SEEN_KEY] - time.time()) < 60
    assert signed_in.get("/units/").status_code == 200


def test_the_limit_is_a_setting_and_zero_turns_it_off(signed_in, settings):
    settings.HEXIE_SESSION_IDLE_MINUTES = 5
    idle_for(signed_in, 5 * 60)
    assert signed_in.get("/units/").status_code == 302

    settings.HEXIE_SESSION_IDLE_MINUTES = 0
    signed_in.force_login(make_user(Role.COUNTY_OFFICE, region=XIHU))
    idle_for(signed_in, 7 * 24 * 3600)
    assert signed_in.get("/units/").status_code == 200


def test_an_idle_session_api_call_is_unauthenticated(signed_in):
    idle_for(signed_in, 30 * 60)

    response = signed_in.get("/api/v1/units/")

    assert response.status_code == 401
