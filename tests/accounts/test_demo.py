"""The demo data set: the whole year is there for every role to look at, and loading it again
changes nothing."""

import pytest

from hexie.accounts.models import User
from hexie.accounts.roles import RECOGNITION_REVIEW, UNITS_VIEW
from hexie.assessments.models import SelfAssessment
from hexie.core import worklist
from hexie.core.models import AuditEvent
from hexie.core.scoping import scope_for
from hexie.healthcheck.models import HealthCheck
from hexie.publicity.models import PublishedEntry
from hexie.recognition.models import Application, Recognition, ReviewAssignment
from hexie.site.demo import load_demo
from hexie.surveys.models import SurveyRound
from hexie.units.models import Unit


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.mark.django_db
def test_the_demo_holds_a_whole_year_and_loads_once():
    load_demo()
    events = AuditEvent.objects.count()

    # Recognised and published: the public list holds one 西湖区 unit.
    published = Recognition.objects.get(state=Recognition.State.PUBLISHED)
    assert published.unit.region_id.startswith("330106")
    assert PublishedEntry.objects.filter(recognition=published).count() == 1
    # A second application waits for its reviewers: the county office and the demo assessor.
    waiting = Application.objects.get(state=Application.State.IN_REVIEW)
    tracks = set(ReviewAssignment.objects.filter(application=waiting, state="assigned")
                 .values_list("track", flat=True))
    assert tracks == {"tripartite", "third_party"}
    assessor = User.objects.get(username="pinggu")
    assert waiting.unit_id in scope_for(assessor, RECOGNITION_REVIEW).unit_ids
    # The assessor reaches exactly the units its organisation was assigned (both applications).
    assert set(Unit.objects.visible_to(assessor, UNITS_VIEW).values_list("pk", flat=True)) == {
        published.unit_id, waiting.unit_id}
    keys = {t.key for t in worklist.todos_for(assessor)}
    assert any("review" in k for k in keys), keys
    # 西湖区总工会's gonghui reviews for the union side: one opinion given, one to do.
    gonghui = User.objects.get(username="gonghui")
    assert gonghui.memberships.get().partner_organisation.name == "西湖区总工会"
    assert ReviewAssignment.objects.get(application=waiting, reviewer=gonghui).side == "union"
    assert ReviewAssignment.objects.get(application=published.application,
                                        reviewer=gonghui).state == "submitted"
    assert published.application.conclusion["sides"]["union"] == 1
    todos = {t.key: t for t in worklist.todos_for(gonghui)}
    assert todos["recognition.reviews"].count == 1
    assert SelfAssessment.objects.filter(state="submitted", meets=True).count() == 2
    assert HealthCheck.objects.filter(unit=published.unit).exists()
    assert SurveyRound.objects.filter(state="closed").exists()

    load_demo()
    assert AuditEvent.objects.count() == events
