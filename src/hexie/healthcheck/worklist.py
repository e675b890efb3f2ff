"""The health check's to-dos on the workbench and its deadline reminders: the unit's check of
the year and its remediation tasks; the office's units still to organise and tasks to follow."""

import datetime

from django.db.models import Exists, Min, OuterRef
from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import HEALTHCHECK_ANSWER, HEALTHCHECK_ORGANISE
from hexie.campaigns.models import Pledge
from hexie.core.scoping import scope_for
from hexie.core.worklist import Todo
from hexie.notifications.recipients import unit_admins
from hexie.notifications.reminders import Deadline, lead_days

from .models import HealthCheck, RemediationTask


def healthcheck_todos(user) -> list[Todo]:
    today = timezone.localdate()
    year_end = datetime.date(today.year, 12, 31)
    todos = []
    answer = scope_for(user, HEALTHCHECK_ANSWER)
    if answer.unit_ids:
        ids = sorted(answer.unit_ids)
        open_checks = HealthCheck.objects.filter(unit_id__in=ids, year=today.year,
                                                 state=HealthCheck.State.OPEN)
        first = open_checks.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            todos.append(Todo("healthcheck.check_to_answer", "本年度用工体检待完成",
                              open_checks.count(), reverse("healthcheck:detail", args=[first]),
                              year_end))
        tasks = RemediationTask.objects.filter(unit_id__in=ids, state=RemediationTask.State.OPEN)
        nearest = tasks.order_by("due_on", "pk").values_list(
            "due_on", "finding__health_check_id").first()
        if nearest is not None:
            todos.append(Todo("healthcheck.tasks_to_close", "整改任务待完成", tasks.count(),
                              reverse("healthcheck:detail", args=[nearest[1]]), nearest[0],
                              nearest[0] < today))
    organise = scope_for(user, HEALTHCHECK_ORGANISE)
    if organise.region_prefixes:
        missing = Pledge.objects.in_scope(organise).filter(year=today.year).filter(
            ~Exists(HealthCheck.objects.filter(unit_id=OuterRef("unit_id"), year=today.year)))
        count = missing.count()
        if count:
            todos.append(Todo("healthcheck.units_to_organise", "用工体检待组织", count,
                              reverse("healthcheck:progress"), year_end))
        waiting = RemediationTask.objects.in_scope(organise).filter(
            state=RemediationTask.State.SUBMITTED)
        agg = waiting.aggregate(n=Min("due_on"))
        count = waiting.count()
        if count:
            todos.append(Todo("healthcheck.tasks_to_follow", "整改待跟进", count,
                              reverse("healthcheck:tasks"), agg["n"]))
    return todos


def remediation_deadlines(today: datetime.date):
    """Open remediation tasks falling due within the longest reminder lead time."""
    horizon = today + datetime.timedelta(days=max(lead_days(), default=0))
    tasks = (RemediationTask.objects.filter(state=RemediationTask.State.OPEN,
                                            due_on__gte=today, due_on__lte=horizon)
             .select_related("finding").order_by("due_on", "pk"))
    for task in tasks:
        yield Deadline(
            key=f"healthcheck-task:{task.pk}", due_on=task.due_on,
            recipients=list(unit_admins(task.unit_id)),
            title=f"体检整改任务 {task.finding.item_id} 将于 {task.due_on:%Y-%m-%d} 到期",
            body=task.finding.question[:200],
            url=reverse("healthcheck:detail", args=[task.finding.health_check_id]),
        )
