"""Checking an evidence upload: a type the policy allows, within the size limit, and content
that really is what the file name says (file signature; for docx/xlsx the OOXML package
parts)."""

import hashlib
import zipfile

from django.core.files.uploadedfile import UploadedFile

from hexie.core.errors import DomainError

from . import policy

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
    "doc": OLE2,
    "xls": OLE2,
}
# OOXML: a ZIP holding [Content_Types].xml and the part folder of its application.
_OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/"}
LABELS = {"pdf": "PDF", "png": "PNG 图片", "jpeg": "JPEG 图片", "docx": "Word（docx）",
          "xlsx": "Excel（xlsx）", "doc": "Word（doc）", "xls": "Excel（xls）"}


def _ooxml_ok(upload: UploadedFile, folder: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _signature_ok(upload: UploadedFile, file_type: str) -> bool:
    if file_type in _OOXML_FOLDER:
        return _ooxml_ok(upload, _OOXML_FOLDER[file_type])
    magic = _MAGIC.get(file_type)
    if magic is None:  # a type in the policy this module cannot check is refused
        return False
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    return head == magic


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
    if upload.size == 0 or not _signature_ok(upload, file_type):
        label = LABELS.get(file_type, file_type)
        raise DomainError(f"文件内容与扩展名不符：这不是真实的 {label} 文件。", field="file",
                          code="file_signature")
    return file_type


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
