"""The per-call log of API tokens (issue 10 §5: every call audited with the token's name).

``ApiAccessLogMiddleware`` writes one ``ApiAccessLog`` row after the response of every request
that named a known token (``BearerTokenAuthentication`` marks the request), whatever the
answer: 2xx, 4xx including 401 for a revoked or expired token, 429 when throttled, 5xx. An
unknown key writes nothing: there is no token to name, and anyone could fill the table.

Why not the audit chain (``hexie.core.audit.record``): every audit event takes the chain's
lock to read the previous hash, so one event per GET would serialise all API reads of all
tokens behind that lock and grow the chain by the read traffic. The access log is one plain
INSERT, no lock; the chain keeps the changes (writes made with a token are audited there as
the token's service user, as before) and records each archive of this log with its hash.

Retention: the same ``HEXIE_AUDIT_RETENTION_DAYS`` (≥ 183 days; unset = keep for good).
``hexie tokens archive-log --before DATE`` writes the older rows to a gzip JSON Lines file,
records its SHA-256 in the audit chain (``accounts.archive_access_log``), then deletes them.
"""

import datetime
import gzip
import hashlib
import json
import time

from django import forms
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from hexie.core import audit
from hexie.core.audit_archive import ArchiveRefused, archive_cutoff, archive_dir

from .models import ApiAccessLog

PATH_CHARS = ApiAccessLog._meta.get_field("path").max_length
REQUEST_ATTRIBUTE = "hexie_api_token"  # set on the HttpRequest by the bearer authentication


def mark(request, token) -> None:
    """Remember on the underlying HttpRequest which token this request named."""
    setattr(getattr(request, "_request", request), REQUEST_ATTRIBUTE, token)


class ApiAccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        token = getattr(request, REQUEST_ATTRIBUTE, None)
        if token is not None:
            path = request.get_full_path()
            if len(path) > PATH_CHARS:
                path = path[: PATH_CHARS - 1] + "…"
            ApiAccessLog.objects.create(
                token_id=token.pk, at=timezone.now(), method=request.method[:8], path=path,
                status=response.status_code, ip=request.META.get("REMOTE_ADDR") or None,
                duration_ms=round((time.perf_counter() - started) * 1000))
        return response


class CallFilterForm(forms.Form):
    """The filters of a token's call log (all optional)."""

    status = forms.ChoiceField(label=_l("结果"), required=False, choices=[
        ("", _l("全部")), ("2xx", _l("成功（2xx）")), ("200", "200"), ("4xx", _l("被拒绝（4xx）")),
        ("401", _l("401 未认证（撤销/过期）")), ("403", _l("403 无权限")),
        ("404", _l("404 范围外或不存在")), ("429", _l("429 超出限速")),
        ("5xx", _l("服务器错误（5xx）"))])
    method = forms.ChoiceField(label=_l("方法"), required=False, choices=[
        ("", _l("全部")), ("GET", "GET"), ("POST", "POST"), ("PUT", "PUT"),
        ("PATCH", "PATCH"), ("DELETE", "DELETE")])
    path = forms.CharField(label=_l("路径开头"), required=False, max_length=PATH_CHARS,
                           help_text=_l("如 /api/v1/units/"))
    date_from = forms.DateField(label=_l("起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_l("截止日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min),
                               timezone.get_default_timezone())


def calls(token, data: dict):
    """The calls made with ``token`` matching a valid ``CallFilterForm``, newest first."""
    rows = ApiAccessLog.objects.filter(token=token)
    status = data.get("status")
    if status and status.endswith("xx"):
        low = int(status[0]) * 100
        rows = rows.filter(status__gte=low, status__lt=low + 100)
    elif status:
        rows = rows.filter(status=int(status))
    if data.get("method"):
        rows = rows.filter(method=data["method"])
    if data.get("path"):
        rows = rows.filter(path__startswith=data["path"].strip())
    if data.get("date_from"):
        rows = rows.filter(at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        rows = rows.filter(at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
    return rows.order_by("-id")


def _line(row: ApiAccessLog) -> bytes:
    body = {"id": row.pk, "token_id": row.token_id, "token": row.token.name,
            "at": row.at.astimezone(datetime.UTC).isoformat(), "method": row.method,
            "path": row.path, "status": row.status, "ip": row.ip,
            "duration_ms": row.duration_ms}
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode() + b"\n"


def archive(before: datetime.date, actor=None, now=None) -> tuple[str | None, int]:
    """Move the calls logged before ``before`` (outside the retention) to one file, record its
    SHA-256 in the audit chain, and delete them. Returns (file path, rows); (None, 0) when
    there is nothing to move. Refused (``ArchiveRefused``) as the audit archive is."""
    cutoff = archive_cutoff(before, now or timezone.now())
    rows = ApiAccessLog.objects.filter(at__lt=cutoff)
    directory = archive_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    path = directory / f"api-access-before-{before:%Y%m%d}-{stamp}.jsonl.gz"
    count, first_id, last_id = 0, None, None
    try:
        # Rows older than the cutoff never change (append-only) and no new one can be older:
        # the file is written first, outside the transaction that deletes them.
        with open(path, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
            for row in rows.select_related("token").order_by("id").iterator(chunk_size=5000):
                out.write(_line(row))
                count += 1
                first_id = row.pk if first_id is None else first_id
                last_id = row.pk
        if not count:
            path.unlink()
            return None, 0
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        table = ApiAccessLog._meta.db_table
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The append-only trigger refuses DELETE to everyone else: it is off inside
                # this transaction only (DDL is transactional and the ALTER locks the table
                # until the commit, so no other session ever sees the table without it).
                with connection.cursor() as cursor:
                    # ALTER TABLE refuses while deferred foreign-key checks are pending.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            deleted, _ = ApiAccessLog.objects.filter(
                id__gte=first_id, id__lte=last_id, at__lt=cutoff).delete()
            if deleted != count:
                raise ArchiveRefused(
                    f"拒绝归档：写入文件 {count} 条，待删除 {deleted} 条，不一致。")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            audit.record(actor or "system", "accounts.archive_access_log",
                         object_type=ApiAccessLog._meta.label_lower, object_id=last_id,
                         object_repr=path.name,
                         after={"file": path.name, "first_id": first_id, "last_id": last_id,
                                "count": count, "sha256": digest,
                                "before": before.isoformat()})
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return str(path), count


__all__ = ["ApiAccessLogMiddleware", "ArchiveRefused", "archive", "mark"]
