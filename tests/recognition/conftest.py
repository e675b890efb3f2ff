"""The world of the recognition tests: 西湖区's campaign of last year, a medium enterprise in
西湖区北山街道 that pledged (congress on 1 March) and submitted a self-assessment meeting the
baseline with every evidence file, its admin, the county office, a second county staff member
who reviews, and a third-party organisation with one assessor. Self-assessments are written
with the ORM (the assessments app's services are someone else's), their result from the real
evaluator on real facts."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.assessments.models import SelfAssessment
from hexie.campaigns import services as campaign_services
from hexie.recognition import services
from hexie.standards import services as standard_services
from hexie.standards.evaluator import UnitProfile, evaluate
from hexie.standards.services import compiled, resolve
from tests.campaigns import conftest as campaign_world
from tests.campaigns.conftest import congress, day, minutes
from tests.factories import XIHU, make_organisation, make_user

# The campaign tests' world (西湖区's office and campaign of last year, the unit and its admin).
media_root = campaign_world.media_root
year = campaign_world.year
office = campaign_world.office
other_office = campaign_world.other_office
unit = campaign_world.unit
other_unit = campaign_world.other_unit
unit_admin = campaign_world.unit_admin
campaign = campaign_world.campaign
__all__ = ["congress", "day", "minutes"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users are made in every test; the production hasher's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def libraries(db):
    standard_services._compiled.cache_clear()
    call_command("standards", "load", stdout=io.StringIO())
    yield
    standard_services._compiled.cache_clear()


def today():
    return timezone.localdate()


def compliant_facts(lib, profile) -> dict:
    """Every fact the unit's sets read, all compliant (as tests/standards does)."""
    set_ids = lib.sets_for(profile.kind, profile.size, profile.platform)
    value = {"boolean": True, "integer": 10, "number": 100}
    return {name: value[lib.facts[name].type] for name in lib.facts_for(set_ids)}


def submit_assessment(unit, pledge, admin, *, standard="zj-baseline", facts=None,
                      evidence=True, sequence=None) -> SelfAssessment:
    """A submitted self-assessment with the evaluator's real result."""
    row = resolve(standard)
    lib = compiled(row.pk)
    profile = UnitProfile(unit.kind, unit.size, bool(getattr(unit, "platform", False)))
    facts = facts if facts is not None else compliant_facts(lib, profile)
    items = {i.id for s in lib.sets_for(profile.kind, profile.size, profile.platform)
             for i in lib.sets[s].items} if evidence else set()
    result = evaluate(lib, profile, facts, items)
    if sequence is None:
        sequence = SelfAssessment.objects.filter(unit=unit, year=pledge.year).count() + 1
    return SelfAssessment.objects.create(
        unit=unit, pledge=pledge, year=pledge.year, standard=row,
        profile={"kind": profile.kind, "size": profile.size, "platform": profile.platform},
        facts=facts, state=SelfAssessment.State.SUBMITTED, sequence=sequence, result=result,
        meets=result["meets"], evidence_complete=result["evidence_complete"],
        created_by=admin, submitted_by=admin, submitted_at=timezone.now(),
    )


def application_congress(held_on=None, **kwargs):
    return congress(held_on or today() - datetime.timedelta(days=1),
                    resolution="大会讨论通过，同意申请和谐劳动关系单位认定。", **kwargs)


@pytest.fixture
def pledge(unit, unit_admin, campaign, year):
    return campaign_services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                                    congress=congress(day(year, 3, 1)))


@pytest.fixture
def assessment(unit, pledge, unit_admin):
    return submit_assessment(unit, pledge, unit_admin)


@pytest.fixture
def application(unit, unit_admin, year, assessment):
    return services.apply(unit_admin, unit, year, application_congress())


@pytest.fixture
def reviewer(db):
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


@pytest.fixture
def organisation(db):
    return make_organisation(XIHU)


@pytest.fixture
def assessor(organisation):
    return make_user(Role.ASSESSOR, organisation=organisation)


@pytest.fixture
def in_review(office, application, reviewer, organisation, assessor):
    services.assign_reviewers(office, application, staff=[reviewer], organisation=organisation)
    application.refresh_from_db()
    return application


def all_opinions(application, confirmed=True, comment="核查属实"):
    return {c["id"]: (confirmed, comment) for c in application.self_assessment.result["criteria"]}


def review(actor, assignment, *, opinions=None, score=None, recommend=True, **kwargs):
    return services.submit_review(
        actor, assignment, opinions if opinions is not None else all_opinions(
            assignment.application), kwargs.pop("site_visit_on", today()),
        kwargs.pop("site_visit_notes", "实地查看台账"), score, recommend, "评审意见", **kwargs)


@pytest.fixture
def reviewed(in_review, reviewer, assessor):
    for a in in_review.assignments.all():
        review(reviewer if a.track == "tripartite" else assessor, a)
    in_review.refresh_from_db()
    return in_review
