"""The offices' people page: accounts in scope, deactivate / reactivate, invitations shown once."""

import pytest
from django.urls import reverse

from hexie.accounts.invitations import invite
from hexie.accounts.models import Invitation, User
from hexie.core.models import AuditEvent
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    UnitFactory,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(client):
    user = make_user("county_office", region=XIHU)
    client.force_login(user)
    return user


def test_the_page_lists_people_in_scope_only(county, client):
    town = make_user("town_office", region=XIHU_TOWN, username="beishan")
    make_user("town_office", region=NANHU_TOWN, username="jianshe")
    make_user("city_office", region=HANGZHOU, username="hangzhou")
    make_user("unit_admin", unit=UnitFactory(region_id=XIHU_TOWN), username="hr-xihu")
    make_user("unit_admin", unit=UnitFactory(region_id=NANHU_TOWN), username="hr-nanhu")
    make_user("assessor", organisation=make_organisation(XIHU), username="pinggu")
    page = client.get(reverse("people"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="person-beishan"' in body and "jianshe" not in body
    assert "hangzhou" not in body  # a city membership is not inside the county
    assert "person-hr-xihu" in body and "person-pinggu" in body and "hr-nanhu" not in body
    assert reverse("people-deactivate", args=[town.pk]) in body
    assert "账号管理" in client.get(reverse("home")).content.decode()


def test_units_and_partners_do_not_get_the_page(client):
    client.force_login(make_user("unit_admin", unit=UnitFactory(region_id=XIHU_TOWN)))
    assert client.get(reverse("people")).status_code == 403
    client.force_login(make_user("partner", region=XIHU))
    assert client.get(reverse("people")).status_code == 403


def test_deactivate_and_reactivate_from_the_page(county, client):
    town = make_user("town_office", region=XIHU_TOWN)
    client.post(reverse("people-deactivate", args=[town.pk]))
    town.refresh_from_db()
    assert not town.is_active
    client.post(reverse("people-reactivate", args=[town.pk]))
    town.refresh_from_db()
    assert town.is_active
    assert AuditEvent.objects.filter(action="accounts.deactivate",
                                     actor_username=county.username).exists()


def test_people_outside_the_scope_are_404_and_above_the_rank_refused(county, client):
    other = make_user("county_office", region=NANHU)
    assert client.post(reverse("people-deactivate", args=[other.pk])).status_code == 404
    assert client.get(reverse("people-deactivate", args=[other.pk])).status_code == 405
    city_on_county = make_user("city_office", region=HANGZHOU)
    # A city office is not inside a county's scope: invisible, so 404 as well.
    assert client.post(reverse("people-deactivate", args=[city_on_county.pk])).status_code == 404
    assert User.objects.filter(is_active=False).count() == 0


def test_the_invitation_form_shows_the_link_once(county, client):
    unit = UnitFactory(region_id=XIHU_TOWN, credit_code="91330106MA2YYYYY2B")
    page = client.post(reverse("people"), {"role": "unit_admin", "unit": unit.credit_code,
                                           "display_name": "李雷", "email": "li@example.com"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="invitation-link"' in body
    assert "http://testserver/invite/" in body
    invitation = Invitation.objects.get()
    assert invitation.unit == unit and invitation.created_by == county
    again = client.get(reverse("people")).content.decode()
    assert "http://testserver/invite/" not in again and "李雷" in again
    client.post(reverse("people-withdraw", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_the_form_refuses_out_of_scope_and_higher_roles(county, client):
    outside = client.post(reverse("people"), {"role": "town_office", "region": NANHU_TOWN})
    assert outside.status_code == 400 and "管辖范围" in outside.content.decode()
    higher = client.post(reverse("people"), {"role": "city_office", "region": HANGZHOU})
    assert higher.status_code == 400 and "高于本人" in higher.content.decode()
    unknown = client.post(reverse("people"), {"role": "unit_admin", "unit": "0" * 18})
    assert unknown.status_code == 400
    assert 'value="city_office"' not in client.get(reverse("people")).content.decode()
    assert not Invitation.objects.exists()


def test_an_invitation_from_elsewhere_cannot_be_withdrawn(county, client):
    nanhu = make_user("county_office", region=NANHU)
    invitation, _ = invite(nanhu, "town_office", region=NANHU_TOWN)
    assert client.post(reverse("people-withdraw", args=[invitation.pk])).status_code == 404
