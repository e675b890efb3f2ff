"""Writing and verifying the audit chain.

Every service calls :func:`record` inside its transaction. Events are chained: each stores the
hash of the previous event and its own hash over a canonical JSON form of its fields, so an edit
or deletion made behind the application's back shows up in :func:`verify`.
"""

import datetime
import decimal
import hashlib
import ipaddress
import json
import uuid
from dataclasses import dataclass

from django.db import connection, models

from .context import current_ip
from .models import AuditArchive, AuditEvent

GENESIS = "0" * 64
# Any constant works: it names the one advisory lock that serialises appends on PostgreSQL.
_PG_LOCK_KEY = 0x48455849  # "HEXI"


def jsonable(value):
    """A JSON-stable form of a model value (no floats from Decimals, ISO dates)."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def canonical_ip(value: str | None) -> str | None:
    """The IP in the form the database gives back (so the hash survives a round trip);
    anything that is not an IP address is dropped."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def snapshot(obj: models.Model) -> dict:
    """The concrete field values of a model instance, for before/after."""
    data = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        data[field.attname] = jsonable(value)
    return data


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def _payload(event: AuditEvent) -> bytes:
    body = {
        "prev": event.prev_hash,
        "at": event.at.astimezone(datetime.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor": event.actor_username,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "repr": event.object_repr,
        "region": event.region_code,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_payload(event)).hexdigest()


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # SQLite runs IMMEDIATE transactions (settings), so the writer already holds the lock.


def _archived_tail() -> str | None:
    """The chain hash of the last archived event (the table may be empty after an archive)."""
    return AuditArchive.objects.order_by("-last_id").values_list("last_hash", flat=True).first()


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str | None = None,
    object_id=None,
    object_repr: str | None = None,
    region_code: str = "",
) -> AuditEvent:
    """Append one event. Must run inside the service's transaction, so both land or neither."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr if object_repr is not None else str(obj)[:200]
    _lock_chain()
    prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() \
        or _archived_tail() or GENESIS
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        actor_id=actor.pk if is_user else None,
        actor_username=actor.get_username() if is_user else (str(actor) if actor else "system"),
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr or "")[:200],
        region_code=region_code or "",
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        ip=canonical_ip(current_ip.get()),
        prev_hash=prev,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    return event


@dataclass
class VerifyResult:
    checked: int
    broken_event_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_event_id is None


def verify(chunk_size: int = 5000) -> VerifyResult:
    """Walk the chain in order; stop at the first event whose link or hash does not hold.
    After an archive the walk starts at the event following the archive's last one, from the
    chain hash the archive recorded."""
    latest = AuditArchive.objects.order_by("-last_id").first()
    expected_prev = latest.last_hash if latest else GENESIS
    events = AuditEvent.objects.order_by("id")
    if latest:
        events = events.filter(id__gt=latest.last_id)
    checked = 0
    for event in events.iterator(chunk_size=chunk_size):
        if event.prev_hash != expected_prev:
            return VerifyResult(
                checked, event.pk, "前一事件哈希不符：链条在此处断开（事件被删除或改动）"
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(checked, event.pk, "事件内容与其哈希不符：事件被改动")
        expected_prev = event.hash
        checked += 1
    return VerifyResult(checked)
