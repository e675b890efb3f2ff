"""Reading the audit log: who sees which events, the filters, and each change in words.

Offices read the events recorded in their region for ``audit.view`` (the scope choke point,
``AuditEvent.objects.visible_to``); operators (superusers) read every event, including those
recorded without a region (accounts, the operator's own acts). Anyone else reads nothing and
gets a 404, as for any object outside their scope.
"""

import datetime
import json

from django import forms
from django.apps import apps
from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent
from .pagination import CappedPaginator
from .scoping import scope_for

AUDIT_VIEW = "audit.view"  # the permission name (the role table lives in accounts)
PAGE_SIZE = 50
COUNT_CAP = 1000
VALUE_CHARS = 60  # a before/after value longer than this is shortened in words
# Bookkeeping fields every snapshot carries; a change of only these says nothing.
_NOISE = frozenset({"updated_at"})


def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def events_visible_to(user):
    """The events ``user`` may read: all for an operator, else those inside their scope."""
    if is_operator(user):
        return AuditEvent.objects.all()
    return AuditEvent.objects.visible_to(user, AUDIT_VIEW)


def can_read(user) -> bool:
    if is_operator(user):
        return True
    return not scope_for(user, AUDIT_VIEW).is_empty


def require_reader(user) -> None:
    """404 for anyone who reads no audit events (the page does not exist for them)."""
    if not can_read(user):
        raise Http404(_t("页面不存在"))


def get_event(user, pk) -> AuditEvent:
    try:
        return events_visible_to(user).get(pk=pk)
    except (AuditEvent.DoesNotExist, ValueError, TypeError):
        raise Http404(_t("审计事件不存在或不在您的管辖范围内")) from None


class AuditFilterForm(forms.Form):
    """The filters of the page, the export and the API (all optional)."""

    actor = forms.CharField(label=_("操作人"), required=False, max_length=150,
                            help_text=_("登录名，精确匹配"))
    unit = forms.IntegerField(label=_("单位编号"), required=False, min_value=1,
                              help_text=_("该单位本身的变更（登记、修改、删除等）"))
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64,
                                  help_text=_("如 units.unit、recognition.application"))
    object_id = forms.CharField(label=_("对象ID"), required=False, max_length=64)
    action = forms.CharField(label=_("操作"), required=False, max_length=64,
                             help_text=_("操作代码前缀，如 unit. 或 recognition."))
    date_from = forms.DateField(label=_("起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("含当日（北京时间）"))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _t("截止日期不能早于起始日期。"))
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", _t("按对象ID筛选时请同时填写对象类型。"))
        return data


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the site's time zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min),
                               timezone.get_default_timezone())


def apply_filters(events, data: dict):
    """``events`` narrowed by a valid filter form's ``cleaned_data``. Dates are whole days in
    Beijing time: ``date_to`` includes its last instant (before the next day's midnight)."""
    if data.get("actor"):
        events = events.filter(actor_username=data["actor"].strip())
    if data.get("unit"):
        events = events.filter(object_type="units.unit", object_id=str(data["unit"]))
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"].strip())
    if data.get("object_id"):
        events = events.filter(object_id=data["object_id"].strip())
    if data.get("action"):
        events = events.filter(action__startswith=data["action"].strip())
    if data.get("date_from"):
        events = events.filter(at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        events = events.filter(at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
    return events


def ordering_for(data: dict) -> tuple[str, ...]:
    """Newest first: in chain order (``-id``), or by time (``-at, -id``) when a date filter is
    given. The two agree but for clock skew; with a LIMIT and an older window PostgreSQL would
    otherwise walk the primary key backwards through every newer event (10,000,000 events:
    seconds), where the ``at`` index reads just the window (docs/benchmarks.md)."""
    if data.get("date_from") or data.get("date_to"):
        return ("-at", "-id")
    return ("-id",)


def filtered_events(user, data: dict):
    """The events ``user`` reads that match the filters, newest first."""
    return apply_filters(events_visible_to(user), data).order_by(*ordering_for(data))


def keys_only(events):
    """``events`` reading only the columns they are ordered by. With the filters in the
    ``audit_actor_idx`` / ``audit_region_idx`` INCLUDE columns, PostgreSQL then answers the
    page's ids and the capped count from the index alone (no table rows), whatever it guesses
    about how an actor's events spread over regions; ``with_rows`` reads the page's rows."""
    return events.only(*{field.lstrip("-") for field in events.query.order_by})


def with_rows(keys) -> list[AuditEvent]:
    """The full events of ``keys`` (a page read by ``keys_only``), in the same order."""
    rows = AuditEvent.objects.in_bulk([event.pk for event in keys])
    return [rows[event.pk] for event in keys if event.pk in rows]


def event_page(user, data: dict, number):
    cap = getattr(settings, "AUDIT_LIST_COUNT_CAP", COUNT_CAP)
    paginator = CappedPaginator(keys_only(filtered_events(user, data)), PAGE_SIZE, cap=cap)
    page = paginator.get_page(number)
    page.object_list = with_rows(page.object_list)
    for event in page.object_list:
        event.changes = changes_in_words(event)
    return page


# --- before/after in words ---------------------------------------------------------------


def shorten(value, limit: int = VALUE_CHARS) -> str:
    """A value as a person reads it: empty as "—", booleans as 是/否, long text cut short."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if value is True:
        return _t("是")
    if value is False:
        return _t("否")
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_labels(object_type: str) -> dict[str, str]:
    """attname -> verbose name for the object's model, looked up in the app registry (core
    imports no other app; the registry knows every model)."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    labels = {}
    for field in model._meta.concrete_fields:
        labels[field.attname] = str(field.verbose_name)
        labels[field.name] = str(field.verbose_name)
    return labels


def field_label(object_type: str, key: str, cache: dict | None = None) -> str:
    cache = {} if cache is None else cache
    if object_type not in cache:
        cache[object_type] = _field_labels(object_type)
    label = cache[object_type].get(key, key)
    return label


def changes_in_words(event: AuditEvent, cache: dict | None = None) -> list[dict]:
    """The changed keys of ``event`` as ``{"field", "label", "before", "after", "text"}``,
    ``text`` reading "字段：旧值 → 新值". Only keys whose value changed; for a creation every
    key of ``after`` (its old value "—"), for a deletion every key of ``before``."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    keys = sorted(k for k in set(before) | set(after)
                  if before.get(k) != after.get(k) and k not in _NOISE)
    rows = []
    for key in keys:
        label = field_label(event.object_type, key, cache)
        old, new = shorten(before.get(key)), shorten(after.get(key))
        rows.append({"field": key, "label": label, "before": old, "after": new,
                     "text": f"{label}：{old} → {new}"})
    return rows


def changes_text(event: AuditEvent, cache: dict | None = None) -> str:
    """All changes in one line (the CSV cell)."""
    return "；".join(row["text"] for row in changes_in_words(event, cache))
