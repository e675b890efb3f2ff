"""Issue 9's "done when": a policy value changed in a new YAML version with a later
``effective_from`` changes a new decision and leaves an old one as it was.

Given 西湖区's application A decided under the shipped recognition policy (tripartite weight
0.7), when a new version effective today sets the tripartite weight to 0.6, then an application
B submitted today is decided with 0.6 and records the new version, while A keeps its stored
version, its conclusion, and — recomputed — still the old weights (it was submitted before)."""

import datetime
from fractions import Fraction

import pytest
import yaml
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.campaigns import services as campaign_services
from hexie.core import policies
from hexie.core.models import PolicyVersion
from hexie.recognition import policy, services
from hexie.recognition.models import Application
from tests.factories import XIHU_TOWN, UnitFactory, make_user

from .conftest import all_opinions, application_congress, congress, day, review, submit_assessment

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def fresh_cache():
    """The version loaded here is rolled back with the test; so is what the cache saw."""
    policies.forget()
    yield
    policies.forget()


def new_version(tmp_path, effective: datetime.date):
    data = yaml.safe_load(policy.POLICY_FILE.read_text(encoding="utf-8"))
    data["version"] = "zj-recognition-v2"
    data["effective_from"] = effective
    data["review"]["weights"]["default"] = {"tripartite": 0.6, "third_party": 0.4}
    path = tmp_path / "recognition-policy-v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    row, created = policies.load_all(extra=[("recognition", path)])[-1]
    assert created
    return row


def decide_with_one_rejection(office, application, reviewer, organisation, assessor):
    """Tripartite confirms everything; the third party rejects one criterion, so that
    criterion's combined share is exactly the tripartite weight (above 0.5 either way)."""
    services.assign_reviewers(office, application, staff=[reviewer], organisation=organisation)
    application.refresh_from_db()
    criterion = application.self_assessment.result["criteria"][0]["id"]
    for a in application.assignments.all():
        if a.track == "tripartite":
            review(reviewer, a)
        else:
            review(assessor, a, opinions=all_opinions(application) | {
                criterion: (False, "未见台账")})
    decided = services.decide(office, application, True, "综合评审确认达标")
    return decided, criterion


def row_of(conclusion, criterion):
    return next(r for r in conclusion["criteria"] if r["id"] == criterion)


def test_a_new_version_changes_new_decisions_and_leaves_old_ones(
        tmp_path, office, application, reviewer, organisation, assessor, campaign, year):
    old = PolicyVersion.objects.get(name="recognition", version="zj-recognition-v1")
    # Given A, submitted yesterday and decided under the shipped version.
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=1))
    application.refresh_from_db()
    a, criterion = decide_with_one_rejection(office, application, reviewer, organisation,
                                             assessor)
    assert (a.review_policy_version, a.review_policy_id) == ("zj-recognition-v1", old.pk)
    assert a.conclusion["weights"]["tripartite"] == "7/10"
    assert row_of(a.conclusion, criterion)["combined"] == "70.0"
    stored = dict(a.conclusion)

    # When a new version with another weight takes effect today (the boundary day counts).
    new = new_version(tmp_path, TODAY)

    # Then B, submitted today, is decided with the new weight and records the new version.
    unit_b = UnitFactory(region_id=XIHU_TOWN, name="西湖新规科技有限公司")
    admin_b = make_user(Role.UNIT_ADMIN, unit=unit_b)
    pledge_b = campaign_services.pledge(admin_b, unit_b, year=year, pledged_on=day(year, 3, 10),
                                        congress=congress(day(year, 3, 1)))
    submit_assessment(unit_b, pledge_b, admin_b)
    b = services.apply(admin_b, unit_b, year, application_congress())
    b, criterion_b = decide_with_one_rejection(office, b, reviewer, organisation, assessor)
    assert (b.review_policy_version, b.review_policy_id) == ("zj-recognition-v2", new.pk)
    assert b.conclusion["weights"]["tripartite"] == "3/5"
    assert row_of(b.conclusion, criterion_b)["combined"] == "60.0"

    # And A is as it was: stored version, stored conclusion, and the rules it is handled under.
    a.refresh_from_db()
    assert (a.review_policy_version, a.review_policy_id) == ("zj-recognition-v1", old.pk)
    assert a.conclusion == stored
    assert services.rules_for(a).version == "zj-recognition-v1"
    assert services.combined_conclusion(a)["weights"]["tripartite"] == "7/10"
    # Today's province-wide rules are the new ones.
    assert policy.current().default_weights.tripartite == Fraction(3, 5)


def test_a_version_effective_tomorrow_changes_nothing_today(tmp_path, application):
    new_version(tmp_path, TODAY + datetime.timedelta(days=1))
    assert services.rules_for(application).version == "zj-recognition-v1"
    assert policy.current().version == "zj-recognition-v1"
    assert policy.current(TODAY + datetime.timedelta(days=1)).version == "zj-recognition-v2"
