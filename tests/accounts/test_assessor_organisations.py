"""Third-party assessor organisations (issue 10 point 1): an office registers the organisations it
hires, on /people/assessors/ and from the command line; the person page grants partner
memberships; /people/ pages its accounts and its pending invitations."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hexie.accounts.assessor_orgs import (
    assessor_organisations_in_scope,
    create_assessor_organisation,
    get_assessor_organisation,
)
from hexie.accounts.invitations import invite
from hexie.accounts.models import AssessorOrganisation, Invitation, Membership
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from tests.factories import (
    HANGZHOU,
    NANHU,
    XIHU,
    XIHU_TOWN,
    UnitFactory,
    make_organisation,
    make_partner_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db
CODE = "91330106MA2B0C1D2E"  # the GB 32100 shape


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county():
    return make_user("county_office", region=XIHU)


# --- the service -------------------------------------------------------------------------------

def test_a_county_registers_an_organisation_it_hires_audited(county):
    made = create_assessor_organisation(county, " 西湖  评估中心 ", CODE.lower(), XIHU)
    assert (made.name, made.credit_code, made.region_id) == ("西湖 评估中心", CODE, XIHU)
    event = AuditEvent.objects.get(action="accounts.create_assessor_organisation")
    assert event.actor_username == county.username and event.region_code == XIHU
    assert event.after["name"] == "西湖 评估中心" and event.after["credit_code"] == CODE
    assert get_assessor_organisation(county, made.pk) == made


def test_the_credit_code_is_optional(county):
    assert create_assessor_organisation(county, "西湖评估中心", "", XIHU).credit_code == ""


@pytest.mark.parametrize(("role", "region", "at"), [
    ("province_office", "33", "33"), ("province_office", "33", XIHU),
    ("city_office", HANGZHOU, HANGZHOU), ("city_office", HANGZHOU, XIHU),
])
def test_province_and_city_offices_register_at_their_level_and_below(role, region, at):
    office = make_user(role, region=region)
    assert create_assessor_organisation(office, "某评估机构", "", at).region_id == at


@pytest.mark.parametrize("region", [NANHU, HANGZHOU, "33"])
def test_outside_the_offices_division_is_404(county, region):
    with pytest.raises(OutOfScope):
        create_assessor_organisation(county, "某评估机构", CODE, region)
    assert not AssessorOrganisation.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.create_assessor_organisation").exists()


def test_another_countys_organisation_is_404(county):
    other = make_organisation(NANHU)
    with pytest.raises(OutOfScope):
        get_assessor_organisation(county, other.pk)
    with pytest.raises(OutOfScope):
        get_assessor_organisation(county, "x")
    assert other not in assessor_organisations_in_scope(county)


@pytest.mark.parametrize("region", [XIHU_TOWN, XIHU])
def test_a_town_office_registers_none(region):
    town = make_user("town_office", region=XIHU_TOWN)
    with pytest.raises(NotPermitted):
        create_assessor_organisation(town, "北山评估机构", "", region)
    assert not AssessorOrganisation.objects.exists()


@pytest.mark.parametrize("role", ["partner", "unit_admin", "assessor"])
def test_other_roles_register_none(role):
    actor = (make_user(role, region=XIHU) if role == "partner"
             else make_user(role, organisation=make_organisation()) if role == "assessor"
             else make_user(role, unit=UnitFactory(region_id=XIHU_TOWN)))
    with pytest.raises((NotPermitted, OutOfScope)):
        create_assessor_organisation(actor, "西湖评估中心", "", XIHU)
    assert not AssessorOrganisation.objects.filter(name="西湖评估中心").exists()


@pytest.mark.parametrize(("name", "code", "region", "field"), [
    ("", CODE, XIHU, "name"),
    ("某" * 201, CODE, XIHU, "name"),
    ("西湖评估中心", "9133010", XIHU, "credit_code"),           # too short
    ("西湖评估中心", CODE[:-1] + "I", XIHU, "credit_code"),     # I is not in the alphabet
    ("西湖评估中心", "0" + CODE[1:], XIHU, "credit_code"),      # no registering authority 0
    ("西湖评估中心", CODE, "", "region"),
    ("西湖评估中心", CODE, XIHU + "999", "region"),              # no such division
    ("西湖评估中心", CODE, XIHU_TOWN, "region"),                # a town
])
def test_bad_input_names_its_field(county, name, code, region, field):
    with pytest.raises(DomainError) as refusal:
        create_assessor_organisation(county, name, code, region)
    assert refusal.value.field == field
    assert not AssessorOrganisation.objects.exists()


def test_the_same_name_twice_is_refused_naming_it(county):
    make_organisation(NANHU)  # another county's organisations do not matter ...
    AssessorOrganisation.objects.create(name="浙江评估中心", region_id=NANHU)
    with pytest.raises(DomainError) as duplicate:  # ... but a name is unique everywhere
        create_assessor_organisation(county, "浙江评估中心", "", XIHU)
    assert (duplicate.value.field, duplicate.value.code) == ("name", "duplicate")
    assert "浙江评估中心" in str(duplicate.value.message)
    assert AssessorOrganisation.objects.filter(name="浙江评估中心").count() == 1


def test_the_system_names_a_reason():
    with pytest.raises(ValueError):
        create_assessor_organisation(None, "西湖评估中心", "", XIHU)
    assert create_assessor_organisation(None, "西湖评估中心", "", XIHU, reason="cli").pk


# --- the page ----------------------------------------------------------------------------------

def test_the_assessors_page_lists_in_scope_with_members_and_creates(client, county):
    ours = AssessorOrganisation.objects.create(name="西湖评估中心", region_id=XIHU)
    AssessorOrganisation.objects.create(name="南湖评估中心", region_id=NANHU)
    make_user("assessor", organisation=ours, username="pinggu1")
    gone = make_user("assessor", organisation=ours, username="pinggu2")
    gone.is_active = False
    gone.save()
    client.force_login(county)
    assert 'data-testid="assessors-link"' in client.get(reverse("people")).content.decode()
    page = client.get(reverse("people-assessors"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "西湖评估中心" in body and "南湖评估中心" not in body
    assert "pinggu1" in body and "pinggu2" in body and "已停用" in body
    assert f'name="region" id="id_region" value="{XIHU}"' in body
    made = client.post(reverse("people-assessors"),
                       {"name": "西湖第二评估中心", "credit_code": CODE, "region": XIHU})
    assert made.status_code == 302
    assert AssessorOrganisation.objects.get(name="西湖第二评估中心").credit_code == CODE


def test_another_countys_office_does_not_see_it(client, county):
    AssessorOrganisation.objects.create(name="西湖评估中心", region_id=XIHU)
    client.force_login(make_user("county_office", region=NANHU))
    assert "西湖评估中心" not in client.get(reverse("people-assessors")).content.decode()
    assert "西湖评估中心" not in client.get(reverse("people")).content.decode()


def test_the_assessors_page_shows_a_refusal_next_to_its_field(client, county):
    client.force_login(county)
    outside = client.post(reverse("people-assessors"),
                          {"name": "南湖评估中心", "credit_code": "", "region": NANHU})
    assert outside.status_code == 400
    assert "只能在本人管辖的区划内登记评估机构。" in outside.content.decode()
    bad = client.post(reverse("people-assessors"),
                      {"name": "西湖评估中心", "credit_code": "123", "region": XIHU})
    assert bad.status_code == 400 and "is-invalid" in bad.content.decode()
    assert "统一社会信用代码应为 18 位" in bad.content.decode()
    assert not AssessorOrganisation.objects.exists()


def test_a_town_office_is_refused_on_the_page(client):
    client.force_login(make_user("town_office", region=XIHU_TOWN))
    answer = client.post(reverse("people-assessors"),
                         {"name": "北山评估机构", "credit_code": "", "region": XIHU_TOWN})
    assert answer.status_code == 403
    assert not AssessorOrganisation.objects.exists()


def test_assessors_do_not_get_the_page(client):
    client.force_login(make_user("assessor", organisation=make_organisation()))
    assert client.get(reverse("people-assessors")).status_code == 403


def test_the_people_page_invites_an_assessor_of_an_organisation_in_scope(client, county):
    ours = AssessorOrganisation.objects.create(name="西湖评估中心", region_id=XIHU)
    other = AssessorOrganisation.objects.create(name="南湖评估中心", region_id=NANHU)
    client.force_login(county)
    page = client.get(reverse("people")).content.decode()
    assert "西湖评估中心" in page and "南湖评估中心" not in page
    answer = client.post(reverse("people"), {"role": "assessor", "organisation": str(ours.pk),
                                             "display_name": "李四"})
    assert answer.status_code == 200 and 'data-testid="invitation-link"' in answer.content.decode()
    assert Invitation.objects.get().organisation == ours
    refused = client.post(reverse("people"), {"role": "assessor",
                                              "organisation": str(other.pk)})
    assert refused.status_code == 400
    assert "请选择管辖范围内的评估机构。" in refused.content.decode()
    assert Invitation.objects.count() == 1


# --- the command line --------------------------------------------------------------------------

def run(*args) -> str:
    out = io.StringIO()
    call_command("accounts", *args, stdout=out)
    return out.getvalue()


def test_the_cli_registers_an_organisation():
    out = run("assessor-org", "西湖评估中心", "--region", XIHU, "--credit-code", CODE)
    assert "西湖评估中心" in out
    made = AssessorOrganisation.objects.get(name="西湖评估中心")
    assert (made.region_id, made.credit_code) == (XIHU, CODE)
    assert AuditEvent.objects.filter(action="accounts.create_assessor_organisation",
                                     actor_username="system").exists()


@pytest.mark.parametrize(("args", "says"), [
    (("--region", XIHU, "--credit-code", "123"), "统一社会信用代码"),
    (("--region", XIHU_TOWN), "评估机构只能登记在省、市或县"),
    (("--region", "330199"), "区划代码不存在"),
])
def test_the_cli_refuses_bad_input_with_exit_2(args, says):
    with pytest.raises(CommandError) as error:
        run("assessor-org", "西湖评估中心", *args)
    assert error.value.returncode == 2 and says in str(error.value)
    assert "\n" not in str(error.value)
    assert not AssessorOrganisation.objects.exists()


def test_the_cli_refuses_a_duplicate_with_exit_2():
    run("assessor-org", "西湖评估中心", "--region", XIHU)
    with pytest.raises(CommandError) as error:
        run("assessor-org", "西湖评估中心", "--region", HANGZHOU)
    assert error.value.returncode == 2 and "西湖评估中心" in str(error.value)


# --- the person page grants partner memberships ------------------------------------------------

def test_the_person_page_adds_a_partner_membership(client, county):
    union = make_partner_organisation(XIHU, "trade_union", "西湖区总工会")
    other = make_partner_organisation(NANHU, "trade_union", "南湖区总工会")
    town = make_user("town_office", region=XIHU_TOWN)
    client.force_login(county)
    page = client.get(reverse("people-detail", args=[town.pk])).content.decode()
    assert "西湖区总工会" in page and "南湖区总工会" not in page
    add = reverse("people-membership-add", args=[town.pk])
    refused = client.post(add, {"role": "partner", "partner_organisation": str(other.pk)})
    assert refused.status_code == 400
    assert "合作组织：请选择管辖范围内的合作组织。" in refused.content.decode()
    answer = client.post(add, {"role": "partner", "partner_organisation": str(union.pk),
                               "reason": "工会推荐"})
    assert answer.status_code == 302
    membership = Membership.objects.get(user=town, role="partner")
    assert (membership.partner_organisation, membership.region_id) == (union, XIHU)
    assert AuditEvent.objects.filter(action="accounts.grant_membership",
                                     object_id=str(membership.pk)).exists()
    assert "西湖区总工会" in client.get(reverse("people-detail", args=[town.pk])
                                      ).content.decode()


def test_the_person_page_refuses_an_assessor_organisation_out_of_scope(client, county):
    town = make_user("town_office", region=XIHU_TOWN)
    client.force_login(county)
    refused = client.post(reverse("people-membership-add", args=[town.pk]),
                          {"role": "assessor", "organisation": str(make_organisation(NANHU).pk)})
    assert refused.status_code == 400
    assert not Membership.objects.filter(user=town, role="assessor").exists()


# --- /people/ is paginated ---------------------------------------------------------------------

def _invitations(county, n):
    for i in range(n):
        invite(county, "town_office", region=XIHU_TOWN, display_name=f"邀请{i:03d}")


def _people_page_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(reverse("people"), params)
    assert answer.status_code == 200
    return len(queries), answer.content.decode()


def test_the_people_page_pages_invitations_with_bounded_queries(client, county):
    client.force_login(county)
    _invitations(county, 5)
    few, body = _people_page_queries(client)
    assert "（共 5 个）" in body and 'data-testid="invitations-pager"' not in body
    _invitations(county, 115)
    many, body = _people_page_queries(client)
    assert many == few
    assert "（共 120 个）" in body and 'data-testid="invitations-pager"' in body
    assert body.count("/withdraw/") == 50
    _, body = _people_page_queries(client, invitations_page=3)
    assert body.count("/withdraw/") == 20 and "第 3 / 3 页" in body
    assert "邀请000" in body  # the oldest last
    assert _people_page_queries(client, invitations_page="x")[1].count("/withdraw/") == 50


def test_the_people_page_pages_people_separately(client, county):
    for i in range(60):
        make_user("town_office", region=XIHU_TOWN, username=f"town{i:03d}")
    client.force_login(county)
    _invitations(county, 3)
    queries, body = _people_page_queries(client)
    assert "共 61 个账号" in body and 'data-testid="people-pager"' in body
    assert "town049" in body and "town050" not in body
    _, second = _people_page_queries(client, people_page=2, invitations_page=1)
    assert "town050" in second and "town059" in second and "town000" not in second
    assert second.count("/withdraw/") == 3  # the invitations keep their own page
    for i in range(60, 110):
        make_user("town_office", region=XIHU_TOWN, username=f"town{i:03d}")
    assert _people_page_queries(client)[0] == queries
