"""The `hexie` console commands: the entry point, `up`, `audit verify`."""

import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from hexie.accounts.models import Membership, User
from hexie.accounts.roles import Role
from hexie.campaigns.models import CampaignYear, LetterDelivery, Pledge
from hexie.core.audit import verify
from hexie.core.models import AuditEvent
from hexie.site.demo import DEMO_PLEDGES
from hexie.units import credit_code as cc
from hexie.units import services
from hexie.units.models import Unit
from tests.factories import XIHU, XIHU_TOWN, make_user

HEXIE = Path(sys.executable).parent / "hexie"


def park(name):
    return {"kind": "industrial_park", "name": name, "region_code": XIHU_TOWN}


@pytest.mark.django_db
def test_audit_verify_on_an_intact_chain():
    office = make_user(Role.COUNTY_OFFICE, region=XIHU)
    unit = services.create_unit(office, park("示例园区甲"))
    services.create_unit(office, park("示例园区乙"))
    services.update_unit(office, unit, {"name": "示例园区丙"})
    assert AuditEvent.objects.count() == 3
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "审计链完整：已校验 3 条事件。"


@pytest.mark.django_db
def test_audit_verify_on_an_empty_chain():
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "审计链完整：已校验 0 条事件。"


def test_console_entry_point_lists_the_commands():
    assert HEXIE.exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run([str(HEXIE), "help"], capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    commands = {line.strip() for line in result.stdout.splitlines() if line.startswith("    ")}
    assert {"up", "units", "seed", "audit", "regions", "demo", "migrate"} <= commands


def test_console_entry_point_runs_a_command():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run([str(HEXIE), "units", "--help"], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "{import,export,refresh-search}" in result.stdout


@pytest.fixture
def static_root(settings, tmp_path):
    # `up` collects static files; keep them out of the checkout's var/, and use the
    # production (manifest) storage so the manifest it writes can be checked.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return settings.STATIC_ROOT


DEMO_USERS = {
    "sheng": Role.PROVINCE_OFFICE, "hangzhou": Role.CITY_OFFICE, "xihu": Role.COUNTY_OFFICE,
    "nanhu": Role.COUNTY_OFFICE, "beishan": Role.TOWN_OFFICE, "xietiao": Role.COORDINATOR,
    "pinggu": Role.ASSESSOR, "gonghui": Role.PARTNER, "qiye": Role.UNIT_ADMIN,
}


@pytest.mark.django_db
def test_up_without_serving_prepares_everything_and_is_idempotent(static_root):
    out = io.StringIO()
    call_command("up", "--no-serve", stdout=out)
    text = out.getvalue()
    password = settings.HEXIE_DEMO_PASSWORD
    assert f"演示账号（密码均为 {password}）：" in text
    assert "演示环境：未启用双因素认证" in text
    printed = {line.split()[0] for line in text.splitlines() if line.startswith("  ")}
    assert printed == set(DEMO_USERS)
    # One account per role, and a second county office; the demo's pledging units have admins
    # who cannot sign in (they exist so that each demo pledge went through the service).
    pledgers = User.objects.filter(username__startswith="demo-unit-")
    assert pledgers.count() == DEMO_PLEDGES
    assert not any(u.has_usable_password() for u in pledgers)
    assert User.objects.exclude(pk__in=pledgers).count() == 9
    memberships = dict(Membership.objects.exclude(user__in=pledgers)
                       .values_list("user__username", "role"))
    assert memberships == DEMO_USERS
    assert Counter(memberships.values())[Role.COUNTY_OFFICE] == 2
    # every role a person holds (an API token's service role is not a person's)
    assert set(memberships.values()) == set(Role.values) - {Role.API_CLIENT}
    assert User.objects.get(username="xihu").check_password(password)
    assert Membership.objects.get(user__username="nanhu").region_id == "330402"
    units = Unit.objects.count()
    assert units >= 4000
    assert (static_root / "staticfiles.json").exists()
    # Again: nothing more is created.
    out = io.StringIO()
    call_command("up", "--no-serve", stdout=out)
    assert f"演示账号（密码均为 {password}）：" in out.getvalue()
    assert User.objects.count() == 9 + DEMO_PLEDGES
    assert Membership.objects.count() == 9 + DEMO_PLEDGES
    assert Unit.objects.count() == units
    assert CampaignYear.objects.count() == 1


@pytest.mark.django_db
def test_up_without_demo_creates_no_accounts(static_root):
    out = io.StringIO()
    call_command("up", "--no-serve", "--no-demo", stdout=out)
    assert "演示账号" not in out.getvalue()
    assert "未启用双因素认证" not in out.getvalue()
    assert out.getvalue().startswith("数据库：")
    assert not User.objects.exists()
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_demo_county_office_sees_its_county(client, static_root):
    call_command("up", "--no-serve", stdout=io.StringIO())
    client.force_login(User.objects.get(username="xihu"))
    response = client.get("/api/v1/units/", {"region": "33"})
    xihu_units = Unit.objects.filter(region__code__startswith=XIHU).count()
    assert response.json()["count"] == xihu_units
    assert xihu_units > 1000
    # The demo unit admin's own unit exists with a valid code.
    admin_unit = Membership.objects.get(user__username="qiye").unit
    assert cc.is_valid(admin_unit.credit_code)
    assert admin_unit.region_id == XIHU_TOWN
    # An open campaign: the letter reached every 西湖区 unit (the demo unit admin's too), a few
    # units pledged and sit in the plan, and the audit chain holds.
    campaign = CampaignYear.objects.get(region_id=XIHU)
    letter = campaign.letters.get()
    assert (letter.status, letter.delivered_count) == ("sent", xihu_units)
    assert LetterDelivery.objects.filter(letter=letter, unit=admin_unit).exists()
    assert Pledge.objects.filter(campaign=campaign, cultivation__isnull=False).count() \
        == DEMO_PLEDGES
    assert not Pledge.objects.filter(unit=admin_unit).exists()  # left for the visitor to try
    assert verify().ok


def test_the_demo_server_runs_without_two_factor_unless_told_otherwise():
    from hexie.site.management.commands.up import server_environment

    assert server_environment({}, demo=True)["HEXIE_REQUIRE_2FA"] == "false"
    assert server_environment({"HEXIE_REQUIRE_2FA": "true"}, demo=True)[
        "HEXIE_REQUIRE_2FA"] == "true"
    assert "HEXIE_REQUIRE_2FA" not in server_environment({}, demo=False)
