"""Read queries of self-assessment, always through the region-scope choke point."""

from .models import SelfAssessment


def latest_submission(unit_id: int, year: int) -> SelfAssessment | None:
    """The unit's most recent submitted self-assessment of ``year`` (what an application rests
    on); ``None`` when it has submitted none. Not scoped: callers pass a unit they already
    reached through the scope check."""
    return (SelfAssessment.objects.filter(unit_id=unit_id, year=year,
                                          state=SelfAssessment.State.SUBMITTED)
            .select_related("standard").order_by("-sequence").first())
