"""Uploaded files: is the content what the name says, and its digest. One check for every
upload of the platform (congress minutes, self-assessment evidence, remediation evidence);
each app keeps its own policy of which types and sizes it accepts."""

import hashlib
import zipfile

from django.core.files.uploadedfile import UploadedFile

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a file of each type starts with, whatever its name says.
MAGIC = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
    "doc": OLE2,
    "xls": OLE2,
}
# OOXML: a ZIP holding [Content_Types].xml and the part folder of its application.
OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/"}


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


def content_matches(upload: UploadedFile, file_type: str) -> bool:
    """The upload's content really is a ``file_type`` file (magic bytes; for docx/xlsx the
    OOXML package parts). A type this module cannot check is refused."""
    if file_type in OOXML_FOLDER:
        return _ooxml_ok(upload, OOXML_FOLDER[file_type])
    magic = MAGIC.get(file_type)
    if magic is None:
        return False
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    return head == magic


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
