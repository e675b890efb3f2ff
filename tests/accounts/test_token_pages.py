"""The API token pages for offices (issue 10 §5): /tokens/ lists and creates, /tokens/<pk>/
shows one token and its calls, /tokens/<pk>/revoke/ revokes. Scope: another county's token is
a 404; a write the creator lacks is refused naming the field; the key is shown once."""

import pytest
from django.test import Client

from hexie.accounts import tokens
from hexie.accounts.models import ApiToken
from hexie.accounts.roles import (
    RECOGNITION_DECIDE,
    UNITS_CHANGE,
    Role,
)
from hexie.core.models import AuditEvent
from tests.factories import HANGZHOU, NANHU, XIHU, XIHU_TOWN, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_the_tokens_in_scope_only(office):
    # Given a token of this county and one of another county
    mine, _ = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    tokens.create_token(None, "嘉兴仲裁系统", NANHU)

    # When the county office opens the page
    response = signed_in(office).get("/tokens/")

    # Then it sees its own token with prefix, region, writes, expiry and state, not the other
    body = response.content.decode()
    assert response.status_code == 200
    assert "劳动监察系统" in body and mine.prefix in body and "只读" in body
    assert "有效" in body
    assert "嘉兴仲裁系统" not in body


def test_the_menu_links_the_page_under_management(office):
    body = signed_in(office).get("/").content.decode()
    assert 'href="/tokens/"' in body


def test_a_person_without_the_grant_permission_gets_403():
    unit_admin_like = make_user(Role.PARTNER, region=XIHU)
    assert signed_in(unit_admin_like).get("/tokens/").status_code == 403


def test_creating_a_token_shows_the_key_once(office):
    client = signed_in(office)

    # When the office creates a read-only token for 90 days
    response = client.post("/tokens/", {"name": "社保系统", "region": XIHU_TOWN, "days": "90"})

    # Then the answer shows the key, which authenticates, and only its hash is stored
    assert response.status_code == 200
    key = response.context["key"]
    assert key.startswith("hx_") and key in response.content.decode()
    token = ApiToken.objects.get(name="社保系统")
    assert token.key_hash == tokens.hash_key(key) and token.write_permissions == []
    assert token.created_by == office
    assert AuditEvent.objects.filter(action="accounts.create_token",
                                     object_id=str(token.pk)).exists()
    # Neither the list nor the token's page shows it again
    assert key not in client.get("/tokens/").content.decode()
    assert key not in client.get(f"/tokens/{token.pk}/").content.decode()


def test_creating_with_a_write_the_creator_lacks_is_refused_naming_the_field(office):
    # Given a city office: it holds units.change, but only counties decide recognitions
    city = make_user(Role.CITY_OFFICE, region=HANGZHOU)
    assert RECOGNITION_DECIDE not in tokens.writable_by(city)

    # When it asks for that write
    response = signed_in(city).post("/tokens/", {
        "name": "外部系统", "region": XIHU, "days": "30",
        "write": [UNITS_CHANGE, RECOGNITION_DECIDE]})

    # Then nothing is created and the write field says which permission
    assert response.status_code == 400
    assert RECOGNITION_DECIDE in response.context["errors"]["write"]
    assert 'data-testid="error-write"' in response.content.decode()
    assert not ApiToken.objects.filter(name="外部系统").exists()


def test_creating_outside_the_scope_is_refused_on_the_region(office):
    response = signed_in(office).post("/tokens/", {"name": "越权", "region": NANHU})
    assert response.status_code == 400
    assert "region" in response.context["errors"]
    assert not ApiToken.objects.filter(name="越权").exists()


@pytest.mark.parametrize(("days", "ok"), [("0", False), ("1", True), ("365", True),
                                          ("366", False), ("abc", False)])
def test_days_of_validity_are_bounded_by_the_setting(office, days, ok):
    response = signed_in(office).post("/tokens/", {"name": f"t{days}", "region": XIHU,
                                                   "days": days})
    assert ApiToken.objects.filter(name=f"t{days}").exists() is ok
    if not ok:
        assert response.status_code == 400 and "days" in response.context["errors"]


def test_days_default_to_the_setting(office, settings):
    settings.HEXIE_API_TOKEN_DAYS = 90
    signed_in(office).post("/tokens/", {"name": "默认", "region": XIHU, "days": ""})
    token = ApiToken.objects.get(name="默认")
    assert (token.expires_at - token.created_at).days in (89, 90)


def test_another_countys_token_is_404_on_every_page(office):
    # Given a token of Jiaxing's 南湖区
    other, _ = tokens.create_token(None, "嘉兴仲裁系统", NANHU)
    client = signed_in(office)

    # Then the Xihu office can neither see nor revoke it
    assert client.get(f"/tokens/{other.pk}/").status_code == 404
    assert client.post(f"/tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert client.get("/tokens/999999/").status_code == 404


def test_revoking_from_the_page(office):
    token, _ = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    client = signed_in(office)

    response = client.post(f"/tokens/{token.pk}/revoke/", {"reason": "系统下线"}, follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == office
    assert "已撤销" in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.revoke_token")
    assert event.after["reason"] == "系统下线"
    # A second revoke says so and changes nothing
    again = client.post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert "该令牌已被撤销" in again.content.decode()
    assert AuditEvent.objects.filter(action="accounts.revoke_token").count() == 1
