"""Uploaded files served back: MEDIA is not web-served, so every download goes through a view
that has already found the owning row through its app's scoped selector, then through here."""

from pathlib import Path

from django.http import FileResponse, Http404


def stored_file_response(file, filename: str = "", *, as_attachment: bool = True,
                         content_type: str | None = None) -> FileResponse:
    """``file`` (a FieldFile of a row the caller's selector returned) as a response that is
    never content-sniffed; 404 when the row has no file or the file is gone from storage."""
    if not file:
        raise Http404("文件不存在")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    extra = {"content_type": content_type} if content_type else {}
    response = FileResponse(handle, as_attachment=as_attachment,
                            filename=filename or Path(file.name).name, **extra)
    response["X-Content-Type-Options"] = "nosniff"
    return response
