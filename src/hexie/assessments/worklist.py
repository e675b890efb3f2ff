"""The self-assessment's to-do on the unit admin's workbench: pledged this year or last and no
submission yet, or an open draft."""

from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import ASSESSMENTS_EDIT
from hexie.campaigns.models import Pledge
from hexie.core.scoping import scope_for
from hexie.core.worklist import Todo

from .models import SelfAssessment


def assessment_todos(user) -> list[Todo]:
    unit_ids = sorted(scope_for(user, ASSESSMENTS_EDIT).unit_ids)
    if not unit_ids:
        return []
    since = timezone.localdate().year - 1
    pledged = set(Pledge.objects.filter(unit_id__in=unit_ids, year__gte=since)
                  .values_list("unit_id", "year"))
    if not pledged:
        return []
    rows = SelfAssessment.objects.filter(unit_id__in=unit_ids, year__gte=since).values_list(
        "unit_id", "year", "state", "pk")
    submitted, drafts = set(), {}
    for unit_id, year, state, pk in rows:
        if state == SelfAssessment.State.DRAFT:
            drafts[(unit_id, year)] = pk
        else:
            submitted.add((unit_id, year))
    open_pairs = {pair for pair in pledged if pair in drafts or pair not in submitted}
    if not open_pairs:
        return []
    draft_pairs = sorted((p for p in open_pairs if p in drafts), key=lambda p: -p[1])
    url = (reverse("assessments:edit", args=[drafts[draft_pairs[0]]]) if draft_pairs
           and len(open_pairs) == 1 else reverse("assessments:list"))
    return [Todo("assessments.to_finish", "单位自评待完成", len(open_pairs), url)]
