"""API tokens for other systems (issue 10 §5 and the token part of §7): scope, writes,
revocation, expiry, hashing, no Basic authentication, the per-token rate limit and the CLI."""

import base64
import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from hexie.accounts import tokens
from hexie.accounts.models import ApiToken, Membership, User
from hexie.accounts.roles import (
    CAMPAIGNS_PLEDGE,
    MONITORING_VIEW,
    UNITS_CHANGE,
    UNITS_CREATE,
    UNITS_VIEW,
    Role,
)
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from hexie.core.scoping import scope_for
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/"
PASSWORD = "Test-pass-123"  # what tests.factories.UserFactory sets


@pytest.fixture
def office():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


@pytest.fixture
def units():
    return {"xihu": UnitFactory(region_id=XIHU_TOWN), "xihu2": UnitFactory(region_id=XIHU_TOWN_2),
            "nanhu": UnitFactory(region_id=NANHU_TOWN)}


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def ids(response):
    return sorted(item["id"] for item in response.json()["results"])


# --- Scope and permissions ------------------------------------------------------------------


def test_a_token_lists_units_only_in_its_region(office, units):
    # Given a read-only token of the county office bound to one town of its county
    token, key = tokens.create_token(office, "劳动监察系统", XIHU_TOWN)

    # When the other system lists units with it
    response = bearer(key).get(URL)

    # Then it sees that town's units only, and the use is noted on the token
    assert response.status_code == 200
    assert ids(response) == [units["xihu"].pk]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_unit_outside_the_tokens_region_is_404(office, units):
    _, key = tokens.create_token(office, "仲裁系统", XIHU_TOWN)

    api = bearer(key)

    assert api.get(f"{URL}{units['xihu'].pk}/").status_code == 200
    for other in (units["xihu2"], units["nanhu"]):
        response = api.get(f"{URL}{other.pk}/")
        assert response.status_code == 404
        assert set(response.json()) == {"detail", "code"}


def test_a_write_the_token_lacks_is_403(office, units):
    # Given a read-only token
    _, key = tokens.create_token(office, "社保系统", XIHU)

    # When it tries to change a unit it can see
    response = bearer(key).patch(f"{URL}{units['xihu'].pk}/", {"employees": 1}, format="json")

    # Then it is refused with 403 in the one shape, and nothing changed
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    units["xihu"].refresh_from_db()
    assert units["xihu"].employees == 350


def test_a_listed_write_works_and_the_audit_names_the_token(office, units):
    # Given a token allowed to change units in 西湖区
    token, key = tokens.create_token(office, "社保系统", XIHU, write=[UNITS_CHANGE])

    # When it changes a unit
    response = bearer(key).patch(f"{URL}{units['xihu'].pk}/", {"employees": 400},
                                 format="json")

    # Then the change is made and audited under the token's name
    assert response.status_code == 200
    units["xihu"].refresh_from_db()
    assert units["xihu"].employees == 400
    event = AuditEvent.objects.filter(object_id=str(units["xihu"].pk)).latest("id")
    assert event.actor_username == "token:社保系统"
    assert event.actor_id == token.user_id
    # and a write it does not list (creating units) is still refused
    assert scope_for(token.user, UNITS_CREATE).is_empty


def test_the_tokens_reads_are_those_of_its_level(office):
    # A token reads what an office of its region's level reads there, the audit log included
    # (town offices read their town's log), and nothing above its region.
    town, _ = tokens.create_token(office, "镇级系统", XIHU_TOWN)
    county, _ = tokens.create_token(office, "县级系统", XIHU)
    assert scope_for(town.user, UNITS_VIEW).region_prefixes == (XIHU_TOWN,)
    assert scope_for(town.user, MONITORING_VIEW).region_prefixes == (XIHU_TOWN,)
    assert scope_for(town.user, "audit.view").region_prefixes == (XIHU_TOWN,)
    assert scope_for(county.user, "audit.view").region_prefixes == (XIHU,)


# --- Revocation, expiry, storage ------------------------------------------------------------


