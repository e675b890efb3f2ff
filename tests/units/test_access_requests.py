"""Units asking for their login (issue 10 §2b): the public form, its checks and throttle, the
offices' to-do, list and API, and the approve/refuse state machine."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from hexie.accounts.invitations import find_invitation
from hexie.accounts.models import Invitation
from hexie.accounts.roles import Role
from hexie.core import worklist
from hexie.core.errors import DomainError, OutOfScope
from hexie.core.models import AuditEvent
from hexie.units import access
from hexie.units.models import AccessRequest
from tests.factories import NANHU, XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unit():
    return UnitFactory(region_id=XIHU_TOWN, name="西湖申请示例有限公司")


@pytest.fixture
def county():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


def form(unit, **changes):
    data = {"credit_code": unit.credit_code, "unit_name": unit.name,
            "legal_representative": "周法人", "contact_name": "吴联系",
            "phone": "13900000000", "email": "wu@example.com"}
    return data | changes


def submit(unit, **changes):
    return access.submit(form(unit, **changes), ip="203.0.113.9")


# --- the public form ------------------------------------------------------------------------

def test_sign_in_page_links_to_the_public_form(client):
    html = client.get(reverse("login")).content.decode()
    assert 'href="/units/request-access/"' in html and "单位申请开通账号" in html
    assert client.get("/units/request-access/").status_code == 200


def test_public_submission_is_recorded_and_audited_as_the_system(client, unit):
    data = form(unit, credit_code=unit.credit_code.lower())
    response = client.post("/units/request-access/", data, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert "申请已提交" in response.content.decode()
    request = AccessRequest.objects.get()
    assert (request.unit, request.state, request.region_code, request.ip) == (
        unit, "pending", XIHU_TOWN, "198.51.100.7")
    assert request.legal_representative == "周法人"
    event = AuditEvent.objects.get(action="units.access_request")
    assert (event.actor_id, event.actor_username, event.ip) == (None, "system", "198.51.100.7")
    assert event.after["ip"] == "198.51.100.7"


@pytest.mark.parametrize("changes, field, message", [
    ({"credit_code": ""}, "credit_code", "请填写统一社会信用代码。"),
    ({"credit_code": "91330106MA2H7K3P0X"}, "credit_code", "统一社会信用代码有误："),
    ({"legal_representative": ""}, "legal_representative", "请填写法定代表人姓名。"),
    ({"unit_name": ""}, "unit_name", "请填写单位名称。"),
    ({"contact_name": ""}, "contact_name", "请填写联系人姓名。"),
    ({"phone": "", "email": ""}, "phone", "联系电话和电子邮箱至少填写一项。"),
    ({"phone": "123"}, "phone", "联系电话格式不正确"),
    ({"email": "wu@"}, "email", "电子邮箱格式不正确。"),
])
def test_bad_input_names_the_field_and_writes_nothing(client, unit, changes, field, message):
    response = client.post("/units/request-access/", form(unit, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-testid="error-{field}">{message}' in html
    assert not AccessRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="units.access_request").exists()


def test_unregistered_credit_code_is_refused_pointing_to_the_county(client, unit):
    from tests.factories import credit_code

    with pytest.raises(DomainError) as exc:
        submit(unit, credit_code=credit_code(XIHU))
    assert exc.value.field == "credit_code" and exc.value.code == "not_registered"
    assert "请先联系所在县（市、区）三方办公室" in str(exc.value.message)
    assert not AccessRequest.objects.exists()


def test_one_phone_or_one_email_is_enough(unit):
    assert submit(unit, email="").phone == "13900000000"
    assert submit(unit, phone="", email="other@example.com", contact_name="郑").email


def test_duplicate_pending_request_for_the_same_unit_and_contact_is_refused(unit):
    submit(unit)
    with pytest.raises(DomainError) as exc:
        submit(unit, email="")  # same phone
    assert exc.value.code == "duplicate"
    with pytest.raises(DomainError):
        submit(unit, phone="", email="WU@example.com")  # same e-mail, any case
    submit(unit, contact_name="另一人", phone="13700000000", email="")  # another contact: fine
    assert AccessRequest.objects.count() == 2


def test_after_a_refusal_the_same_contact_may_ask_again(unit, county):
    first = submit(unit)
    access.refuse(county, first.pk, "法定代表人姓名不符")
    assert submit(unit).pk != first.pk


def test_public_form_is_throttled_per_address(client, unit, settings):
    settings.HEXIE_ACCESS_REQUESTS_PER_HOUR = 5
    for i in range(5):  # invalid submissions count too
        data = form(unit, phone="", email="", contact_name=f"人{i}")
        response = client.post("/units/request-access/", data, REMOTE_ADDR="192.0.2.1")
        assert response.status_code == 400
    response = client.post("/units/request-access/", form(unit), REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 429
    assert "提交过于频繁，请一小时后再试。" in response.content.decode()
    assert not AccessRequest.objects.exists()
    other = client.post("/units/request-access/", form(unit), REMOTE_ADDR="192.0.2.2")
    assert other.status_code == 200
    assert AccessRequest.objects.count() == 1


# --- the office's side ----------------------------------------------------------------------

def test_county_sees_the_todo_and_the_list(client, unit, county):
    submit(unit)
    submit(unit, contact_name="第二人", phone="13700000000", email="")
    todos = {t.key: t for t in worklist.todos_for(county)}
    todo = todos["units.access_requests"]
    assert (todo.title, todo.count, todo.url) == (
        "待审核的单位账号申请", 2, "/units/access-requests/")
    other = make_user(Role.COUNTY_OFFICE, region=NANHU)
    assert "units.access_requests" not in {t.key for t in worklist.todos_for(other)}
    client.force_login(county)
    html = client.get("/units/access-requests/").content.decode()
    assert "周法人" in html and "吴联系" in html and "第二人" in html
    assert "待审核的单位账号申请" in client.get("/").content.decode()


def test_unit_admin_and_other_county_see_nothing(client, unit):
    request = submit(unit)
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    client.force_login(admin)
    assert client.get("/units/access-requests/").status_code == 404
    assert client.post(f"/units/access-requests/{request.pk}/approve/").status_code == 404
    other = make_user(Role.COUNTY_OFFICE, region=NANHU)
    client.force_login(other)
    html = client.get("/units/access-requests/").content.decode()
    assert "吴联系" not in html
    assert client.post(f"/units/access-requests/{request.pk}/approve/").status_code == 404
    assert client.post(f"/units/access-requests/{request.pk}/refuse/",
                       {"reason": "不符"}).status_code == 404
    with pytest.raises(OutOfScope):
        access.approve(other, request.pk)
    request.refresh_from_db()
    assert request.state == "pending"


def test_approve_makes_an_invitation_shown_once_and_mailed(client, unit, county, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    request = submit(unit)
    client.force_login(county)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/units/access-requests/{request.pk}/approve/")
    assert response.status_code == 200
    html = response.content.decode()
    link = html.split('id="invite-link">')[1].split("<")[0]
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decided_at is not None) == (
        "approved", county, True)
    invitation = find_invitation(link.rstrip("/").rsplit("/", 1)[-1])
    assert invitation == request.invitation
    assert (invitation.role, invitation.unit, invitation.display_name, invitation.email,
            invitation.created_by) == (Role.UNIT_ADMIN, unit, "吴联系", "wu@example.com", county)
    assert invitation.contact.phone == "13900000000"
    assert [m.to for m in mailoutbox] == [["wu@example.com"]] and link in mailoutbox[0].body
    assert link not in client.get("/units/access-requests/").content.decode()
    events = AuditEvent.objects.filter(action="units.approve_access_request")
    assert events.get().actor_id == county.pk


def test_no_double_decision(unit, county):
    request = submit(unit)
    access.approve(county, request.pk)
    with pytest.raises(DomainError) as exc:
        access.approve(county, request.pk)
    assert exc.value.code == "decided" and "已同意" in str(exc.value.message)
    with pytest.raises(DomainError) as exc:
        access.refuse(county, request.pk, "迟到的拒绝")
    assert exc.value.code == "decided"
    assert Invitation.objects.count() == 1


def test_refuse_needs_a_reason_and_mails_it(client, unit, county, mailoutbox,
                                            django_capture_on_commit_callbacks):
    request = submit(unit)
    with pytest.raises(DomainError) as exc:
        access.refuse(county, request.pk, "  ")
    assert (exc.value.field, str(exc.value.message)) == ("reason", "拒绝时必须填写理由。")
    client.force_login(county)
    response = client.post(f"/units/access-requests/{request.pk}/refuse/", {"reason": ""})
    assert response.status_code == 400 and "拒绝时必须填写理由。" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/units/access-requests/{request.pk}/refuse/",
                               {"reason": "法定代表人姓名与营业执照不符"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.state, request.reason, request.decided_by) == (
        "refused", "法定代表人姓名与营业执照不符", county)
    assert mailoutbox[0].to == ["wu@example.com"]
    assert "法定代表人姓名与营业执照不符" in mailoutbox[0].body
    assert not Invitation.objects.exists()
    with pytest.raises(DomainError):
        access.approve(county, request.pk)


# --- API ------------------------------------------------------------------------------------

def test_api_list_approve_refuse(unit, county):
    first, second = submit(unit), submit(unit, contact_name="第二人", phone="13700000000",
                                          email="")
    api = APIClient()
    api.force_authenticate(county)
    listed = api.get("/api/v1/access-requests/").json()
    assert [r["id"] for r in listed["results"]] == [first.pk, second.pk]
    assert listed["results"][0]["legal_representative"] == "周法人"
    approved = api.post(f"/api/v1/access-requests/{first.pk}/approve/")
    assert approved.status_code == 200
    assert approved.json()["request"]["state"] == "approved"
    assert find_invitation(approved.json()["invitation_link"].rstrip("/").rsplit("/", 1)[-1])
    again = api.post(f"/api/v1/access-requests/{first.pk}/approve/")
    assert again.status_code == 400 and again.json()["code"] == "decided"
    missing = api.post(f"/api/v1/access-requests/{second.pk}/refuse/", {"reason": ""},
                       format="json")
    assert missing.status_code == 400
    assert (missing.json()["field"], missing.json()["code"]) == ("reason", "required")
    assert missing.json()["errors"] == {"reason": ["拒绝时必须填写理由。"]}
    refused = api.post(f"/api/v1/access-requests/{second.pk}/refuse/", {"reason": "不符"},
                       format="json")
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert api.get("/api/v1/access-requests/").json()["results"] == []


def test_api_other_county_gets_404(unit):
    request = submit(unit)
    api = APIClient()
    api.force_authenticate(make_user(Role.COUNTY_OFFICE, region=NANHU))
    assert api.get("/api/v1/access-requests/").json()["results"] == []
    for action in ("approve", "refuse"):
        response = api.post(f"/api/v1/access-requests/{request.pk}/{action}/", {"reason": "x"},
                            format="json")
        assert response.status_code == 404
        assert set(response.json()) == {"detail", "code"}
    assert api.get(f"/api/v1/access-requests/{request.pk}/").status_code == 404
