"""The surveys' to-do on the workbench: the unit admin's open rounds (to close when enough
answers are in), due at the end of their validity."""

from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import SURVEYS_MANAGE
from hexie.core.scoping import scope_for
from hexie.core.worklist import Todo

from .models import SurveyRound


def survey_todos(user) -> list[Todo]:
    units = scope_for(user, SURVEYS_MANAGE).unit_ids
    if not units:
        return []
    open_rounds = SurveyRound.objects.filter(unit_id__in=sorted(units),
                                             state=SurveyRound.State.OPEN)
    first = open_rounds.order_by("valid_until").values_list("valid_until", flat=True).first()
    if first is None:
        return []
    due = timezone.localtime(first).date()
    return [Todo("surveys.open_rounds", "进行中的满意度调查（到期后请结束并固定结果）",
                 open_rounds.count(), reverse("surveys:list"), due,
                 timezone.localdate() > due)]
