"""The county's dashboard (docs/decisions.md D24): exact counts by town, kind, class and state on
a small world, the scope of every role, and a query count that does not grow with the towns.

The world, 西湖区's campaign of last year (expected counts written out by hand below):

* 北山街道 (A): enterprises e1, e2, e3 and the project p1; 西溪街道 (B): enterprises e4, e5 and the
  industry i1; 南湖区: the enterprise n1 with its own campaign, pledge, self-assessment and
  application (never counted for 西湖区).
* Letter 1 to every unit of 西湖区, letter 2 to B only (a unit reached twice counts once);
  e1 signed letter 1, e4 signed both.
* Pledges: e1 重点, e2 常规, e3 帮扶, p1 not yet classed (A); e4 重点 (B).
* Self-assessments: e1 submitted twice (not met, then met), e2 a draft, e3 submitted (met), p1
  submitted (met) and a new draft, e4 submitted (not met).
* Applications: e1 passed, e3 passed, p1 submitted. Recognitions: e1 published, e3 removed (an
  upheld objection).
"""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from hexie.accounts.roles import Role
from hexie.assessments.models import SelfAssessment
from hexie.campaigns import services
from hexie.campaigns.models import (
    CongressKind,
    CongressPurpose,
    CongressRecord,
    CultivationPlanEntry,
    LetterDelivery,
    Pledge,
)
from hexie.recognition.models import Application, Recognition
from hexie.site import dashboard
from hexie.standards.models import StandardLibrary
from hexie.units.models import Kind
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    XIHU_TOWN,
    XIHU_TOWN_2,
    UnitFactory,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.django_db

# 西湖区 towns without units in the world, for the query-count test.
MORE_TOWNS = ("330106005", "330106007", "330106008")


def _congress(unit, purpose, user, held_on):
    return CongressRecord.objects.create(
        unit=unit, purpose=purpose, kind=CongressKind.WORKERS_REPRESENTATIVE_CONGRESS,
        held_on=held_on, attendance_present=30, attendance_total=40, resolution="同意。",
        minutes=f"congress/{unit.pk}-{purpose}.pdf", minutes_name="minutes.pdf",
        recorded_by=user)


class Builder:
    """Writes the campaign records of a unit directly (the services are tested elsewhere;
    here only the counting matters)."""

    def __init__(self, year, admin):
        self.year, self.admin = year, admin
        self.day = datetime.date(year, 3, 1)
        self.standard = StandardLibrary.objects.create(
            library_id="dashboard-test", version=1, title="测试标准", issuer="测试",
            effective=self.day, source="测试", content={}, sha256="0" * 64)

    def pledge(self, unit, campaign, klass=None):
        made = Pledge.objects.create(
            unit=unit, campaign=campaign, year=self.year, pledged_on=self.day,
            congress=_congress(unit, CongressPurpose.PLEDGE, self.admin, self.day),
            pledged_by=self.admin)
        if klass:
            CultivationPlanEntry.objects.create(pledge=made, cultivation_class=klass,
                                                target_year=self.year + 1,
                                                policy_version="1", assigned_by=self.admin)
        return made

    def assessment(self, pledge, *, meets=None, sequence=None):
        state = SelfAssessment.State.SUBMITTED if sequence else SelfAssessment.State.DRAFT
        return SelfAssessment.objects.create(
            unit=pledge.unit, pledge=pledge, year=self.year, standard=self.standard,
            state=state, sequence=sequence, meets=meets, evidence_complete=meets,
            created_by=self.admin)

    def application(self, assessment, state, recognition=None):
        app = Application.objects.create(
            unit=assessment.unit, pledge=assessment.pledge, year=self.year,
            self_assessment=assessment, state=state, submitted_by=self.admin,
            congress=_congress(assessment.unit, CongressPurpose.APPLICATION, self.admin,
                               self.day))
        if recognition:
            Recognition.objects.create(unit=app.unit, year=self.year, application=app,
                                       region_id=app.unit.region_id[:6], state=recognition,
                                       recognised_on=self.day)
        return app


