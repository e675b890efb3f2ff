"""Unit-admin invitations alongside an import (issue 10 §2a, bulk): contact columns, all or
nothing, one bulk audit event, the private XLSX list (text cells only), who may download it,
and its deletion when the invitations expire."""

from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from hexie.accounts.invitations import find_invitation
from hexie.accounts.models import Invitation
from hexie.accounts.roles import Role
from hexie.core.models import AuditEvent
from hexie.units.invitations import LIST_HEADER, purge_expired_lists
from hexie.units.models import ImportJob, InvitationContact, Unit
from tests.factories import HANGZHOU, NANHU, XIHU, make_user
from tests.units.test_import import ZH_HEADER, csv_bytes, enterprise, run_import

pytestmark = pytest.mark.django_db

HEADER = [*ZH_HEADER, "联系人姓名", "联系电话", "电子邮箱"]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HEXIE_PRIVATE_ROOT = tmp_path / "private"
    return settings.HEXIE_PRIVATE_ROOT


@pytest.fixture
def office(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)
    return user


def rows_with_contacts():
    return [
        [*enterprise("甲公司"), "张三", "13800000001", "zhang@example.com"],
        [*enterprise("乙公司"), "=1+1", "0571-87000001", ""],
        [*enterprise("丙公司"), "王五", "", "wang@example.com"],
    ]


def import_with_invitations(client, rows=None, header=HEADER, invite=True):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile("名单.csv", csv_bytes(header, rows or rows_with_contacts()))}
    if invite:
        data["invite"] = "on"
    client.post("/units/import/", data)
    return ImportJob.objects.latest("id")


def workbook_rows(response):
    import io

    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    # an empty text cell reads back as None
    return sheet, [[c.value or "" for c in row] for row in sheet.iter_rows()]


def test_import_makes_one_invitation_per_unit_and_a_text_only_list(client, office, storage):
    job = import_with_invitations(client)
    assert (job.status, job.imported, job.invitations) == ("succeeded", 3, 3)
    assert job.region_code == "330106002"
    invitations = list(Invitation.objects.order_by("id"))
    units = list(Unit.objects.order_by("id"))
    assert [i.unit_id for i in invitations] == [u.pk for u in units]
    assert {i.role for i in invitations} == {Role.UNIT_ADMIN}
    assert {i.created_by_id for i in invitations} == {office.pk}
    assert [i.display_name for i in invitations] == ["张三", "=1+1", "王五"]
    assert list(InvitationContact.objects.order_by("invitation_id").values_list(
        "phone", "job_id")) == [("13800000001", job.pk), ("0571-87000001", job.pk),
                                ("", job.pk)]
    # stored privately, not under MEDIA_ROOT
    path = storage / job.invitation_file
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"

    page = client.get(f"/units/import/jobs/{job.pk}/").content.decode()
    assert "已生成 3 个单位经办人邀请" in page
    response = client.get(f"/units/import/jobs/{job.pk}/invitations.xlsx")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    sheet, rows = workbook_rows(response)
    assert rows[0] == list(LIST_HEADER)
    assert [r[:5] for r in rows[1:]] == [
        ["甲公司", units[0].credit_code, "张三", "13800000001", "zhang@example.com"],
        ["乙公司", units[1].credit_code, "=1+1", "0571-87000001", ""],
        ["丙公司", units[2].credit_code, "王五", "", "wang@example.com"],
    ]
    # every cell is text: no formula anywhere, even for "=1+1"
    assert {c.data_type for row in sheet.iter_rows() for c in row if c.value} == {"s"}
    assert sheet["C3"].value == "=1+1" and sheet["C3"].data_type == "s"
    for row, invitation in zip(rows[1:], invitations, strict=True):
        token = row[5].rstrip("/").rsplit("/", 1)[-1]
        assert find_invitation(token).pk == invitation.pk
        assert row[6] == timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")


def test_one_audit_event_for_the_batch_and_one_per_download(client, office):
    job = import_with_invitations(client)
    bulk = AuditEvent.objects.filter(action="accounts.invite_bulk").get()
    assert (bulk.after["count"], bulk.after["job_id"], bulk.actor_id) == (3, job.pk, office.pk)
    assert not AuditEvent.objects.filter(action="accounts.invite").exists()
    assert AuditEvent.objects.get(action="units.import").after["invitations"] == 3
    for _ in range(2):
        assert client.get(f"/units/import/jobs/{job.pk}/invitations.xlsx").status_code == 200
    downloads = AuditEvent.objects.filter(action="units.download_invitation_list")
    assert downloads.count() == 2 and {e.actor_id for e in downloads} == {office.pk}


