"""Invitations, deactivation and reactivation (issue 10 points 1 and 'bad input and abuse')."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hexie.accounts.invitations import (
    InvitationUnusable,
    accept_invitation,
    find_invitation,
    invite,
    revoke_invitation,
)
from hexie.accounts.models import Invitation, Membership, User
from hexie.accounts.services import deactivate, reactivate
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from tests.factories import HANGZHOU, NANHU, NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "Qingshan-2026!"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county():
    return make_user("county_office", region=XIHU)


def sign_in(client, username, password) -> bool:
    """Through the real login page (django-axes needs the request)."""
    return client.post(reverse("login"), {"username": username, "password": password}
                       ).status_code == 302


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_a_county_invites_a_unit_admin_who_accepts_and_signs_in(county, client):
    unit = UnitFactory(region_id=XIHU_TOWN)
    invitation, link = invite(county, "unit_admin", unit=unit, email="hr@example.com",
                              display_name="王芳")
    token = token_of(link)
    assert link.startswith("http://127.0.0.1:8000/invite/")
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.region_code == XIHU_TOWN
    assert invitation.expires_at - invitation.created_at >= timedelta(days=7) - timedelta(
        seconds=5)

    page = client.get(reverse("accept_invitation", args=[token]))
    assert page.status_code == 200
    assert "创建单位经办人" in page.content.decode() and str(county) in page.content.decode()
    answer = client.post(reverse("accept_invitation", args=[token]),
                         {"username": "wangfang", "password1": PASSWORD, "password2": PASSWORD})
    assert answer.status_code == 302
    person = User.objects.get(username="wangfang")
    assert person.email == "hr@example.com" and person.display_name == "王芳"
    assert Membership.objects.filter(user=person, role="unit_admin", unit=unit).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == person and invitation.accepted_at is not None

    client.logout()
    assert sign_in(client, "wangfang", PASSWORD)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_username"))
    assert ("accounts.invite", county.username) in actions
    assert ("accounts.grant_membership", "system") in actions
    assert ("accounts.accept_invitation", "wangfang") in actions
    grant = AuditEvent.objects.get(action="accounts.grant_membership")
    assert grant.after["reason"] == f"invitation {invitation.pk}"


def test_a_used_invitation_is_refused(county, client):
    _, link = invite(county, "town_office", region=XIHU_TOWN)
    accept_invitation(token_of(link), "first", PASSWORD)
    with pytest.raises(InvitationUnusable) as refused:
        accept_invitation(token_of(link), "second", PASSWORD)
    assert refused.value.code == "used" and "已被使用" in str(refused.value.message)
    page = client.get(reverse("accept_invitation", args=[token_of(link)]))
    assert page.status_code == 410 and "已被使用" in page.content.decode()
    assert not User.objects.filter(username="second").exists()


def test_expiry_is_exact_at_the_boundary(county, settings):
    _, link = invite(county, "town_office", region=XIHU_TOWN)
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(seconds=30))
    assert find_invitation(token_of(link)).pk == invitation.pk  # still valid just before
    moment = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=moment)
    with pytest.raises(InvitationUnusable) as refused:
        accept_invitation(token_of(link), "late", PASSWORD)
    assert refused.value.code == "expired" and "已过期" in str(refused.value.message)
    assert not User.objects.filter(username="late").exists()


def test_a_revoked_invitation_is_refused(county, client):
    invitation, link = invite(county, "town_office", region=XIHU_TOWN)
    revoke_invitation(county, invitation)
    with pytest.raises(InvitationUnusable) as refused:
        accept_invitation(token_of(link), "someone", PASSWORD)
    assert refused.value.code == "revoked"
    assert client.get(reverse("accept_invitation", args=[token_of(link)])).status_code == 410
    assert AuditEvent.objects.filter(action="accounts.revoke_invitation").exists()


def test_an_unknown_token_gets_a_chinese_410_page(client):
    page = client.get(reverse("accept_invitation", args=["nonsense"]))
    assert page.status_code == 410 and "邀请链接无效" in page.content.decode()


def test_a_signed_in_other_user_is_asked_to_sign_out(county, client):
    _, link = invite(county, "town_office", region=XIHU_TOWN)
    client.force_login(county)
    page = client.get(reverse("accept_invitation", args=[token_of(link)]))
    assert page.status_code == 403 and "请先退出登录" in page.content.decode()
    posted = client.post(reverse("accept_invitation", args=[token_of(link)]),
                         {"username": "x1", "password1": PASSWORD, "password2": PASSWORD})
    assert posted.status_code == 403
    assert Invitation.objects.get().accepted_at is None


def test_weak_or_mismatched_passwords_and_taken_usernames_are_refused(county, client):
    _, link = invite(county, "town_office", region=XIHU_TOWN)
    url = reverse("accept_invitation", args=[token_of(link)])
    weak = client.post(url, {"username": "newbie", "password1": "12345678",
                             "password2": "12345678"})
    assert weak.status_code == 400 and not User.objects.filter(username="newbie").exists()
    mismatch = client.post(url, {"username": "newbie", "password1": PASSWORD,
                                 "password2": PASSWORD + "x"})
    assert mismatch.status_code == 400 and "不一致" in mismatch.content.decode()
    taken = client.post(url, {"username": county.username, "password1": PASSWORD,
                              "password2": PASSWORD})
    assert taken.status_code == 400 and "已被使用" in taken.content.decode()
    assert Invitation.objects.get().accepted_at is None


def test_a_county_may_not_invite_a_province_office(county):
    with pytest.raises(NotPermitted) as refused:
        invite(county, "province_office", region="33")
    assert refused.value.field == "role"
    assert not Invitation.objects.exists()


def test_no_one_invites_a_token_service_account(county, client):
    """api_client memberships come only with a token (accounts.tokens), never by invitation,
    not even through a hand-made POST to the people page."""
    with pytest.raises(DomainError) as refused:
        invite(county, "api_client", region=XIHU)
    assert refused.value.field == "role"
    client.force_login(county)
    response = client.post(reverse("people"), {"role": "api_client", "region": XIHU})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_a_town_office_may_not_invite_a_county_account():
    town = make_user("town_office", region=XIHU_TOWN)
    with pytest.raises(NotPermitted):
        invite(town, "county_office", region=XIHU)
    assert not Invitation.objects.exists()


def test_outside_the_scope_is_404(county):
    with pytest.raises(OutOfScope):
        invite(county, "town_office", region=NANHU_TOWN)
    with pytest.raises(OutOfScope):
        invite(county, "unit_admin", unit=UnitFactory(region_id=NANHU_TOWN))
    assert not Invitation.objects.exists()


def test_a_region_at_the_wrong_level_is_refused(county):
    with pytest.raises(DomainError) as refused:
        invite(county, "town_office", region=XIHU)
    assert refused.value.field == "region"


def test_an_inviters_deactivation_withdraws_their_links(county):
    _, link = invite(county, "town_office", region=XIHU_TOWN)
    deactivate(None, county, reason="left the office")
    with pytest.raises(InvitationUnusable):
        accept_invitation(token_of(link), "after", PASSWORD)


def test_deactivation_ends_the_session_at_once_and_reactivation_restores_it(county, client):
    town = make_user("town_office", region=XIHU_TOWN)
    town.set_password(PASSWORD)
    town.save()
    assert sign_in(client, town.username, PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    deactivate(county, town)
    answer = client.get(reverse("home"))
    assert answer.status_code == 302 and reverse("login") in answer["Location"]
    town.refresh_from_db()
    assert not town.is_active and User.objects.filter(pk=town.pk).exists()
    reactivate(county, town)
    assert client.get(reverse("home")).status_code == 302  # the old session stays ended
    assert sign_in(client, town.username, PASSWORD)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.deactivate", "accounts.reactivate"} <= actions
    event = AuditEvent.objects.get(action="accounts.deactivate")
    assert event.actor_username == county.username and event.region_code == XIHU_TOWN


def test_deactivation_respects_scope_and_rank(county):
    other_county = make_user("county_office", region=NANHU)
    city = make_user("city_office", region=HANGZHOU)
    with pytest.raises(OutOfScope):
        deactivate(county, other_county)
    with pytest.raises(NotPermitted):
        deactivate(county, city)
    with pytest.raises(NotPermitted):
        deactivate(county, county)
    mixed = make_user("town_office", region=XIHU_TOWN)
    Membership.objects.create(user=mixed, role="town_office", region_id=NANHU_TOWN)
    with pytest.raises(OutOfScope):  # one membership outside the scope is enough
        deactivate(county, mixed)
    assert User.objects.filter(is_active=False).count() == 0
    assert not AuditEvent.objects.filter(action="accounts.deactivate").exists()


def test_deactivating_twice_is_refused(county):
    town = make_user("town_office", region=XIHU_TOWN)
    deactivate(county, town)
    with pytest.raises(DomainError):
        deactivate(county, town)


def test_an_invitation_naming_a_username_gives_that_one(county, client):
    _, link = invite(county, "town_office", region=XIHU_TOWN, username="beishan")
    page = client.get(reverse("accept_invitation", args=[token_of(link)]))
    assert 'readonly value="beishan"' in page.content.decode()
    person = accept_invitation(token_of(link), "ignored", PASSWORD)
    assert person.username == "beishan"
    with pytest.raises(DomainError):
        invite(county, "town_office", region=XIHU_TOWN, username="BEISHAN")