@pytest.fixture
def world(office, other_office, year, django_capture_on_commit_callbacks):
    e1, e2, e3 = (UnitFactory(region_id=XIHU_TOWN) for _ in range(3))
    p1 = UnitFactory(region_id=XIHU_TOWN, kind=Kind.CONSTRUCTION_PROJECT, credit_code=None,
                     project_code="XM-DASH-1")
    e4, _e5 = (UnitFactory(region_id=XIHU_TOWN_2) for _ in range(2))
    UnitFactory(region_id=XIHU_TOWN_2, kind=Kind.INDUSTRY, credit_code=None,
                name="西溪测试行业协会")
    n1 = UnitFactory(region_id=NANHU_TOWN)
    campaign = services.open_campaign(office, XIHU, year)
    other = services.open_campaign(other_office, NANHU, year)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_initiative(office, campaign, title="倡议书", body="正文")
        second = services.send_initiative(office, campaign, title="倡议书二", body="正文",
                                          town=XIHU_TOWN_2)
        services.send_initiative(other_office, other, title="南湖倡议书", body="正文")
    read = datetime.datetime(year, 3, 2, tzinfo=datetime.UTC)
    LetterDelivery.objects.filter(letter=first, unit__in=[e1, e4]).update(read_at=read)
    LetterDelivery.objects.filter(letter=second, unit=e4).update(read_at=read)

    b = Builder(year, office)
    pe1, pe2, pe3 = b.pledge(e1, campaign, "key"), b.pledge(e2, campaign, "regular"), \
        b.pledge(e3, campaign, "foundation")
    pp1, pe4 = b.pledge(p1, campaign), b.pledge(e4, campaign, "key")
    b.assessment(pe1, meets=False, sequence=1)
    sa_e1 = b.assessment(pe1, meets=True, sequence=2)
    b.assessment(pe2)
    sa_e3 = b.assessment(pe3, meets=True, sequence=1)
    sa_p1 = b.assessment(pp1, meets=True, sequence=1)
    b.assessment(pp1)
    b.assessment(pe4, meets=False, sequence=1)
    b.application(sa_e1, Application.State.PASSED, Recognition.State.PUBLISHED)
    b.application(sa_e3, Application.State.PASSED, Recognition.State.REMOVED)
    b.application(sa_p1, Application.State.SUBMITTED)
    pn1 = b.pledge(n1, other, "key")
    b.application(b.assessment(pn1, meets=True, sequence=1), Application.State.PASSED,
                  Recognition.State.PUBLISHED)
    return campaign, b


def _rows(rows):
    return {row.code: dict(row.counts) for row in rows}


def _nonzero(counts):
    return {k: v for k, v in counts.items() if v}


def test_counts_by_town_kind_class_and_state(world, office):
    campaign, _ = world
    board = dashboard.dashboard_counts(office, campaign)
    towns = {code: _nonzero(c) for code, c in _rows(board.by_town).items()}
    assert towns == {
        XIHU_TOWN: {"units": 4, "reached": 4, "read": 1, "pledged": 4, "sa_draft": 2,
                    "sa_submitted": 3, "sa_meets": 3, "applications": 3, "app_passed": 2,
                    "recognised": 1},
        XIHU_TOWN_2: {"units": 3, "reached": 3, "read": 1, "pledged": 1, "sa_submitted": 1},
    }
    kinds = {code: _nonzero(c) for code, c in _rows(board.by_kind).items()}
    assert kinds == {
        Kind.ENTERPRISE: {"units": 5, "reached": 5, "read": 2, "pledged": 4, "sa_draft": 1,
                          "sa_submitted": 3, "sa_meets": 2, "applications": 2, "app_passed": 2,
                          "recognised": 1},
        Kind.CONSTRUCTION_PROJECT: {"units": 1, "reached": 1, "pledged": 1, "sa_draft": 1,
                                    "sa_submitted": 1, "sa_meets": 1, "applications": 1},
        Kind.INDUSTRY: {"units": 1, "reached": 1},
        Kind.INDUSTRIAL_PARK: {},
        Kind.TOWN: {},
    }
    assert _nonzero(board.totals.counts) == {
        "units": 7, "reached": 7, "read": 2, "pledged": 5, "sa_draft": 2, "sa_submitted": 4,
        "sa_meets": 3, "applications": 3, "app_passed": 2, "recognised": 1}
    assert board.by_class == [("key", "重点培育", 2), ("regular", "常规培育", 1),
                              ("foundation", "基础帮扶", 1), ("", "未安排", 1)]
    assert {s: n for s, _, n in board.applications_by_state} == {
        "submitted": 1, "in_review": 0, "passed": 2, "failed": 0, "appealed": 0}
    assert {s: n for s, _, n in board.recognitions_by_state} == {
        "pending": 0, "on_notice": 0, "confirmed": 0, "removed": 1, "published": 1}
    assert board.letters == 2
    assert [row.label for row in board.by_town] == ["北山街道", "西溪街道"]
    assert board.totals.values == [7, 7, 2, 5, 2, 4, 3, 3, 2, 1]
    assert board.headline[2] == (dashboard.COLUMNS[3][1], 5, 71)  # 5 of 7 units pledged