def test_a_revoked_token_is_401(office, units):
    token, key = tokens.create_token(office, "劳动监察系统", XIHU)
    assert bearer(key).get(URL).status_code == 200

    tokens.revoke_token(office, token)

    response = bearer(key).get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "API 令牌已被撤销。", "code": "token_revoked"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_401_from_the_exact_expiry(office, units):
    token, key = tokens.create_token(office, "劳动监察系统", XIHU)
    now = timezone.now()

    ApiToken.objects.filter(pk=token.pk).update(expires_at=now + timedelta(seconds=30))
    assert bearer(key).get(URL).status_code == 200

    # expires_at exactly now counts as expired (the boundary belongs to the past)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=now)
    response = bearer(key).get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "API 令牌已过期。", "code": "token_expired"}


@pytest.mark.parametrize("header", ["Bearer hx_not-a-token", "Bearer", "Bearer a b"])
def test_an_unknown_or_malformed_token_is_401(header):
    response = APIClient().get(URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}


def test_only_the_hash_of_the_key_is_stored(office):
    token, key = tokens.create_token(office, "劳动监察系统", XIHU)

    assert key.startswith("hx_") and len(key) > 40
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    for row in ApiToken.objects.values():
        assert key not in [str(v) for v in row.values()]
    assert not AuditEvent.objects.filter(after__icontains=key[8:]).exists()
    assert not token.user.has_usable_password()


def test_the_last_use_is_written_at_most_once_a_minute(office):
    token, key = tokens.create_token(office, "劳动监察系统", XIHU)
    api = bearer(key)
    api.get(URL)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    api.get(URL)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


# --- No Basic authentication; sessions stay for the pages -----------------------------------


def test_basic_auth_with_a_persons_password_is_401_but_the_pages_still_sign_in(office):
    basic = base64.b64encode(f"{office.username}:{PASSWORD}".encode()).decode()

    response = Client().get(URL, HTTP_AUTHORIZATION=f"Basic {basic}")

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}
    pages = Client()
    assert pages.post("/login/", {"username": office.username,
                                  "password": PASSWORD}).status_code == 302
    assert pages.get("/").status_code == 200
    assert pages.get(URL).status_code == 200  # the session works for the API too


# --- Rate limit -----------------------------------------------------------------------------


def test_the_rate_limit_is_per_token_and_answers_429(office, settings):
    settings.HEXIE_API_TOKEN_RATE = "3/min"
    _, key = tokens.create_token(office, "劳动监察系统", XIHU)
    _, other = tokens.create_token(office, "仲裁系统", XIHU)
    api = bearer(key)

    answers = [api.get(URL).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = api.get(URL)
    body = refused.json()
    assert int(refused["Retry-After"]) > 0
    assert set(body) == {"detail", "code", "field", "errors"}
    assert body["code"] == "throttled"
    assert body["detail"].startswith("请求已被限流")
    assert bearer(other).get(URL).status_code == 200  # another token has its own budget


# --- Who may create and revoke --------------------------------------------------------------


def test_a_county_cannot_create_a_token_for_another_county(office):
    with pytest.raises(OutOfScope):
        tokens.create_token(office, "越权系统", NANHU)
    assert not ApiToken.objects.exists()


def test_a_county_cannot_give_a_permission_it_lacks(office):
    with pytest.raises(NotPermitted):
        tokens.create_token(office, "越权系统", XIHU, write=[CAMPAIGNS_PLEDGE])
    assert not ApiToken.objects.exists()
    assert not User.objects.filter(username__startswith="token:").exists()


def test_a_town_office_cannot_give_writes_only_the_county_holds():
    town = make_user(Role.TOWN_OFFICE, region=XIHU_TOWN)
    with pytest.raises(NotPermitted):
        tokens.create_token(town, "镇系统", XIHU_TOWN, write=[UNITS_CHANGE])
    with pytest.raises(OutOfScope):
        tokens.create_token(town, "镇系统", XIHU)


def test_a_role_without_token_rights_is_403():
    partner = make_user(Role.PARTNER, region=XIHU)
    with pytest.raises(NotPermitted):
        tokens.create_token(partner, "合作单位系统", XIHU)


def test_a_county_cannot_revoke_another_countys_token(office):
    token, _ = tokens.create_token(None, "南湖系统", NANHU, reason="test")
    with pytest.raises(OutOfScope):
        tokens.revoke_token(office, token)
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": "  "}, "name"),
    ({"days": 0}, "days"),
    ({"days": 366}, "days"),
    ({"write": ["units.fly"]}, "write"),
    ({"write": ["accounts.grant"]}, "write"),
    ({"region_code": "339999"}, "region"),
])
def test_bad_input_is_refused_naming_the_field(office, kwargs, field):
    arguments = {"name": "系统", "region_code": XIHU} | kwargs
    with pytest.raises(DomainError) as refused:
        tokens.create_token(office, **arguments)
    assert refused.value.field == field
    assert not ApiToken.objects.exists()


