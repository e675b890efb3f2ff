"""Recognition's to-dos on the workbench: applications to accept, decisions to take and appeals
to handle (county office), reviews to finish (reviewers, assessors), the application that can be
made (unit admin)."""

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import RECOGNITION_APPLY, RECOGNITION_ASSIGN, RECOGNITION_DECIDE
from hexie.assessments.selectors import latest_submission
from hexie.campaigns.models import Pledge
from hexie.core.scoping import scope_for
from hexie.core.worklist import Todo

from . import selectors
from .models import Appeal, Application, ReviewAssignment


def recognition_todos(user) -> list[Todo]:
    today = timezone.localdate()
    todos = []
    url = reverse("recognition:list")
    if scope_for(user, RECOGNITION_ASSIGN).region_prefixes:
        apps = selectors.region_applications(user, RECOGNITION_ASSIGN)
        count = selectors.awaiting_assignment(apps).count()
        if count:
            todos.append(Todo("recognition.to_accept", "待受理的认定申请", count,
                              f"{url}?todo=accept"))
    if scope_for(user, RECOGNITION_DECIDE).region_prefixes:
        apps = selectors.region_applications(user, RECOGNITION_DECIDE)
        count = selectors.awaiting_decision(apps).count()
        if count:
            todos.append(Todo("recognition.to_decide", "待作出认定决定", count,
                              f"{url}?todo=decide"))
        count = selectors.appeals_for(user, RECOGNITION_DECIDE).filter(
            state=Appeal.State.FILED).count()
        if count:
            todos.append(Todo("recognition.appeals", "待处理的申诉", count,
                              f"{url}?todo=appeal"))
    open_reviews = selectors.assignments_for(user).filter(
        state=ReviewAssignment.State.ASSIGNED).order_by()
    summary = open_reviews.aggregate(n=Min("id"), due=Min("due_on"))
    if summary["n"] is not None:
        count = open_reviews.count()
        due = summary["due"]
        todos.append(Todo("recognition.reviews", "待完成的评审", count,
                          reverse("recognition:reviews"), due, due < today))
    unit_ids = sorted(scope_for(user, RECOGNITION_APPLY).unit_ids)
    if unit_ids:
        ready = 0
        first = None
        applied = set(Application.objects.filter(unit_id__in=unit_ids)
                      .values_list("unit_id", "year"))
        for unit_id, year in (Pledge.objects.filter(unit_id__in=unit_ids,
                                                    year__gte=today.year - 1)
                              .values_list("unit_id", "year").order_by("-year")):
            if (unit_id, year) in applied:
                continue
            latest = latest_submission(unit_id, year)
            if latest is not None and latest.meets and latest.evidence_complete:
                ready += 1
                first = first or (unit_id, year)
        if ready:
            todos.append(Todo("recognition.can_apply", "可提交认定申请", ready,
                              f"{reverse('recognition:apply')}?unit={first[0]}&year={first[1]}"))
    return todos