def test_page_shows_the_tables_and_is_linked_from_the_campaign(world, office, client):
    campaign, _ = world
    client.force_login(office)
    page = client.get(f"/campaigns/{campaign.pk}/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "北山街道" in html and "西溪街道" in html and "按单位类型" in html
    assert 'data-testid="by-town"' in html and "南湖" not in html
    detail = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'href="/campaigns/{campaign.pk}/dashboard/"' in detail


def test_numbers_have_thousands_separators(world, office):
    campaign, _ = world
    board = dashboard.dashboard_counts(office, campaign)
    board.totals.values[0] = 12345
    board.by_town[0].values[1] = 1234567
    html = render_to_string("site/campaign_dashboard.html", {"campaign": campaign, "board": board})
    assert "12,345" in html and "1,234,567" in html


def test_town_office_sees_only_its_town(world, client):
    campaign, _ = world
    town = make_user(Role.TOWN_OFFICE, region=XIHU_TOWN_2)
    board = dashboard.dashboard_counts(town, campaign)
    assert [row.code for row in board.by_town] == [XIHU_TOWN_2]
    assert _nonzero(board.totals.counts) == {"units": 3, "reached": 3, "read": 1,
                                             "pledged": 1, "sa_submitted": 1}
    assert board.by_class == [("key", "重点培育", 1), ("regular", "常规培育", 0),
                              ("foundation", "基础帮扶", 0), ("", "未安排", 0)]
    assert sum(n for _, _, n in board.applications_by_state) == 0
    client.force_login(town)
    html = client.get(f"/campaigns/{campaign.pk}/dashboard/").content.decode()
    assert "西溪街道" in html and "北山街道" not in html


def test_partner_sees_the_campaign_part_only(world, client):
    campaign, _ = world
    partner = make_user(Role.PARTNER, region=XIHU)
    board = dashboard.dashboard_counts(partner, campaign)
    assert [m for m, _ in board.columns] == ["units", "reached", "read", "pledged"]
    assert board.totals.values == [7, 7, 2, 5]
    client.force_login(partner)
    html = client.get(f"/campaigns/{campaign.pk}/dashboard/").content.decode()
    assert "自评草稿" not in html and 'data-testid="applications-by-state"' not in html


def _who(name, unit):
    from hexie.accounts.models import CoordinatorAssignment

    if name == "coordinator":
        user = make_user(Role.COORDINATOR)
        CoordinatorAssignment.objects.create(coordinator=user, unit=unit)
        return user
    if name == "assessor":
        return make_user(Role.ASSESSOR, organisation=make_organisation(XIHU))
    if name in ("unit_admin",):
        return make_user(Role.UNIT_ADMIN, unit=unit)
    role, region = {
        "province": (Role.PROVINCE_OFFICE, "33"), "city": (Role.CITY_OFFICE, HANGZHOU),
        "county": (Role.COUNTY_OFFICE, XIHU), "other_county": (Role.COUNTY_OFFICE, NANHU),
        "town": (Role.TOWN_OFFICE, XIHU_TOWN), "other_town": (Role.TOWN_OFFICE, NANHU_TOWN),
        "partner": (Role.PARTNER, XIHU), "other_partner": (Role.PARTNER, NANHU),
        "other_city": (Role.CITY_OFFICE, "3304"),
    }[name]
    return make_user(role, region=region)


@pytest.mark.parametrize("who, status", [
    ("province", 200), ("city", 200), ("county", 200), ("town", 200), ("partner", 200),
    ("other_county", 404), ("other_city", 404), ("other_town", 404), ("other_partner", 404),
    ("coordinator", 404), ("assessor", 404), ("unit_admin", 404),
])
def test_scope(world, client, who, status):
    campaign, _ = world
    unit = Pledge.objects.filter(campaign=campaign).first().unit
    client.force_login(_who(who, unit))
    assert client.get(f"/campaigns/{campaign.pk}/dashboard/").status_code == status


def test_anonymous_is_sent_to_login(world, client):
    campaign, _ = world
    response = client.get(f"/campaigns/{campaign.pk}/dashboard/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_campaign_is_404(world, office, client):
    client.force_login(office)
    assert client.get("/campaigns/999999/dashboard/").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# The dashboard's own queries: units with their pledges, units reached, units that signed,
# self-assessments, applications, recognitions, division names, letters.
DASHBOARD_QUERIES = 8
# The page around it: session, user, memberships (twice), campaign, unread notifications, the
# campaign region's full name (city, province).
PAGE_QUERIES = DASHBOARD_QUERIES + 8


def test_query_count_does_not_grow_with_towns_or_units(world, office, client,
                                                       django_assert_num_queries,
                                                       django_assert_max_num_queries):
    campaign, b = world
    client.force_login(office)
    url = f"/campaigns/{campaign.pk}/dashboard/"
    client.get(url)  # warm the session and the per-user caches
    before = _queries(client, url)
    for n, town in enumerate(MORE_TOWNS):
        for kind in (Kind.ENTERPRISE, Kind.INDUSTRIAL_PARK):
            extra = {"credit_code": None, "name": f"测试园区{n}"} \
                if kind == Kind.INDUSTRIAL_PARK else {}
            unit = UnitFactory(region_id=town, kind=kind, **extra)
            pledge = b.pledge(unit, campaign, "regular")
            b.application(b.assessment(pledge, meets=True, sequence=1),
                          Application.State.PASSED, Recognition.State.CONFIRMED)
    after = _queries(client, url)
    assert after == before
    board = dashboard.dashboard_counts(office, campaign)
    assert len(board.by_town) == 2 + len(MORE_TOWNS)
    assert board.totals.counts["recognised"] == 1 + 2 * len(MORE_TOWNS)
    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get(url)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard.dashboard_counts(office, campaign)


def test_units_registered_at_the_county_itself_have_their_own_row(world, office):
    campaign, _ = world
    UnitFactory(region_id=XIHU, kind=Kind.INDUSTRY, credit_code=None, name="西湖区测试行业协会")
    board = dashboard.dashboard_counts(office, campaign)
    assert [(row.code, row.label, row.counts["units"]) for row in board.by_town] == [
        (XIHU, "西湖区（本级）", 1), (XIHU_TOWN, "北山街道", 4), (XIHU_TOWN_2, "西溪街道", 3)]
    assert board.totals.counts["units"] == 8


@pytest.mark.parametrize("who", ["county", "town", "partner"])
def test_the_benchmarks_naive_way_gives_the_same_numbers(world, who):
    """benchmarks/workflow_bench.py compares the page with a per-town, per-kind loop of COUNT
    queries (benchmarks/workflow_naive.py): both must count the same."""
    from benchmarks.workflow_naive import naive_dashboard_counts, same_numbers

    campaign, _ = world
    UnitFactory(region_id=XIHU, kind=Kind.INDUSTRY, credit_code=None, name="西湖区测试行业协会")
    user = _who(who, None)
    fast, naive = dashboard.dashboard_counts(user, campaign), naive_dashboard_counts(user,
                                                                                    campaign)
    assert same_numbers(fast, naive)
    assert fast.totals.counts["units"] == {"county": 8, "town": 4, "partner": 8}[who]
    fast.totals.values[0] += 1
    assert not same_numbers(fast, naive)


def _bench_results():
    """A results dict as benchmarks/workflow_bench.py builds it (figures invented)."""
    pages = {"n": 40, "p50": 30.0, "p95": 60.0, "max": 90.0, "mean": 35.0}
    loop = {"all": pages, "errors": 0, "seconds": 8.0, "pages": {"detail": pages,
                                                                 "progress": pages}}
    fast = {"request_ms": {"n": 10, "p50": 150.0, "p95": 210.0, "max": 250.0, "mean": 160.0},
            "queries": 16, "bytes": 10_000}
    naive = {"request_ms": {"n": 1, "p50": 3000.0, "p95": 3000.0, "max": 3000.0,
                            "mean": 3000.0}, "queries": 700, "bytes": 10_000}
    scenario = {"scenario": "county office", "fast": fast, "naive": naive,
                "selector_ms": fast["request_ms"], "same_numbers": True, "units": 50_000,
                "towns": 13, "plans": [{"table": "units_unit", "execution_ms": 40.0,
                                        "nodes": ["HashAggregate", "Seq Scan"]}]}
    return {
        "command": "benchmarks/workflow_bench.py --quick", "json": "var/bench/x.json",
        "machine": {"date": "2026-12-01", "cpu": "Xeon", "cores": 2, "ram_gb": 8,
                    "postgresql": "15", "python": "3.11", "django": "5.2",
                    "load_at_start": [3.0, 2.0, 1.0]},
        "args": {"units": 50_000, "seed": 1, "region": "330106", "concurrency": 1,
                 "gunicorn_workers": 2, "port": 8106, "requests": 10, "warmup": 2,
                 "naive_requests": 1},
        "setup": {"units": 50_000, "towns": 12}, "seed_s": 12.0, "load_at_end": 4.0,
        "delivery_rows": 150_000,
        "delivery": {"units": 50_000, "idle": loop, "idle_load": 2.0, "during_pages":
                     {"detail": pages, "progress": pages},
                     "runs": [{"delivered": 50_000, "seconds": s, "load_before": 3.0,
                               "load_after": 3.5, "pages": loop} for s in (7.0, 8.0, 70.0)],
                     "naive": {"units": 2000, "per_unit_ms": 12.0}},
        "dashboard": {"scenarios": [scenario], "load_before": 3.0, "load_after": 3.0,
                      "data": {"pledges": 50_000, "cultivation_entries": 45_000,
                               "self_assessments": 6000, "applications": 1400,
                               "recognitions": 480, "letters_read": 17_500}},
    }


def test_workflow_bench_pure_functions():
    """benchmarks/workflow_bench.py's figures and its section of docs/benchmarks.md, without
    Redis, Celery or a benchmark database."""
    from benchmarks import workflow_bench as wb

    results = _bench_results()
    assert wb.extrapolate(12.0, 50_000) == 600.0
    assert wb.targets(results) == [
        ("Initiative to 50,000 units of one county ≤ 60 s in the background job (median)",
         "8.0 s", True),
        ("Pages stay responsive meanwhile (p95 ≤ 500 ms, no error; our reading)",
         "p95 60 ms (worst run; idle 60 ms), 0 errors", True),
        ("County dashboard for 50,000 units ≤ 200 ms (p95 of the whole request)",
         "p50 150 ms, p95 210 ms", False),
    ]
    block = wb.render(results)
    assert block.startswith(wb.BEGIN) and block.endswith(wb.END)
    assert "| 3 | 50,000 | 70.0 |" in block and "| NO |" in block
    assert "600 (extrapolated)" in block and "75× slower" in block  # 600 s / median 8 s
    doc = "# Benchmarks\n\n## Import\n\nother engineer's text\n"
    once = wb.replace_section(doc, block, wb.INTRO)
    assert once.startswith(doc.rstrip("\n")) and wb.HEADING in once
    again = wb.replace_section(once + "\n## Later section\n\nkept\n",
                               block.replace("8.0 s", "9.0 s"), wb.INTRO)
    assert again.count(wb.HEADING) == 1 and "kept" in again and "other engineer's" in again
    assert "9.0 s" in again
