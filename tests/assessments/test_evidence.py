"""Evidence uploads: every type with a good and a bad signature, oversize, wrong extension,
unknown item, an item that asks for no evidence, the per-item limit; sha256 stored; nothing
written on a refusal."""

import hashlib

import pytest

from hexie.assessments import policy, services
from hexie.assessments.models import Evidence
from hexie.core.errors import DomainError
from hexie.core.models import AuditEvent

from .conftest import DOCX, JPEG, OLE2, PDF, PNG, XLSX, load_baseline_version, ooxml, upload

pytestmark = pytest.mark.django_db

GOOD = [("a.pdf", PDF, "pdf"), ("a.png", PNG, "png"), ("a.jpg", JPEG, "jpeg"),
        ("a.JPEG", JPEG, "jpeg"), ("a.docx", DOCX, "docx"), ("a.xlsx", XLSX, "xlsx"),
        ("a.doc", OLE2, "doc"), ("a.xls", OLE2, "xls")]


def nothing_written(media_root):
    assert not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(action="assessments.evidence_upload").exists()
    folder = media_root / "evidence"
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


@pytest.mark.parametrize(("name", "content", "file_type"), GOOD)
def test_each_type_with_its_signature_is_accepted(draft, unit_admin, media_root, name, content,
                                                  file_type):
    row = services.upload_evidence(unit_admin, draft, "EL-01.1", upload(name, content))
    assert row.file_type == file_type and row.size == len(content)
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    assert row.original_name == name and row.uploaded_by == unit_admin
    stored = media_root / row.file.name
    assert stored.read_bytes() == content
    assert row.file.name.startswith("evidence/")
    event = AuditEvent.objects.get(action="assessments.evidence_upload")
    assert event.after["sha256"] == row.sha256


@pytest.mark.parametrize(("name", "content"), [
    ("a.pdf", PNG), ("a.png", PDF), ("a.jpg", PDF), ("a.docx", XLSX), ("a.xlsx", DOCX),
    ("a.docx", PDF), ("a.xlsx", b"PK\x03\x04garbage"), ("a.doc", PDF), ("a.xls", DOCX),
    ("a.docx", ooxml("word/")[:40]), ("a.pdf", b""),
])
def test_a_renamed_file_is_refused(draft, unit_admin, media_root, name, content):
    with pytest.raises(DomainError) as err:
        services.upload_evidence(unit_admin, draft, "EL-01.1", upload(name, content))
    assert err.value.code == "file_signature" and err.value.field == "file"
    assert "扩展名不符" in err.value.message
    nothing_written(media_root)


def test_a_zip_without_content_types_is_not_a_docx(draft, unit_admin, media_root):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    with pytest.raises(DomainError) as err:
        services.upload_evidence(unit_admin, draft, "EL-01.1", upload("a.docx", buffer.getvalue()))
    assert err.value.code == "file_signature"
    nothing_written(media_root)


@pytest.mark.parametrize("name", ["a.exe", "a.html", "a.svg", "a.pdf.exe", "noext", "a.zip"])
def test_other_extensions_are_refused(draft, unit_admin, media_root, name):
    with pytest.raises(DomainError) as err:
        services.upload_evidence(unit_admin, draft, "EL-01.1", upload(name, PDF))
    assert err.value.code == "file_type" and ".pdf" in err.value.message
    nothing_written(media_root)


def test_size_limit_is_inclusive(draft, unit_admin, media_root, monkeypatch):
    rules = policy.current()
    limit = len(PDF) + 10
    monkeypatch.setattr(policy, "current", lambda: type(rules)(
        rules.version, rules.source, limit, rules.max_files_per_item, rules.types))
    exact = PDF + b"\n" * 10
    services.upload_evidence(unit_admin, draft, "EL-01.1", upload("ok.pdf", exact))
    with pytest.raises(DomainError) as err:
        services.upload_evidence(unit_admin, draft, "EL-01.2", upload("big.pdf", exact + b"\n"))
    assert err.value.code == "file_size" and "过大" in err.value.message
    assert Evidence.objects.count() == 1


def test_the_shipped_limit_is_read_from_the_yaml():
    rules = policy.current()
    assert rules.version == "zj-evidence-v1"
    assert rules.max_bytes == 20 * 1024 * 1024
    assert set(rules.types) == {"pdf", "png", "jpeg", "docx", "xlsx", "doc", "xls"}


def test_no_file_is_refused(draft, unit_admin):
    with pytest.raises(DomainError) as err:
        services.upload_evidence(unit_admin, draft, "EL-01.1", None)
    assert err.value.code == "no_file"


@pytest.mark.parametrize("item_id", ["EL-99.1", "ES-01.1", "CP-02.1", "", "EL-01"])
def test_an_item_outside_the_units_sets_is_refused(draft, unit_admin, media_root, item_id):
    with pytest.raises(DomainError) as err:
        services.upload_evidence(unit_admin, draft, item_id, upload())
    assert err.value.code == "unknown_item" and err.value.field == "item_id"
    assert "不属于本单位适用的创建标准" in err.value.message
    nothing_written(media_root)


def test_an_item_that_asks_for_no_evidence_is_refused(pledge, unit, unit_admin, year, tmp_path,
                                                      media_root):
    def no_evidence(item, set_id):
        if item["id"] == "EL-01.1":
            item.pop("evidence", None)

    load_baseline_version(tmp_path, 2, no_evidence)
    sa = services.start_draft(unit_admin, unit, year)
    assert sa.standard.version == 2
    with pytest.raises(DomainError) as err:
        services.upload_evidence(unit_admin, sa, "EL-01.1", upload())
    assert err.value.code == "unknown_item" and "不要求上传证明材料" in err.value.message
    nothing_written(media_root)


def test_files_per_item_are_limited(draft, unit_admin):
    limit = policy.current().max_files_per_item
    for n in range(limit):
        services.upload_evidence(unit_admin, draft, "EL-01.1", upload(f"{n}.pdf"))
    with pytest.raises(DomainError) as err:
        services.upload_evidence(unit_admin, draft, "EL-01.1", upload("one-more.pdf"))
    assert err.value.code == "too_many_files"
    assert Evidence.objects.filter(item_id="EL-01.1").count() == limit
