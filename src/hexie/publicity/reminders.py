"""Deadline reminders of publicity: a notice period about to close (the county office then
closes the notice once every objection is handled)."""

import datetime

from django.urls import reverse

from hexie.notifications.recipients import offices_over
from hexie.notifications.reminders import Deadline, lead_days

from .models import PublicNotice


def notice_deadlines(today: datetime.date):
    """Open notices whose period ends within the largest lead time from ``today``."""
    lead = max(lead_days(today), default=0)
    notices = (PublicNotice.objects.filter(state=PublicNotice.State.OPEN, ends_on__gte=today,
                                           ends_on__lte=today + datetime.timedelta(days=lead))
               .select_related("region").order_by("ends_on", "id"))
    for notice in notices:
        yield Deadline(
            key=f"notice-ends:{notice.pk}",
            due_on=notice.ends_on,
            recipients=list(offices_over(notice.region_id)),
            title=f"公示“{notice.title}”将于 {notice.ends_on:%Y-%m-%d} 期满",
            body=(f"{notice.region.name} {notice.year} 年度公示期 {notice.starts_on:%Y-%m-%d} 至 "
                  f"{notice.ends_on:%Y-%m-%d}；期满后请处理完全部异议并结束公示。"),
            url=reverse("publicity:notice", args=[notice.pk]),
        )
