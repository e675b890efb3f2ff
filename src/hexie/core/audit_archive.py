"""Retention of the audit log: events older than ``HEXIE_AUDIT_RETENTION_DAYS`` may move to a
gzip JSON Lines file under ``var/audit-archive/``, never silently deleted.

网络安全法 第二十一条 requires network logs to be kept for no less than six months, so the
setting cannot go below 183 days (a system check refuses it) and the archive refuses any event
newer than the retention. Unset, events are kept in the table for good and nothing is archived.
The archive records the file's SHA-256 and the chain hash of its last event, from which the
chain goes on (``audit.verify`` starts there).
"""

import datetime
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.db import connection, transaction
from django.utils import timezone

from . import audit
from .models import AuditArchive, AuditEvent

MIN_RETENTION_DAYS = 183  # six months, rounded up (网络安全法 第二十一条)
_PG_ARCHIVE_LOCK_KEY = 0x48455841  # one archiver at a time ("HEXA")


class ArchiveRefused(Exception):
    """The archive was not made; the message (Chinese) says why."""


def retention_days() -> int | None:
    return getattr(settings, "HEXIE_AUDIT_RETENTION_DAYS", None)


def check_retention(app_configs=None, **kwargs):
    """System check: the retention is unset (keep for good) or a whole number ≥ 183 days."""
    days = retention_days()
    if days is None:
        return []
    if isinstance(days, bool) or not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        return [checks.Error(
            f"HEXIE_AUDIT_RETENTION_DAYS={days!r}：审计日志保留期限不得少于 "
            f"{MIN_RETENTION_DAYS} 天（《网络安全法》第二十一条：网络日志留存不少于六个月）。"
            f" / The audit log must be kept for at least {MIN_RETENTION_DAYS} days "
            f"(Cybersecurity Law of the PRC, Article 21: network logs kept no less than six "
            f"months).",
            hint="不设置（永久保留）或设为不少于 183 的整数。 / Leave it unset (keep for good) "
                 "or set a whole number of at least 183.",
            id="hexie.core.E001",
        )]
    return []


def archive_dir() -> Path:
    return Path(getattr(settings, "HEXIE_AUDIT_ARCHIVE_DIR", settings.VAR_DIR / "audit-archive"))


def _cutoff(before: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """The instant before which events are archived: the start of ``before`` (Beijing time),
    refused when that is inside the retention."""
    days = retention_days()
    if days is None:
        raise ArchiveRefused("未设置 HEXIE_AUDIT_RETENTION_DAYS：审计日志永久保留，不归档。")
    if check_retention():
        raise ArchiveRefused(f"HEXIE_AUDIT_RETENTION_DAYS 不得少于 {MIN_RETENTION_DAYS} 天。")
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min),
                                 timezone.get_default_timezone())
    oldest_allowed = now - datetime.timedelta(days=days)
    if cutoff > oldest_allowed:
        limit = timezone.localtime(oldest_allowed).date()
        raise ArchiveRefused(
            f"拒绝归档：{before:%Y-%m-%d} 之前的事件仍在 {days} 天保留期内；"
            f"截止日期最晚为 {limit:%Y-%m-%d}。")
    return cutoff


def archive_cutoff(before: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """The same cutoff and refusals for other append-only logs kept under this retention (the
    API access log, accounts.access_log)."""
    return _cutoff(before, now)


def _line(event: AuditEvent) -> bytes:
    body = {
        "id": event.pk, "at": event.at.astimezone(datetime.UTC).isoformat(),
        "actor_id": event.actor_id, "actor_username": event.actor_username,
        "action": event.action, "object_type": event.object_type,
        "object_id": event.object_id, "object_repr": event.object_repr,
        "region_code": event.region_code, "before": event.before, "after": event.after,
        "ip": event.ip, "prev_hash": event.prev_hash, "hash": event.hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode() + b"\n"


@dataclass
class ArchiveResult:
    archive: AuditArchive | None
    count: int


def archive(before: datetime.date, actor=None, now: datetime.datetime | None = None):
    """Move the oldest events recorded before ``before`` (and outside the retention) to one
    file, record it, and delete them. The events taken are the unbroken run from the start of
    the table up to the first one not old enough, so what stays is still one chain; a run
    whose links do not hold is refused (archiving must not hide tampering)."""
    cutoff = _cutoff(before, now or timezone.now())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_ARCHIVE_LOCK_KEY])
        latest = AuditArchive.objects.order_by("-last_id").first()
        expected_prev = latest.last_hash if latest else audit.GENESIS
        taken: list[tuple[int, str]] = []
        directory = archive_dir()
        directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
        path = directory / f"audit-before-{before:%Y%m%d}-{stamp}.jsonl.gz"
        try:
            with open(path, "wb") as raw, \
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
                for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
                    if event.at >= cutoff:
                        break
                    if event.prev_hash != expected_prev or audit.compute_hash(event) != event.hash:
                        raise ArchiveRefused(
                            f"拒绝归档：事件 #{event.pk} 的哈希链不完整，请先运行 "
                            f"hexie audit verify 查明原因。")
                    out.write(_line(event))
                    taken.append((event.pk, event.hash))
                    expected_prev = event.hash
            if not taken:
                path.unlink()
                return ArchiveResult(None, 0)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            first_id, last_id = taken[0][0], taken[-1][0]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('hexie.audit_archiving', 'on', true)")
            AuditEvent.objects.filter(id__gte=first_id, id__lte=last_id).delete()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('hexie.audit_archiving', 'off', true)")
            made = AuditArchive.objects.create(
                file_path=str(path), first_id=first_id, last_id=last_id, count=len(taken),
                sha256=digest, last_hash=taken[-1][1], before=before)
            audit.record(actor or "system", "audit.archive", made,
                         after={"file": path.name, "first_id": first_id, "last_id": last_id,
                                "count": len(taken), "sha256": digest})
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return ArchiveResult(made, len(taken))
