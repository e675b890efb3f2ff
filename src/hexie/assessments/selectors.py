"""Read queries of self-assessment, always through the region-scope choke point."""

from django.http import Http404

from hexie.accounts.roles import ASSESSMENTS_VIEW

from .models import Evidence, SelfAssessment

NOT_FOUND = "不存在或不在您的管辖范围内"


def latest_submission(unit_id: int, year: int) -> SelfAssessment | None:
    """The unit's most recent submitted self-assessment of ``year`` (what an application rests
    on); ``None`` when it has submitted none. Not scoped: callers pass a unit they already
    reached through the scope check."""
    return (SelfAssessment.objects.filter(unit_id=unit_id, year=year,
                                          state=SelfAssessment.State.SUBMITTED)
            .select_related("standard").order_by("-sequence").first())


def assessments_for(user, *, year=None, state=None, meets=None):
    """Self-assessments of the units in the user's scope (offices by region, the unit admin
    its own, assessors the units assigned to them), optionally filtered."""
    rows = SelfAssessment.objects.visible_to(user, ASSESSMENTS_VIEW)
    if year:
        rows = rows.filter(year=year)
    if state:
        rows = rows.filter(state=state)
    if meets is not None:
        rows = rows.filter(meets=meets)
    return rows.select_related("unit", "unit__region", "standard").order_by(
        "-year", "unit_id", "-id")


def get_assessment(user, pk) -> SelfAssessment:
    try:
        return assessments_for(user).get(pk=pk)
    except (SelfAssessment.DoesNotExist, ValueError, TypeError):
        raise Http404("单位自评" + NOT_FOUND) from None


def get_evidence(user, pk, self_assessment_id=None) -> Evidence:
    """One evidence file, reached only through a self-assessment in the user's scope."""
    rows = Evidence.objects.filter(self_assessment__in=assessments_for(user).order_by())
    if self_assessment_id is not None:
        rows = rows.filter(self_assessment_id=self_assessment_id)
    try:
        return rows.select_related("self_assessment", "self_assessment__unit").get(pk=pk)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404("证明材料" + NOT_FOUND) from None


def evidence_by_item(sa: SelfAssessment) -> dict[str, list[Evidence]]:
    grouped: dict[str, list[Evidence]] = {}
    for row in sa.evidence.all():
        grouped.setdefault(row.item_id, []).append(row)
    return grouped
