"""The CSV export of the audit log: scoped and filtered as the page, streamed, and audited.

The file opens in Excel as UTF-8 (a BOM first) and no cell can run as a formula: a value that
starts with = + - @ (or a tab/carriage return) gets a leading apostrophe (OWASP CSV injection).
"""

import csv
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from . import audit
from .audit_selectors import changes_text, filtered_events, is_operator
from .scoping import scope_for

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def headers() -> list[str]:
    return [_t("编号"), _t("时间（北京时间）"), _t("操作人"), _t("操作"), _t("对象类型"),
            _t("对象ID"), _t("对象"), _t("所属区划"), _t("变更内容"), _t("IP 地址"),
            _t("事件哈希")]


def record_export(user, filters: dict):
    """Audit the export itself (``audit.export``) before any row is read; the rows exported
    are those recorded before this event."""
    region = "" if is_operator(user) else next(
        iter(scope_for(user, "audit.view").region_prefixes), "")
    shown = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
             for k, v in filters.items() if v not in (None, "")}
    with transaction.atomic():
        return audit.record(user, "audit.export", object_type="core.auditevent",
                            object_repr=_t("审计日志导出"), region_code=region,
                            after={"filters": shown})


def rows(user, filters: dict, upto_id: int) -> Iterator[str]:
    """The CSV text, line by line (BOM first), of the events before ``upto_id``."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(headers())
    cache: dict = {}
    tz = timezone.get_default_timezone()
    events = filtered_events(user, filters).filter(id__lt=upto_id)
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow([safe_cell(v) for v in (
            event.pk, timezone.localtime(event.at, tz).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_username, event.action, event.object_type, event.object_id,
            event.object_repr, event.region_code, changes_text(event, cache), event.ip or "",
            event.hash,
        )])