def test_a_name_is_unique(office):
    tokens.create_token(office, "劳动监察系统", XIHU)
    with pytest.raises(DomainError) as refused:
        tokens.create_token(office, "劳动监察系统", XIHU_TOWN)
    assert refused.value.code == "duplicate"
    assert ApiToken.objects.count() == 1


def test_create_and_revoke_are_audited(office):
    token, _ = tokens.create_token(office, "劳动监察系统", XIHU, write=[UNITS_CHANGE], days=30)
    tokens.revoke_token(office, token, reason="系统下线")

    created = AuditEvent.objects.get(action="accounts.create_token")
    revoked = AuditEvent.objects.get(action="accounts.revoke_token")
    assert (created.actor_id, revoked.actor_id) == (office.pk, office.pk)
    assert created.region_code == XIHU
    assert created.after["write_permissions"] == [UNITS_CHANGE]
    assert "key_hash" not in created.after
    assert revoked.after["revoked_at"] and revoked.after["reason"] == "系统下线"
    grant = AuditEvent.objects.get(action="accounts.grant_membership")
    assert grant.after["role"] == Role.API_CLIENT
    assert Membership.objects.get(user=token.user).region_id == XIHU
    token.user.refresh_from_db()
    assert not token.user.is_active


def test_a_province_token_reads_the_whole_city(units):
    province = make_user(Role.PROVINCE_OFFICE, region="33")
    _, key = tokens.create_token(province, "省级系统", HANGZHOU)
    assert ids(bearer(key).get(URL)) == sorted([units["xihu"].pk, units["xihu2"].pk])


# --- The CLI --------------------------------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("tokens", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_creates_lists_and_revokes(units):
    out, err = run("create", "劳动监察系统", "--region", XIHU, "--write", UNITS_CHANGE,
                 "--days", "30")
    key = out.splitlines()[0]
    assert "只显示这一次" in err and key not in err
    token = ApiToken.objects.get(name="劳动监察系统")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.write_permissions == [UNITS_CHANGE] and token.created_by is None
    assert AuditEvent.objects.get(action="accounts.create_token").after["reason"] == "cli"
    assert bearer(key).get(URL).status_code == 200

    listing, _ = run("list")
    assert "劳动监察系统" in listing and "active" in listing and key not in listing

    run("revoke", "劳动监察系统")
    assert bearer(key).get(URL).status_code == 401
    assert "revoked" in run("list")[0]


def test_cli_acts_as_a_user_within_their_scope(office):
    run("create", "西湖系统", "--region", XIHU_TOWN, "--as-user", office.username)
    assert ApiToken.objects.get(name="西湖系统").created_by == office
    with pytest.raises(CommandError) as refused:
        run("create", "南湖系统", "--region", NANHU, "--as-user", office.username)
    assert refused.value.returncode == 2
    assert not ApiToken.objects.filter(name="南湖系统").exists()


@pytest.mark.parametrize("args", [
    ("create", "甲", "--region", "339999"),
    ("create", "甲", "--region", XIHU, "--write", "units.fly"),
    ("create", "已有", "--region", XIHU),
    ("create", "甲", "--region", XIHU, "--days", "1000"),
    ("create", "甲", "--region", XIHU, "--as-user", "nobody"),
    ("revoke", "无此令牌"),
])
def test_cli_bad_input_exits_2_and_writes_nothing(args):
    tokens.create_token(None, "已有", XIHU, reason="test")
    before = (ApiToken.objects.count(), AuditEvent.objects.count())

    with pytest.raises(CommandError) as refused:
        run(*args)

    assert refused.value.returncode == 2
    assert "\n" not in str(refused.value)
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


def test_the_schema_documents_the_bearer_token(office):
    api = APIClient()
    api.force_authenticate(office)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
