"""Checking an evidence upload: a type the policy allows, within the size limit, and content
that really is what the file name says (file signature; for docx/xlsx the OOXML package
parts)."""

from django.core.files.uploadedfile import UploadedFile

from hexie.core.errors import DomainError
from hexie.core.files import content_matches, sha256_of

from . import policy

__all__ = ["LABELS", "check_file", "sha256_of"]

LABELS = {"pdf": "PDF", "png": "PNG 图片", "jpeg": "JPEG 图片", "docx": "Word（docx）",
          "xlsx": "Excel（xlsx）", "doc": "Word（doc）", "xls": "Excel（xls）"}


def check_file(upload: UploadedFile | None) -> str:
    """Return the file's type code, or refuse naming what is wrong (field ``file``)."""
    rules = policy.current()
    if upload is None:
        raise DomainError("请选择要上传的证明材料文件。", field="file", code="no_file")
    file_type = rules.type_of(upload.name)
    if file_type is None:
        types = rules.accept.replace(",", "、")
        raise DomainError(f"证明材料只接受以下类型：{types}。", field="file", code="file_type")
    if upload.size > rules.max_bytes:
        mb = rules.max_bytes // (1024 * 1024)
        raise DomainError(f"证明材料文件过大：不能超过 {mb} MB。", field="file", code="file_size")
    if upload.size == 0 or not content_matches(upload, file_type):
        label = LABELS.get(file_type, file_type)
        raise DomainError(f"文件内容与扩展名不符：这不是真实的 {label} 文件。", field="file",
                          code="file_signature")
    return file_type
