"""Partner organisations (总工会 / 企联 / 工商联, issue 10 point 1): what a partner membership
must name, who may create an organisation, inviting its people on the people page and from the
command line."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from hexie.accounts.invitations import accept_invitation, invite
from hexie.accounts.models import Invitation, Membership, PartnerOrganisation, User
from hexie.accounts.partners import create_partner_organisation
from hexie.accounts.roles import RECOGNITION_VIEW, UNITS_VIEW
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from hexie.core.scoping import scope_for
from tests.factories import (
    HANGZHOU,
    NANHU,
    XIHU,
    XIHU_TOWN,
    UnitFactory,
    UserFactory,
    make_partner_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Qingshan-2026!"
UNION, ENTERPRISE, FIC = ("trade_union", "enterprise_confederation",
                          "federation_of_industry_commerce")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county():
    return make_user("county_office", region=XIHU)


@pytest.fixture
def person():
    user = UserFactory()
    user.save()
    return user


def fresh(user):
    return User.objects.get(pk=user.pk)


# --- the membership names its organisation ---------------------------------------------------

def test_a_partner_membership_takes_its_organisations_region(person):
    # Given 西湖区总工会
    union = make_partner_organisation(XIHU, UNION, "西湖区总工会")

    # When a partner membership names it without a region
    membership = Membership.objects.create(user=person, role="partner",
                                           partner_organisation=union)

    # Then the membership reaches the organisation's county, for what partners read only
    assert membership.region_id == XIHU
    assert scope_for(fresh(person), UNITS_VIEW).region_prefixes == (XIHU,)
    assert scope_for(fresh(person), RECOGNITION_VIEW).is_empty


def test_a_partner_membership_without_an_organisation_is_refused(person):
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=person, role="partner", region_id=XIHU)
    assert "partner_organisation" in refusal.value.message_dict
    assert not Membership.objects.filter(user=person).exists()


def test_a_partner_membership_in_another_region_than_its_organisation_is_refused(person):
    union = make_partner_organisation(XIHU)
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=person, role="partner", region_id=NANHU,
                                  partner_organisation=union)
    assert refusal.value.message_dict["region"] == [
        "合作单位人员的管辖区划须与所属合作组织的区划一致。"]


def test_only_partners_name_a_partner_organisation(person):
    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(user=person, role="county_office", region_id=XIHU,
                                  partner_organisation=make_partner_organisation(XIHU))
    assert "partner_organisation" in refusal.value.message_dict


def test_one_person_may_work_for_two_organisations_of_one_county(person):
    Membership.objects.create(user=person, role="partner",
                              partner_organisation=make_partner_organisation(XIHU, UNION))
    Membership.objects.create(user=person, role="partner",
                              partner_organisation=make_partner_organisation(XIHU, FIC))
    assert person.memberships.count() == 2


# --- creating an organisation ----------------------------------------------------------------

def test_a_county_creates_its_countys_organisation_audited(county):
    made = create_partner_organisation(county, " 西湖区  总工会 ", UNION, XIHU)
    assert (made.name, made.kind, made.region_id) == ("西湖区 总工会", UNION, XIHU)
    assert made.side == "union"
    event = AuditEvent.objects.get(action="accounts.create_partner_organisation")
    assert event.actor_username == county.username and event.region_code == XIHU
    assert event.after["name"] == "西湖区 总工会"


def test_a_city_creates_its_own_and_its_counties_organisations():
    city = make_user("city_office", region=HANGZHOU)
    assert create_partner_organisation(city, "杭州市工商联", FIC, HANGZHOU).region_id == HANGZHOU
    assert create_partner_organisation(city, "西湖区企联", ENTERPRISE, XIHU).side == "enterprise"


@pytest.mark.parametrize("region", [NANHU, HANGZHOU, "33"])
def test_outside_the_offices_division_is_404(county, region):
    with pytest.raises(OutOfScope):
        create_partner_organisation(county, "某总工会", UNION, region)
    assert not PartnerOrganisation.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.create_partner_organisation").exists()


def test_a_town_office_cannot_create_its_countys_organisation():
    town = make_user("town_office", region=XIHU_TOWN)
    with pytest.raises(OutOfScope):
        create_partner_organisation(town, "西湖区总工会", UNION, XIHU)


@pytest.mark.parametrize("role", ["partner", "unit_admin"])
def test_partners_and_units_create_none(role):
    actor = (make_user(role, region=XIHU) if role == "partner"
             else make_user(role, unit=UnitFactory(region_id=XIHU_TOWN)))
    with pytest.raises((NotPermitted, OutOfScope)):
        create_partner_organisation(actor, "西湖区工商联", FIC, XIHU)
    assert not PartnerOrganisation.objects.filter(name="西湖区工商联").exists()


@pytest.mark.parametrize(("name", "kind", "region", "field"), [
    ("", UNION, XIHU, "name"),
    ("西湖区总工会", "chamber", XIHU, "kind"),
    ("西湖区总工会", UNION, "", "region"),
    ("北山街道总工会", UNION, XIHU_TOWN, "region"),  # a town: province, city or county only
])
def test_bad_input_names_its_field(county, name, kind, region, field):
    with pytest.raises(DomainError) as refusal:
        create_partner_organisation(county, name, kind, region)
    assert refusal.value.field == field
    assert not PartnerOrganisation.objects.exists()


def test_the_same_organisation_twice_is_refused(county):
    create_partner_organisation(county, "西湖区总工会", UNION, XIHU)
    with pytest.raises(DomainError) as duplicate:
        create_partner_organisation(county, "西湖区总工会", UNION, XIHU)
    assert (duplicate.value.field, duplicate.value.code) == ("name", "duplicate")
    # the same name as another kind is another organisation
    create_partner_organisation(county, "西湖区总工会", ENTERPRISE, XIHU)
    assert PartnerOrganisation.objects.count() == 2


# --- inviting its people -----------------------------------------------------------------------

def test_a_county_invites_a_partner_of_its_union_and_the_invitee_joins_it(county):
    union = make_partner_organisation(XIHU, UNION, "西湖区总工会")
    invitation, link = invite(county, "partner", organisation=union, display_name="张三")
    assert invitation.partner_organisation == union and invitation.organisation is None
    assert invitation.region_code == XIHU and invitation.region_id == XIHU
    person = accept_invitation(link.rsplit("/", 2)[-2], "zhangsan", PASSWORD)
    membership = person.memberships.get()
    assert (membership.role, membership.partner_organisation, membership.region_id) == (
        "partner", union, XIHU)


def test_inviting_a_partner_of_another_countys_organisation_is_404(county):
    with pytest.raises(OutOfScope):
        invite(county, "partner", organisation=make_partner_organisation(NANHU))
    assert not Invitation.objects.exists()


def test_inviting_a_partner_without_an_organisation_names_the_field(county):
    with pytest.raises(DomainError) as refusal:
        invite(county, "partner", region=XIHU)
    assert refusal.value.field == "partner_organisation"


def test_the_people_page_invites_a_partner_of_an_organisation_in_scope(client, county):
    union = make_partner_organisation(XIHU, UNION, "西湖区总工会")
    other = make_partner_organisation(NANHU, UNION, "南湖区总工会")
    client.force_login(county)
    page = client.get(reverse("people")).content.decode()
    assert "西湖区总工会" in page and "南湖区总工会" not in page
    answer = client.post(reverse("people"), {"role": "partner",
                                             "partner_organisation": str(union.pk),
                                             "display_name": "张三"})
    assert answer.status_code == 200 and 'data-testid="invitation-link"' in answer.content.decode()
    assert Invitation.objects.get().partner_organisation == union
    refused = client.post(reverse("people"), {"role": "partner",
                                              "partner_organisation": str(other.pk)})
    assert refused.status_code == 400
    assert "请选择管辖范围内的合作组织。" in refused.content.decode()
    assert Invitation.objects.count() == 1


# --- the partners page -------------------------------------------------------------------------

def test_the_partners_page_lists_in_scope_and_creates(client, county):
    union = make_partner_organisation(XIHU, UNION, "西湖区总工会")
    make_partner_organisation(NANHU, UNION, "南湖区总工会")
    make_user("partner", organisation=union, username="gonghui")
    client.force_login(county)
    page = client.get(reverse("people-partners"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "西湖区总工会" in body and "南湖区总工会" not in body and "gonghui" in body
    assert f'name="region" id="id_region" value="{XIHU}"' in body  # its own county, prefilled
    made = client.post(reverse("people-partners"),
                       {"name": "西湖区工商联", "kind": FIC, "region": XIHU})
    assert made.status_code == 302
    assert PartnerOrganisation.objects.filter(name="西湖区工商联", region_id=XIHU).exists()


def test_the_partners_page_shows_a_refusal_next_to_its_field(client, county):
    client.force_login(county)
    outside = client.post(reverse("people-partners"),
                          {"name": "南湖区总工会", "kind": UNION, "region": NANHU})
    assert outside.status_code == 400
    assert "只能在本人管辖的区划内创建合作组织。" in outside.content.decode()
    town = client.post(reverse("people-partners"),
                       {"name": "北山街道总工会", "kind": UNION, "region": XIHU_TOWN})
    assert town.status_code == 400
    assert "合作组织只能设在省、市或县（市、区）一级。" in town.content.decode()
    assert not PartnerOrganisation.objects.exists()


def test_partners_do_not_get_the_partners_page(client):
    client.force_login(make_user("partner", region=XIHU))
    assert client.get(reverse("people-partners")).status_code == 403
    assert client.post(reverse("people-partners"),
                       {"name": "西湖区企联", "kind": ENTERPRISE, "region": XIHU}
                       ).status_code == 403
    assert not PartnerOrganisation.objects.filter(name="西湖区企联").exists()


# --- the command line --------------------------------------------------------------------------

def run(*args, stdin=None) -> str:
    out = io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("accounts", *args, stdout=out, **extra)
    return out.getvalue()


def test_the_cli_creates_an_organisation_and_a_partner_of_it():
    out = run("partner-org", "西湖区总工会", "--kind", UNION, "--region", XIHU)
    assert "西湖区总工会" in out
    run("create", "gonghui", "--role", "partner", "--region", XIHU, "--org", "西湖区总工会",
        "--password-stdin", stdin=PASSWORD + "\n")
    membership = Membership.objects.get(user__username="gonghui")
    assert membership.partner_organisation.name == "西湖区总工会"
    assert membership.region_id == XIHU
    assert AuditEvent.objects.filter(action="accounts.create_partner_organisation",
                                     actor_username="system").exists()


@pytest.mark.parametrize(("args", "says"), [
    (("--org", "没有这个组织"), "没有名为 没有这个组织 的合作组织"),
    (("--org", "总工会"), "有多个名为 总工会 的合作组织"),
    (("--region", XIHU), "必须绑定所属合作组织"),
    (("--region", NANHU, "--org", "总工会"), "没有名为 总工会 的合作组织"),
])
def test_the_cli_refuses_a_partner_it_cannot_place(args, says):
    make_partner_organisation(XIHU, UNION, "总工会")
    make_partner_organisation(HANGZHOU, UNION, "总工会")
    with pytest.raises(CommandError) as error:
        run("create", "gonghui", "--role", "partner", *args, "--password-stdin",
            stdin=PASSWORD + "\n")
    assert error.value.returncode == 2 and says in str(error.value)
    assert not User.objects.filter(username="gonghui").exists()


def test_the_cli_refuses_an_organisation_at_a_town():
    with pytest.raises(CommandError) as error:
        run("partner-org", "北山街道总工会", "--kind", UNION, "--region", XIHU_TOWN)
    assert error.value.returncode == 2
    assert not PartnerOrganisation.objects.exists()


def test_the_membership_command_grants_and_revokes_a_partner(person):
    union = make_partner_organisation(XIHU, UNION, "西湖区总工会")
    call_command("membership", "grant", person.username, "partner", "--organisation",
                 "西湖区总工会", "--reason", "工会推荐", stdout=io.StringIO())
    assert Membership.objects.get(user=person).partner_organisation == union
    call_command("membership", "revoke", person.username, "partner", "--organisation",
                 "西湖区总工会", "--reason", "调离", stdout=io.StringIO())
    assert not Membership.objects.filter(user=person).exists()
    assert AuditEvent.objects.filter(action="accounts.revoke_membership").count() == 1
