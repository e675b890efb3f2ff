"""Checking a remediation evidence upload: a type of the health-check policy, within its size
limit, and content that really is what the name says. The signature check (magic bytes; the
OOXML package parts for docx/xlsx) is the platform's one (hexie.core.files)."""

from django.core.files.uploadedfile import UploadedFile

from hexie.core.errors import DomainError
from hexie.core.files import content_matches, sha256_of

from . import policy

__all__ = ["check_evidence", "sha256_of"]


def check_evidence(upload: UploadedFile | None) -> str:
    """The file's type code, or a refusal naming what is wrong (field ``evidence``)."""
    rules = policy.current()
    if upload is None:
        raise DomainError("请上传整改证明材料（PDF、图片、Word 或 Excel 文件）。",
                          field="evidence", code="no_file")
    kind = rules.type_of(upload.name)
    if kind is None:
        raise DomainError(f"整改材料只接受以下类型：{rules.accept.replace(',', '、')}。",
                          field="evidence", code="file_type")
    if upload.size > rules.evidence_max_bytes:
        mb = rules.evidence_max_bytes // (1024 * 1024)
        raise DomainError(f"整改材料文件过大：不能超过 {mb} MB。", field="evidence",
                          code="file_size")
    if not upload.size or not content_matches(upload, kind):
        raise DomainError("整改材料文件内容与扩展名不符，请上传真实的文件。", field="evidence",
                          code="file_signature")
    return kind
