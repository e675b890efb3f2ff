"""The naive way to the county dashboard, for benchmarks/workflow_bench.py: the same counts as
``hexie.site.dashboard.dashboard_counts``, one ``COUNT`` query per town × kind × figure
(and per class and per state), as a first version of such a page would be written.

It returns the same ``Dashboard`` so the real page renders it; the benchmark swaps it in and
checks that both give the very same numbers (tests/campaigns/test_dashboard.py too).
"""

from collections import Counter

from django.db.models import Exists, OuterRef

from hexie.accounts.roles import ASSESSMENTS_VIEW, CAMPAIGNS_VIEW, RECOGNITION_VIEW
from hexie.assessments.models import SelfAssessment
from hexie.campaigns import policy
from hexie.campaigns.models import Pledge
from hexie.core.scoping import scope_for
from hexie.recognition.models import Application, Recognition
from hexie.regions.models import Division
from hexie.site import dashboard
from hexie.units.models import Kind, Unit


def _figures(user, campaign):
    """{metric: fn(units queryset of one town and kind) -> count}, each one COUNT query."""
    submitted = SelfAssessment.State.SUBMITTED
    later = SelfAssessment.objects.filter(unit_id=OuterRef("unit_id"), year=OuterRef("year"),
                                          state=submitted, sequence__gt=OuterRef("sequence"))
    latest = (SelfAssessment.objects.filter(year=campaign.year, state=submitted)
              .alias(superseded=Exists(later)).filter(superseded=False))
    figures = {
        "units": lambda units: units.count(),
        "reached": lambda units: units.filter(
            letter_deliveries__letter__campaign=campaign).distinct().count(),
        "read": lambda units: units.filter(
            letter_deliveries__letter__campaign=campaign,
            letter_deliveries__read_at__isnull=False).distinct().count(),
        "pledged": lambda units: Pledge.objects.filter(year=campaign.year,
                                                       unit__in=units).count(),
    }
    if not scope_for(user, ASSESSMENTS_VIEW).is_empty:
        figures |= {
            "sa_draft": lambda units: SelfAssessment.objects.filter(
                year=campaign.year, state=SelfAssessment.State.DRAFT,
                unit__in=units).count(),
            "sa_submitted": lambda units: latest.filter(unit__in=units).count(),
            "sa_meets": lambda units: latest.filter(unit__in=units, meets=True).count(),
        }
    if not scope_for(user, RECOGNITION_VIEW).is_empty:
        figures |= {
            "applications": lambda units: Application.objects.filter(
                year=campaign.year, unit__in=units).count(),
            "app_passed": lambda units: Application.objects.filter(
                year=campaign.year, unit__in=units,
                state=Application.State.PASSED).count(),
            "recognised": lambda units: Recognition.objects.filter(
                year=campaign.year, unit__in=units).exclude(
                state=Recognition.State.REMOVED).count(),
        }
    return figures


def naive_dashboard_counts(user, campaign) -> dashboard.Dashboard:
    scope = scope_for(user, CAMPAIGNS_VIEW)
    mine = Unit.objects.filter(scope.q("region__code", "pk"),
                               region__code__startswith=campaign.region_id)
    figures = _figures(user, campaign)
    places = [campaign.region, *Division.objects.filter(
        code__startswith=campaign.region_id, level="town").order_by("code")]
    by_town, by_kind = [], {code: dashboard.Row(code, label) for code, label in Kind.choices}
    totals = dashboard.Row("", "合计")
    for place in places:
        row = dashboard.Row(place.code, dashboard.town_label(place.code,
                                                             {place.code: place.name}))
        # The county's own units sit at its code exactly; a town's units under its code.
        units_here = mine.filter(region_id=place.code) if place.code == campaign.region_id \
            else mine.filter(region__code__startswith=place.code)
        for kind in Kind.values:
            units = units_here.filter(kind=kind)
            counts = Counter({metric: count(units) for metric, count in figures.items()})
            row.counts.update(counts)
            by_kind[kind].counts.update(counts)
            totals.counts.update(counts)
        if any(row.counts.values()):
            by_town.append(row)
    pledges = Pledge.objects.filter(year=campaign.year, unit__in=mine)
    classes = [(c.code, c.label) for c in policy.current().cultivation_classes]
    by_class = [(code, label, pledges.filter(cultivation__cultivation_class=code).count())
                for code, label in classes]
    by_class.append((dashboard.UNASSIGNED, "未安排",
                     pledges.filter(cultivation__isnull=True).count()))
    sections = {"campaign"}
    if not scope_for(user, ASSESSMENTS_VIEW).is_empty:
        sections.add("assessments")
    if not scope_for(user, RECOGNITION_VIEW).is_empty:
        sections.add("recognition")
        apps = [(s, label, Application.objects.filter(year=campaign.year, unit__in=mine,
                                                      state=s).count())
                for s, label in Application.State.choices]
        recs = [(s, label, Recognition.objects.filter(year=campaign.year, unit__in=mine,
                                                      state=s).count())
                for s, label in Recognition.State.choices]
    else:
        apps = [(s, label, 0) for s, label in Application.State.choices]
        recs = [(s, label, 0) for s, label in Recognition.State.choices]
    return dashboard.Dashboard(
        campaign=campaign, totals=totals, by_town=by_town, by_kind=list(by_kind.values()),
        by_class=by_class, applications_by_state=apps, recognitions_by_state=recs,
        letters=campaign.letters.count(), sections=frozenset(sections),
    )


def same_numbers(a: dashboard.Dashboard, b: dashboard.Dashboard) -> bool:
    """Both dashboards show the same figures (the labels aside)."""
    def figures(board):
        return ([(r.code, r.values) for r in board.by_town],
                [(r.code, r.values) for r in board.by_kind], board.totals.values,
                [n for *_, n in board.by_class], [n for *_, n in board.applications_by_state],
                [n for *_, n in board.recognitions_by_state], board.letters,
                sorted(board.sections))
    return figures(a) == figures(b)

