"""`hexie accounts create|deactivate|reactivate` (issue 10 point 7): the system actor, audited;
bad input exits 2 with one Chinese line and writes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from hexie.accounts.invitations import accept_invitation
from hexie.accounts.models import Invitation, Membership, User
from hexie.core.models import AuditEvent
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_organisation, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "Qingshan-2026!"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args, stdin: str | None = None) -> str:
    out = io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("accounts", *args, stdout=out, **extra)
    return out.getvalue()


def refused(*args, stdin: str | None = None) -> str:
    with pytest.raises(CommandError) as error:
        run(*args, stdin=stdin)
    assert error.value.returncode == 2
    message = str(error.value)
    assert "\n" not in message
    return message


def test_the_first_province_account_with_one_command(client):
    out = run("create", "admin", "--role", "province_office", "--region", "33",
              "--password-stdin", stdin=PASSWORD + "\n")
    assert "admin" in out
    admin = User.objects.get(username="admin")
    assert Membership.objects.filter(user=admin, role="province_office", region_id="33").exists()
    assert client.post(reverse("login"), {"username": "admin", "password": PASSWORD}
                       ).status_code == 302
    grant = AuditEvent.objects.get(action="accounts.grant_membership")
    assert grant.actor_username == "system" and grant.after["reason"] == "cli"
    assert AuditEvent.objects.filter(action="accounts.create_account").exists()


def test_without_a_password_it_prints_an_invitation_link(settings):
    settings.HEXIE_BASE_URL = "https://hexie.example.gov.cn"
    unit = UnitFactory(region_id=XIHU_TOWN, credit_code="91330106MA2XXXXX1A")
    out = run("create", "hr01", "--role", "unit_admin", "--unit", "91330106ma2xxxxx1a",
              "--email", "hr@example.com")
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://hexie.example.gov.cn/invite/")
    invitation = Invitation.objects.get()
    assert invitation.unit == unit and invitation.username == "hr01"
    assert invitation.created_by is None
    person = accept_invitation(link.rstrip("/").rsplit("/", 1)[-1], "other", PASSWORD)
    assert person.username == "hr01"
    assert Membership.objects.filter(user=person, role="unit_admin", unit=unit).exists()


def test_an_assessor_account_names_its_organisation():
    organisation = make_organisation(XIHU)
    run("create", "pinggu1", "--role", "assessor", "--org", organisation.name,
        "--password-stdin", stdin=PASSWORD)
    assert Membership.objects.filter(user__username="pinggu1",
                                     organisation=organisation).exists()


@pytest.mark.parametrize(("args", "words"), [
    (["--role", "mayor", "--region", "33"], "未知角色"),
    (["--role", "province_office", "--region", XIHU], "层级"),
    (["--role", "county_office", "--region", "339999"], "区划代码不存在"),
    (["--role", "county_office"], "区划"),
    (["--role", "unit_admin", "--unit", "000000000000000000"], "没有统一社会信用代码"),
    (["--role", "assessor", "--org", "无此机构"], "没有名为"),
])
def test_bad_input_exits_2_and_writes_nothing(args, words):
    message = refused("create", "someone", *args, "--password-stdin", stdin=PASSWORD)
    assert words in message
    message = refused("create", "someone", *args)
    assert words in message
    assert not User.objects.filter(username="someone").exists()
    assert not Invitation.objects.exists() and not AuditEvent.objects.exists()


def test_an_existing_username_or_a_weak_password_exits_2():
    make_user("county_office", region=XIHU, username="taken")
    assert "已被使用" in refused("create", "taken", "--role", "county_office", "--region", XIHU,
                                "--password-stdin", stdin=PASSWORD)
    assert "已被使用" in refused("create", "Taken", "--role", "county_office", "--region", XIHU)
    refused("create", "fresh", "--role", "county_office", "--region", XIHU, "--password-stdin",
            stdin="12345678")
    assert not User.objects.filter(username="fresh").exists()
    assert not AuditEvent.objects.exists()


def test_deactivate_and_reactivate_by_username():
    person = make_user("town_office", region=XIHU_TOWN, username="beishan")
    assert "已停用" in run("deactivate", "beishan")
    person.refresh_from_db()
    assert not person.is_active
    assert "已停用" in refused("deactivate", "beishan")
    run("reactivate", "beishan")
    person.refresh_from_db()
    assert person.is_active
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "accounts.deactivate", "accounts.reactivate"]
    assert "不存在" in refused("deactivate", "nobody")
