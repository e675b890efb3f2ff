"""Typed history per aggregate (Saleor's ``OrderEvent`` habit).

Each aggregate (pledge, self-assessment, application, health check …) has one concrete event
table built on :class:`AggregateEvent`: a type from the table's choices, the time, the acting
user (none for the system) and a small payload whose keys each type declares. Services write one
event per state change with :func:`record`, inside the same transaction as the change and its
audit entry. The audit log stays the tamper-evident record underneath; the timeline built from
these rows is what people read, so every row renders itself as one Chinese sentence.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import jsonable

# The payload is a few identifiers and figures for one sentence, never a snapshot.
MAX_PAYLOAD_CHARS = 2000


class ImmutableEvent(ValueError):
    """An event row was asked to change or go; history is append-only."""


@dataclass(frozen=True)
class EventSpec:
    """What one event type carries: its payload keys (all required, nothing else allowed) and
    the sentence it reads as — a translatable ``%(key)s`` template, or a function of the
    payload when the wording depends on a value."""

    keys: tuple[str, ...]
    sentence: object  # lazy str with %(key)s placeholders, or Callable[[dict], str]


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes are refused like single ones (``bulk_create`` stays: it only inserts)."""

    def update(self, **kwargs):
        raise ImmutableEvent("history events are append-only")

    def delete(self):
        raise ImmutableEvent("history events are append-only")


class AggregateEvent(models.Model):
    """One state change of one aggregate. Concrete tables add the aggregate's foreign key
    (``related_name="events"``), a ``Type`` choices class overriding ``type``, and ``SPECS``
    mapping each type to its :class:`EventSpec`."""

    SPECS: dict[str, EventSpec] = {}
    immutable = True  # the operator admin shows events view-only (core.adminsite)
    AGGREGATE_FIELD = ""  # the name of the concrete table's foreign key to its aggregate

    type = models.CharField(_("事件类型"), max_length=32)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # PROTECT: the history keeps who acted; accounts are deactivated, never deleted.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", null=True, blank=True,
                              verbose_name=_("操作人"))
    payload = models.JSONField(_("事件内容"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_type_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableEvent("a history event cannot be changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEvent("a history event cannot be deleted")

    @property
    def actor_name(self) -> str:
        return str(self.actor) if self.actor_id else str(_("系统"))

    def describe(self) -> str:
        """The event as one Chinese sentence, e.g. “提交了 2026 年度创建承诺书”."""
        spec = self.SPECS.get(self.type)
        if spec is None:
            return str(self.get_type_display())
        if callable(spec.sentence):
            return str(spec.sentence(self.payload))
        return str(spec.sentence) % {k: _shown(self.payload.get(k)) for k in spec.keys}


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _event_model(aggregate: models.Model) -> type[AggregateEvent]:
    related = getattr(aggregate, "events", None)
    model = getattr(related, "model", None)
    if model is None or not issubclass(model, AggregateEvent):
        raise TypeError(f"{aggregate._meta.label} has no event table (related_name='events')")
    return model


def _clean(model: type[AggregateEvent], type_: str, payload: dict) -> dict:
    spec = model.SPECS.get(type_)
    if spec is None or type_ not in dict(model._meta.get_field("type").choices):
        raise ValueError(f"{model._meta.label}: unknown event type {type_!r}")
    unknown = sorted(set(payload) - set(spec.keys))
    if unknown:
        raise ValueError(f"{model._meta.label} {type_}: unknown payload keys {unknown}")
    missing = sorted(set(spec.keys) - set(payload))
    if missing:
        raise ValueError(f"{model._meta.label} {type_}: missing payload keys {missing}")
    data = jsonable(payload)
    if len(json.dumps(data, ensure_ascii=False)) > MAX_PAYLOAD_CHARS:
        raise ValueError(f"{model._meta.label} {type_}: payload too large for an event")
    return data


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def record(aggregate: models.Model, type_: str, actor, **payload) -> AggregateEvent:
    """Append one event of ``type_`` to ``aggregate``'s history. Must run inside the service's
    transaction, so the change, its audit entry and its event land together or not at all."""
    if not connection.in_atomic_block:
        raise RuntimeError("events.record must be called inside transaction.atomic()")
    model = _event_model(aggregate)
    event = model(type=type_, actor=_actor(actor), payload=_clean(model, type_, payload),
                  **{model.AGGREGATE_FIELD: aggregate})
    event.save(force_insert=True)
    return event


def record_each(aggregates: Iterable[models.Model], type_: str, actor,
                payload_of: Callable[[models.Model], dict]) -> list[AggregateEvent]:
    """One event per aggregate in one insert (a service that creates many rows at once)."""
    if not connection.in_atomic_block:
        raise RuntimeError("events.record_each must be called inside transaction.atomic()")
    aggregates = list(aggregates)
    if not aggregates:
        return []
    model = _event_model(aggregates[0])
    now = timezone.now()
    rows = [model(type=type_, actor=_actor(actor), created_at=now,
                  payload=_clean(model, type_, payload_of(a)),
                  **{model.AGGREGATE_FIELD: a}) for a in aggregates]
    return model.objects.bulk_create(rows, batch_size=1000)


# --- database guard (one operation per concrete table's migration) ------------------------

def append_only(table: str):
    """A ``RunPython`` pair that makes ``table`` refuse UPDATE (and DELETE on PostgreSQL) in the
    database too, as the audit table does (core migration 0002; SQLite keeps DELETE for the
    test flush)."""
    trigger = f"{table}_append_only"

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION hexie_event_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ "
                "LANGUAGE plpgsql;", params=None)  # no parameters: the % is PL/pgSQL's
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION hexie_event_append_only();")
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;")

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger};")

    return forwards, backwards