@pytest.mark.parametrize("contact, column, message", [
    (["", "13800000001", ""], "联系人姓名", "请填写联系人姓名。"),
    (["张三", "", ""], "联系电话", "联系电话和电子邮箱至少填写一项。"),
    (["张三", "12345", ""], "联系电话", "联系电话格式不正确，应为 11 位手机号或带区号的固定电话。"),
    (["张三", "", "bad@"], "电子邮箱", "电子邮箱格式不正确。"),
])
def test_bad_contact_data_imports_nothing(client, office, storage, contact, column, message):
    rows = rows_with_contacts()
    rows[1] = [*enterprise("乙公司"), *contact]
    job = import_with_invitations(client, rows)
    assert job.status == "failed"
    assert job.errors == [{"row": 3, "column": column, "message": message}]
    assert not Unit.objects.exists()
    assert not Invitation.objects.exists()
    assert not job.invitation_file
    assert not list(storage.rglob("*.xlsx"))


def test_invite_needs_the_contact_columns(client, office):
    job = import_with_invitations(client, [enterprise("甲公司")], header=ZH_HEADER)
    assert job.status == "failed"
    assert [e["message"] for e in job.errors] == [
        "生成单位经办人邀请时，缺少必需的列“联系人姓名”",
        "生成单位经办人邀请时，须有“联系电话”或“电子邮箱”列"]
    assert not Unit.objects.exists()


def test_without_invite_the_contact_columns_are_accepted_and_ignored(client, office):
    rows = rows_with_contacts()
    rows[0][-3:] = ["", "bad phone", ""]  # not checked when no invitation is made
    job = import_with_invitations(client, rows, invite=False)
    assert (job.status, job.imported, job.invitations) == ("succeeded", 3, 0)
    assert not Invitation.objects.exists()
    assert client.get(f"/units/import/jobs/{job.pk}/invitations.xlsx").status_code == 404


def test_download_by_another_office_is_404_and_a_covering_office_may(client, office):
    job = import_with_invitations(client)
    client.force_login(make_user(Role.COUNTY_OFFICE, region=NANHU))
    assert client.get(f"/units/import/jobs/{job.pk}/invitations.xlsx").status_code == 404
    client.force_login(make_user(Role.PARTNER, region=XIHU))
    assert client.get(f"/units/import/jobs/{job.pk}/invitations.xlsx").status_code == 404
    client.force_login(make_user(Role.CITY_OFFICE, region=HANGZHOU))
    assert client.get(f"/units/import/jobs/{job.pk}/invitations.xlsx").status_code == 200
    assert AuditEvent.objects.filter(action="units.download_invitation_list").count() == 1


def test_expired_list_is_deleted_on_access_and_by_the_daily_task(client, office, storage):
    first = import_with_invitations(client)
    rows = [[*enterprise("丁公司"), "赵六", "13800000009", ""]]
    second = import_with_invitations(client, rows)
    past = timezone.now() - timedelta(seconds=1)
    ImportJob.objects.filter(pk=first.pk).update(invitations_expire_at=past)
    response = client.get(f"/units/import/jobs/{first.pk}/invitations.xlsx")
    assert response.status_code == 410
    first.refresh_from_db()
    assert first.invitation_file == ""
    assert len(list(storage.rglob("*.xlsx"))) == 1
    ImportJob.objects.filter(pk=second.pk).update(invitations_expire_at=past)
    assert purge_expired_lists() == 1
    assert not list(storage.rglob("*.xlsx"))
    assert "邀请已过期，邀请清单已删除。" in client.get(
        f"/units/import/jobs/{second.pk}/").content.decode()


def test_cli_import_with_invite(tmp_path, storage):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes(HEADER, rows_with_contacts()))
    code, out, err = run_import(path, "--invite")
    assert code == 0, err
    assert "已导入 3 个单位。" in out and "已生成 3 个单位经办人邀请" in out
    assert Invitation.objects.filter(created_by=None).count() == 3
    assert AuditEvent.objects.get(action="accounts.invite_bulk").actor_username == "system"
    assert len(list(storage.rglob("*.xlsx"))) == 1


def test_cli_import_with_invite_and_bad_contact_exits_2(tmp_path, storage):
    rows = rows_with_contacts()
    rows[2][-3:] = ["王五", "", ""]
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes(HEADER, rows))
    code, _out, err = run_import(path, "--invite")
    assert code == 2
    assert "第 4 行[联系电话]：联系电话和电子邮箱至少填写一项。" in err
    assert not Unit.objects.exists() and not Invitation.objects.exists()


def test_big_load_path_matches_units_and_contacts(client, office, settings):
    """PostgreSQL's big-load path (indexes dropped and rebuilt) gives the same pairing."""
    settings.HEXIE_IMPORT_BULK_ROWS = 1
    job = import_with_invitations(client)
    assert (job.status, job.invitations) == ("succeeded", 3)
    pairs = {(i.unit.name, i.display_name) for i in Invitation.objects.select_related("unit")}
    assert pairs == {("甲公司", "张三"), ("乙公司", "=1+1"), ("丙公司", "王五")}
