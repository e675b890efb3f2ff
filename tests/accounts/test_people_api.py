"""The people API for offices (issue 10 §1): /api/v1/people/ and /api/v1/memberships/ — the
same scope and rank rules as the pages, in the API's one error shape; never for API tokens."""

import pytest
from rest_framework.test import APIClient

from hexie.accounts import tokens
from hexie.accounts.models import Invitation, Membership, User
from hexie.accounts.roles import UNITS_CHANGE
from hexie.core.models import AuditEvent
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county():
    return make_user("county_office", region=XIHU, username="xihu-office")


@pytest.fixture
def town():
    user = make_user("town_office", region=XIHU_TOWN, username="beishan")
    user.display_name = "北山街道"
    user.save()
    return user


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_list_is_scoped_and_filters(county, town):
    make_user("town_office", region=NANHU_TOWN, username="jianshe")
    hr = make_user("unit_admin", unit=UnitFactory(region_id=XIHU_TOWN_2), username="hr")
    make_user("assessor", organisation=make_organisation(XIHU), username="pinggu")
    api = as_user(county)
    names = {p["username"] for p in api.get("/api/v1/people/").json()["results"]}
    assert {"beishan", "hr", "pinggu", "xihu-office"} <= names and "jianshe" not in names
    by_role = api.get("/api/v1/people/", {"role": "unit_admin"}).json()["results"]
    assert [p["username"] for p in by_role] == ["hr"]
    by_region = api.get("/api/v1/people/", {"region": XIHU_TOWN_2}).json()["results"]
    assert [p["username"] for p in by_region] == ["hr"]
    assert [p["username"] for p in api.get("/api/v1/people/", {"q": "北山"}).json()[
        "results"]] == ["beishan"]
    hr.is_active = False
    hr.save()
    inactive = api.get("/api/v1/people/", {"active": "false"}).json()["results"]
    assert [p["username"] for p in inactive] == ["hr"]
    bad = api.get("/api/v1/people/", {"role": "king"})
    assert bad.status_code == 400 and bad.json()["field"] == "role"


def test_retrieve_has_the_memberships_and_out_of_scope_is_404(county, town):
    api = as_user(county)
    body = api.get(f"/api/v1/people/{town.pk}/").json()
    assert body["memberships"][0]["role"] == "town_office"
    assert body["memberships"][0]["region"] == XIHU_TOWN
    other = make_user("county_office", region=NANHU)
    response = api.get(f"/api/v1/people/{other.pk}/")
    assert response.status_code == 404 and set(response.json()) == {"detail", "code"}


def test_invitations_return_the_link_once_and_follow_the_grant_rules(county):
    api = as_user(county)
    created = api.post("/api/v1/people/invitations/",
                       {"role": "town_office", "region": XIHU_TOWN, "email": "t@example.com",
                        "display_name": "新街道"}, format="json")
    assert created.status_code == 201 and "/invite/" in created.json()["link"]
    invitation = Invitation.objects.get()
    assert created.json()["link"].rsplit("/", 2)[-2] not in invitation.token_hash
    unit = UnitFactory(region_id=XIHU_TOWN)
    for_unit = api.post("/api/v1/people/invitations/",
                        {"role": "unit_admin", "unit": unit.credit_code}, format="json")
    assert for_unit.status_code == 201
    above = api.post("/api/v1/people/invitations/",
                     {"role": "province_office", "region": "33"}, format="json")
    assert above.status_code == 403 and "高于本人" in above.json()["detail"]
    outside = api.post("/api/v1/people/invitations/",
                       {"role": "town_office", "region": NANHU_TOWN}, format="json")
    assert outside.status_code == 404
    bad_email = api.post("/api/v1/people/invitations/",
                         {"role": "town_office", "region": XIHU_TOWN, "email": "nope"},
                         format="json")
    assert bad_email.status_code == 400 and bad_email.json()["field"] == "email"
    no_unit = api.post("/api/v1/people/invitations/",
                       {"role": "unit_admin", "unit": "91330106MA0000000X"}, format="json")
    assert no_unit.status_code == 400 and no_unit.json()["field"] == "unit"
    token_role = api.post("/api/v1/people/invitations/",
                          {"role": "api_client", "region": XIHU}, format="json")
    assert token_role.status_code == 400 and token_role.json()["field"] == "role"
    assert Invitation.objects.count() == 2


def test_a_town_office_cannot_create_or_make_a_county_account(town):
    api = as_user(town)
    response = api.post("/api/v1/people/invitations/",
                        {"role": "county_office", "region": XIHU}, format="json")
    assert response.status_code == 403
    coordinator = make_user("coordinator", region=XIHU_TOWN)
    membership = coordinator.memberships.get()
    changed = api.patch(f"/api/v1/memberships/{membership.pk}/",
                        {"role": "county_office", "region": XIHU}, format="json")
    assert changed.status_code == 403
    granted = api.post(f"/api/v1/people/{coordinator.pk}/memberships/",
                       {"role": "county_office", "region": XIHU}, format="json")
    assert granted.status_code == 403
    assert list(coordinator.memberships.values_list("role", flat=True)) == ["coordinator"]


