"""Review due dates for the reminder job (notifications.reminders)."""

import datetime

from django.urls import reverse

from hexie.notifications import recipients
from hexie.notifications.reminders import Deadline, lead_days

from .models import ReviewAssignment


def review_deadlines(today: datetime.date) -> list[Deadline]:
    """Open assignments falling due from ``today`` to the largest lead time ahead."""
    lead = max(lead_days(today), default=0)
    open_ones = (ReviewAssignment.objects
                 .filter(state=ReviewAssignment.State.ASSIGNED, due_on__gte=today,
                         due_on__lte=today + datetime.timedelta(days=lead))
                 .select_related("application__unit", "reviewer").order_by("due_on", "id"))
    deadlines = []
    for a in open_ones:
        people = ([a.reviewer] if a.reviewer_id
                  else list(recipients.organisation_members(a.organisation_id)))
        deadlines.append(Deadline(
            key=f"review-due:{a.pk}", due_on=a.due_on, recipients=people,
            title=f"评审任务将于 {a.due_on:%Y-%m-%d} 截止",
            body=f"{a.application.unit.name} {a.application.year} 年度认定申请的评审意见尚未提交。",
            url=reverse("recognition:review", args=[a.pk]),
        ))
    return deadlines
