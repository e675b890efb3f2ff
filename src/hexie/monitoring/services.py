"""The one way other apps write risk signals (seed 四（六）动态管理): the health check for its
red findings, the survey for workers' anonymous concerns. Monitoring owns the table; the
callers never create rows in it themselves."""

import datetime

from django.db import transaction

from hexie.core import audit

from .models import RiskSignal


def raise_risk_signal(actor, unit, *, source: str, level: str, summary: str, area: str = "",
                      reference: str = "", detected_on: datetime.date) -> RiskSignal:
    """Record one risk signal on ``unit`` inside the caller's transaction (the calling service
    has checked its own scope and rules). Audited when a person raised it; an anonymous
    concern (``actor`` None) is not, since an audit event would keep the time the worker wrote
    and the seed's anonymity keeps nothing beyond the date."""
    with transaction.atomic():
        signal = RiskSignal.objects.create(
            unit=unit, source=source, level=level, area=area, summary=summary,
            reference=reference, detected_on=detected_on,
        )
        if actor is not None:
            audit.record(actor, "monitoring.raise_risk_signal", signal,
                         after=audit.snapshot(signal), region_code=unit.region_id)
    return signal