def test_change_a_membership_audited_and_its_refusals(county, town):
    api = as_user(county)
    membership = town.memberships.get()
    url = f"/api/v1/memberships/{membership.pk}/"
    ok = api.patch(url, {"region": XIHU_TOWN_2, "reason": "调岗"}, format="json")
    assert ok.status_code == 200 and ok.json()["region"] == XIHU_TOWN_2
    event = AuditEvent.objects.get(action="accounts.change_membership")
    assert (event.before["region_id"], event.after["region_id"]) == (XIHU_TOWN, XIHU_TOWN_2)
    above = api.patch(url, {"role": "province_office", "region": "33"}, format="json")
    assert above.status_code == 403 and above.json()["code"] == "permission_denied"
    assert "高于本人" in above.json()["detail"]
    city = api.patch(url, {"role": "city_office", "region": HANGZHOU}, format="json")
    assert city.status_code == 403
    outside = api.patch(url, {"region": NANHU_TOWN}, format="json")
    assert outside.status_code == 404
    wrong_level = api.patch(url, {"region": XIHU}, format="json")
    assert wrong_level.status_code == 400 and wrong_level.json()["field"] == "region"
    empty = api.patch(url, {}, format="json")
    assert empty.status_code == 400 and empty.json()["field"] == "role"
    other = make_user("town_office", region=NANHU_TOWN).memberships.get()
    assert api.patch(f"/api/v1/memberships/{other.pk}/", {"region": XIHU_TOWN},
                     format="json").status_code == 404
    assert api.patch("/api/v1/memberships/999999/", {"region": XIHU_TOWN},
                     format="json").status_code == 404
    assert api.patch(f"/api/v1/memberships/{county.memberships.get().pk}/",
                     {"role": "town_office", "region": XIHU_TOWN},
                     format="json").status_code == 403  # oneself
    assert Membership.objects.get(pk=membership.pk).region_id == XIHU_TOWN_2


def test_grant_and_revoke_memberships(county, town):
    api = as_user(county)
    granted = api.post(f"/api/v1/people/{town.pk}/memberships/",
                       {"role": "coordinator", "region": XIHU_TOWN}, format="json")
    assert granted.status_code == 201
    duplicate = api.post(f"/api/v1/people/{town.pk}/memberships/",
                         {"role": "coordinator", "region": XIHU_TOWN}, format="json")
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "role"
    missing = api.post(f"/api/v1/people/{town.pk}/memberships/", {"region": XIHU_TOWN},
                       format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "role"
    assert api.delete(f"/api/v1/memberships/{granted.json()['id']}/").status_code == 204
    last = api.delete(f"/api/v1/memberships/{town.memberships.get().pk}/")
    assert last.status_code == 400 and last.json()["code"] == "last_membership"
    assert AuditEvent.objects.filter(action="accounts.revoke_membership").count() == 1


def test_deactivate_reactivate_and_password_reset(county, town):
    api = as_user(county)
    reset = api.post(f"/api/v1/people/{town.pk}/password-reset/")
    assert reset.status_code == 200 and "/reset/" in reset.json()["link"]
    assert reset.json()["emailed"] is False
    off = api.post(f"/api/v1/people/{town.pk}/deactivate/", {"reason": "离职"}, format="json")
    assert off.status_code == 200 and off.json()["is_active"] is False
    refused = api.post(f"/api/v1/people/{town.pk}/password-reset/")
    assert refused.status_code == 400 and refused.json()["code"] == "inactive"
    on = api.post(f"/api/v1/people/{town.pk}/reactivate/")
    assert on.status_code == 200 and on.json()["is_active"] is True
    other = make_user("town_office", region=NANHU_TOWN)
    for verb in ("deactivate", "reactivate", "password-reset"):
        assert api.post(f"/api/v1/people/{other.pk}/{verb}/").status_code == 404
    assert api.post(f"/api/v1/people/{county.pk}/deactivate/").status_code == 403  # oneself
    assert AuditEvent.objects.filter(action="accounts.issue_password_reset").count() == 1


def test_api_tokens_and_non_offices_cannot_manage_people(county, town):
    _token, key = tokens.create_token(county, "人事系统", XIHU, write=[UNITS_CHANGE])
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    membership = town.memberships.get()
    calls = [
        ("get", "/api/v1/people/", None),
        ("get", f"/api/v1/people/{town.pk}/", None),
        ("post", "/api/v1/people/invitations/", {"role": "town_office", "region": XIHU_TOWN}),
        ("post", f"/api/v1/people/{town.pk}/deactivate/", {}),
        ("post", f"/api/v1/people/{town.pk}/password-reset/", {}),
        ("post", f"/api/v1/people/{town.pk}/memberships/",
         {"role": "coordinator", "region": XIHU_TOWN}),
        ("patch", f"/api/v1/memberships/{membership.pk}/", {"region": XIHU_TOWN_2}),
        ("delete", f"/api/v1/memberships/{membership.pk}/", None),
    ]
    unit_admin = as_user(make_user("unit_admin", unit=UnitFactory(region_id=XIHU_TOWN)))
    for client in (bearer, unit_admin):
        for method, url, data in calls:
            response = getattr(client, method)(url, data, format="json")
            assert response.status_code == 403, (method, url, response.status_code)
            assert response.json()["detail"] == "只有三方办可以管理账号。"
    assert APIClient().get("/api/v1/people/").status_code == 401
    town.refresh_from_db()
    assert town.is_active and town.memberships.get().region_id == XIHU_TOWN
    assert not Invitation.objects.exists()
    assert User.objects.filter(username__startswith="token:").count() == 1
