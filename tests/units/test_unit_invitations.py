"""Unit-admin invitations from a unit's page (issue 10 §2a): who sees the panel, the form's
checks, the link shown once and mailed, withdrawing, and scope (404 outside)."""

import pytest
from django.core import mail

from hexie.accounts.invitations import accept_invitation, find_invitation
from hexie.accounts.models import Invitation, Membership
from hexie.accounts.roles import Role
from hexie.core.errors import DomainError
from hexie.core.models import AuditEvent
from hexie.units import invitations as unit_invitations
from tests.factories import NANHU, NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return UnitFactory(region_id=XIHU_TOWN, name="西湖示例有限公司")


@pytest.fixture
def county(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)
    return user


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_county_sees_admins_and_pending_invitations(client, county, unit):
    admin = make_user(Role.UNIT_ADMIN, unit=unit, username="xihu_admin")
    unit_invitations.invite_for_unit(county, unit, display_name="王经办", phone="13800000000")
    html = client.get(f"/units/{unit.pk}/").content.decode()
    assert 'id="admins"' in html
    assert admin.username in html
    assert "王经办" in html and "13800000000" in html
    assert "生成邀请链接" in html


def test_invite_shows_the_link_once_and_mails_it(client, county, unit, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/units/{unit.pk}/invite/",
                               {"display_name": "李联系", "phone": "0571-87000001",
                                "email": "li@example.com"})
    assert response.status_code == 200
    html = response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.unit_id, invitation.created_by_id) == (
        Role.UNIT_ADMIN, unit.pk, county.pk)
    assert invitation.contact.phone == "0571-87000001"
    link = html.split('id="invite-link">')[1].split("<")[0]
    assert find_invitation(token_of(link)).pk == invitation.pk
    assert 'data-copy="#invite-link"' in html and "units/copy.js" in html
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["li@example.com"]
    assert link in mailoutbox[0].body
    # shown once: the page does not show it again
    assert link not in client.get(f"/units/{unit.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="accounts.invite").count() == 1


def test_invite_without_email_sends_nothing(client, county, unit, mailoutbox,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/units/{unit.pk}/invite/",
                               {"display_name": "李联系", "phone": "13800000000"})
    assert response.status_code == 200
    assert mailoutbox == []


@pytest.mark.parametrize("data, field, message", [
    ({"display_name": "", "phone": "13800000000"}, "display_name", "请填写联系人姓名。"),
    ({"display_name": "李", "phone": "", "email": ""}, "phone", "联系电话和电子邮箱至少填写一项。"),
    ({"display_name": "李", "phone": "12345"}, "phone", "联系电话格式不正确"),
    ({"display_name": "李", "email": "not-an-email"}, "email", "电子邮箱格式不正确。"),
])
def test_bad_contact_is_refused_naming_the_field(client, county, unit, data, field, message):
    response = client.post(f"/units/{unit.pk}/invite/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_invite_{field}"' in html
    assert not Invitation.objects.exists()


def test_another_countys_office_gets_404(client, unit):
    other = make_user(Role.COUNTY_OFFICE, region=NANHU)
    client.force_login(other)
    assert client.get(f"/units/{unit.pk}/").status_code == 404
    assert client.post(f"/units/{unit.pk}/invite/",
                       {"display_name": "李", "phone": "13800000000"}).status_code == 404
    assert not Invitation.objects.exists()


def test_unit_admin_invites_a_colleague_for_its_own_unit_only(client, unit):
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    other_unit = UnitFactory(region_id=NANHU_TOWN)
    client.force_login(admin)
    ok = client.post(f"/units/{unit.pk}/invite/", {"display_name": "同事", "phone": "13800000000"})
    assert ok.status_code == 200
    assert client.post(f"/units/{other_unit.pk}/invite/",
                       {"display_name": "外人", "phone": "13800000000"}).status_code == 404
    assert list(Invitation.objects.values_list("unit_id", flat=True)) == [unit.pk]
    with pytest.raises(Exception) as exc:
        unit_invitations.invite_for_unit(admin, other_unit, display_name="外人",
                                         phone="13800000000")
    assert exc.value.__class__.__name__ == "OutOfScope"


def test_partner_sees_no_invitation_panel(client, unit):
    partner = make_user(Role.PARTNER, region=XIHU)
    client.force_login(partner)
    html = client.get(f"/units/{unit.pk}/").content.decode()
    assert 'id="admins"' not in html
    assert client.post(f"/units/{unit.pk}/invite/",
                       {"display_name": "李", "phone": "13800000000"}).status_code == 404


def test_withdraw_a_pending_invitation(client, county, unit):
    invitation, link = unit_invitations.invite_for_unit(county, unit, display_name="王",
                                                        phone="13800000000")
    response = client.post(f"/units/{unit.pk}/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    with pytest.raises(DomainError):
        accept_invitation(token_of(link), "wang", "Str0ng-pass-2026")


def test_withdraw_from_another_unit_or_county_is_404(client, unit):
    county = make_user(Role.COUNTY_OFFICE, region=XIHU)
    invitation, _ = unit_invitations.invite_for_unit(county, unit, display_name="王",
                                                     phone="13800000000")
    other_unit = UnitFactory(region_id=XIHU_TOWN)
    client.force_login(county)
    assert client.post(f"/units/{other_unit.pk}/invitations/{invitation.pk}/withdraw/"
                       ).status_code == 404
    client.force_login(make_user(Role.COUNTY_OFFICE, region=NANHU))
    assert client.post(f"/units/{unit.pk}/invitations/{invitation.pk}/withdraw/"
                       ).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_accepted_invitation_makes_a_unit_admin(client, county, unit):
    _, link = unit_invitations.invite_for_unit(county, unit, display_name="王",
                                               phone="13800000000")
    person = accept_invitation(token_of(link), "wang_admin", "Str0ng-pass-2026")
    assert Membership.objects.filter(user=person, role=Role.UNIT_ADMIN, unit=unit).exists()
    html = client.get(f"/units/{unit.pk}/").content.decode()
    assert "wang_admin" in html
    assert "没有待接受的邀请。" in html
    assert mail.outbox == []
