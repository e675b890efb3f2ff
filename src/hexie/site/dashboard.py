"""The county's dashboard of one campaign year (seed 四（一）"动态掌握创建单位的数量、分布和创建推进
情况"): units in scope, letters, pledges and their cultivation classes, self-assessments,
applications and recognitions, by town and by kind.

Set-based: a fixed set of GROUP BY queries, each grouped by the unit's region code and kind (plus
a class or state), folded into cells in Python, and one query for the division names. The number
of queries does not depend on the number of towns or units (docs/decisions.md D24).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from hexie.accounts.roles import ASSESSMENTS_VIEW, CAMPAIGNS_VIEW, RECOGNITION_VIEW
from hexie.assessments.models import SelfAssessment
from hexie.campaigns import policy
from hexie.campaigns.models import CampaignYear, LetterDelivery
from hexie.core.scoping import scope_for
from hexie.recognition.models import Application, Recognition
from hexie.regions import codes
from hexie.regions.models import Division
from hexie.units.models import Kind, Unit

TOWN_CODE_LENGTH = codes.TOWN_LENGTH  # GB/T 2260 town / street codes (DOMAIN.md §1)
UNASSIGNED = ""  # a pledge without a cultivation plan entry yet

# The columns of the by-town and by-kind tables, in order: (metric, label, section).
COLUMNS = (
    ("units", _("单位数"), "campaign"),
    ("reached", _("已送达倡议书"), "campaign"),
    ("read", _("已签收"), "campaign"),
    ("pledged", _("已承诺"), "campaign"),
    ("sa_draft", _("自评草稿"), "assessments"),
    ("sa_submitted", _("已提交自评"), "assessments"),
    ("sa_meets", _("自评达标"), "assessments"),
    ("applications", _("认定申请"), "recognition"),
    ("app_passed", _("评审通过"), "recognition"),
    ("recognised", _("已认定"), "recognition"),
)

HEADLINE = ("units", "reached", "pledged", "sa_submitted", "applications", "recognised")


@dataclass
class Row:
    """One line of a table: a town or a kind, with its counts."""

    code: str
    label: str
    counts: Counter = field(default_factory=Counter)
    values: list[int] = field(default_factory=list)  # the counts in the order of the columns

    def rate(self, part: str, whole: str) -> int | None:
        """``part`` as a whole percentage of ``whole`` (None when ``whole`` is zero)."""
        total = self.counts[whole]
        return None if not total else round(self.counts[part] * 100 / total)


@dataclass
class Dashboard:
    campaign: CampaignYear
    totals: Row
    by_town: list[Row]
    by_kind: list[Row]
    by_class: list[tuple[str, str, int]]
    applications_by_state: list[tuple[str, str, int]]
    recognitions_by_state: list[tuple[str, str, int]]
    letters: int
    sections: frozenset[str]

    columns: list[tuple[str, str]] = field(default_factory=list)
    headline: list[tuple[str, int, int | None]] = field(default_factory=list)

    def __post_init__(self):
        self.columns = [(m, label) for m, label, section in COLUMNS if section in self.sections]
        for row in [self.totals, *self.by_town, *self.by_kind]:
            row.values = [row.counts[m] for m, _label in self.columns]
        # (label, count, percentage of the units in scope) for the cards at the top.
        self.headline = [(label, self.totals.counts[m],
                          None if m == "units" else self.totals.rate(m, "units"))
                         for m, label in self.columns if m in HEADLINE]


def town_label(code: str, names: dict[str, str]) -> str:
    """A town's name; a unit registered at the county itself (industries are) gets a row of
    its own, "西湖区（本级）"."""
    name = names.get(code, code)
    return name if len(code) >= TOWN_CODE_LENGTH else _("%(name)s（本级）") % {"name": name}


def _add(cells: dict, rows) -> None:
    """Add grouped rows ``(region_code, kind, metrics, n)`` to ``cells[(town, kind)]``."""
    for region_code, kind, metrics, n in rows:
        cell = cells.setdefault((codes.town_of(region_code), kind), Counter())
        for metric in metrics:
            cell[metric] += n


def dashboard_counts(user, campaign: CampaignYear) -> Dashboard:
    """Every count of the dashboard for the campaign's year and the units of its division
    that ``user`` reaches (letters: those of this campaign).

    A town office gets its town's part (its scope); the self-assessment and recognition parts
    appear only for users who may read them (partners see the campaign part only).
    """
    scope = scope_for(user, CAMPAIGNS_VIEW)
    year = campaign.year
    cells: dict[tuple[str, str], Counter] = {}
    sections = {"campaign"}
    units = Unit.objects.in_scope(scope).within(campaign.region_id)

    # One pass over the units with their pledge of the year (at most one, a unique
    # constraint) and its cultivation class.
    classes = {c.code: c.label for c in policy.current().cultivation_classes}
    by_class: Counter = Counter()
    rows = (units.annotate(p=FilteredRelation("pledges", condition=Q(pledges__year=year)))
            .values_list("region_id", "kind", "p__cultivation__cultivation_class")
            .annotate(n=Count("id"), pledged=Count("p__id")).order_by())
    for region_code, kind, klass, n, pledged in rows:
        by_class[klass or UNASSIGNED] += pledged
        _add(cells, [(region_code, kind, ("units",), n), (region_code, kind, ("pledged",),
                                                          pledged)])

    # Units a letter of the campaign reached, and those that signed one: semi-joins in the
    # WHERE clause. (EXISTS in the SELECT list, grouped on, makes PostgreSQL's estimate
    # explode past the JIT thresholds: 1.4 s instead of 0.1 s, docs/decisions.md D24.)
    deliveries = LetterDelivery.objects.filter(letter__campaign=campaign, unit_id=OuterRef("pk"))
    for metric, condition in (("reached", Exists(deliveries)),
                              ("read", Exists(deliveries.filter(read_at__isnull=False)))):
        rows = units.filter(condition).values_list("region_id", "kind").annotate(
            n=Count("id")).order_by()
        _add(cells, ((r, k, (metric,), n) for r, k, n in rows))

    sa_scope = scope_for(user, ASSESSMENTS_VIEW)
    if not sa_scope.is_empty:
        sections.add("assessments")
        _add(cells, _assessment_rows(sa_scope, campaign))

    app_states: Counter = Counter()
    rec_states: Counter = Counter()
    rec_scope = scope_for(user, RECOGNITION_VIEW)
    if not rec_scope.is_empty:
        sections.add("recognition")
        apps = (Application.objects.in_scope(rec_scope).within(campaign.region_id)
                .filter(year=year)
                .values_list("unit__region_id", "unit__kind", "state")
                .annotate(n=Count("id")).order_by())
        for region_code, kind, state, n in apps:
            app_states[state] += n
            passed = state == Application.State.PASSED
            _add(cells, [(region_code, kind, ("applications", "app_passed") if passed
                          else ("applications",), n)])
        recs = (Recognition.objects.in_scope(rec_scope).within(campaign.region_id)
                .filter(year=year)
                .values_list("unit__region_id", "unit__kind", "state")
                .annotate(n=Count("id")).order_by())
        for region_code, kind, state, n in recs:
            rec_states[state] += n
            if state != Recognition.State.REMOVED:  # an upheld objection took it off
                _add(cells, [(region_code, kind, ("recognised",), n)])

    towns = sorted({town for town, _ in cells})
    names = dict(Division.objects.filter(code__in=towns).values_list("code", "name"))
    by_town = {code: Row(code, town_label(code, names)) for code in towns}
    by_kind = {code: Row(code, label) for code, label in Kind.choices}
    totals = Row("", _("合计"))
    for (town, kind), counts in cells.items():
        by_town[town].counts.update(counts)
        by_kind.setdefault(kind, Row(kind, kind)).counts.update(counts)
        totals.counts.update(counts)
    return Dashboard(
        campaign=campaign, totals=totals, by_town=list(by_town.values()),
        by_kind=list(by_kind.values()),
        by_class=[(code, label, by_class[code]) for code, label in classes.items()]
        + [(UNASSIGNED, _("未安排"), by_class[UNASSIGNED])],
        applications_by_state=[(s, label, app_states[s])
                               for s, label in Application.State.choices],
        recognitions_by_state=[(s, label, rec_states[s])
                               for s, label in Recognition.State.choices],
        letters=campaign.letters.count(), sections=frozenset(sections),
    )


def _assessment_rows(scope, campaign: CampaignYear):
    """Per unit of the campaign's region and year: an open draft, at least one submission,
    and whether the latest submission meets the standard, as ``(region, kind, metrics, n)``
    groups.

    A unit with several submissions counts once, by its latest one (what an application rests
    on, as assessments.selectors.latest_submission)."""
    submitted = SelfAssessment.State.SUBMITTED
    later = SelfAssessment.objects.filter(unit_id=OuterRef("unit_id"), year=OuterRef("year"),
                                          state=submitted, sequence__gt=OuterRef("sequence"))
    rows = (SelfAssessment.objects.in_scope(scope).within(campaign.region_id)
            .filter(year=campaign.year)
            .alias(superseded=Exists(later))
            .filter(Q(state=SelfAssessment.State.DRAFT) | Q(state=submitted, superseded=False))
            .values_list("unit__region_id", "unit__kind", "state", "meets")
            .annotate(n=Count("id")).order_by())
    for region_code, kind, state, meets, n in rows:
        if state == SelfAssessment.State.DRAFT:
            yield region_code, kind, ("sa_draft",), n
        else:
            yield region_code, kind, ("sa_submitted", "sa_meets") if meets else (
                "sa_submitted",), n
