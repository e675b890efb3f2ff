"""The application's history (issue 9, point 4): each state change writes one typed event with
its actor in the service's transaction, the application page shows it as 办理记录, the API lists
it inside the scope only, and an event cannot be changed or deleted."""

import pytest
from rest_framework.test import APIClient

from hexie.accounts.roles import Role
from hexie.core.errors import DomainError
from hexie.core.events import ImmutableEvent
from hexie.recognition import services
from hexie.recognition.models import Application, ApplicationEvent
from tests.factories import NANHU, make_user

from .conftest import application_congress

pytestmark = pytest.mark.django_db


def types(application):
    return [e.type for e in application.events.all()]


def test_apply_writes_one_submitted_event(application, unit_admin, year, assessment):
    event = ApplicationEvent.objects.get()
    assert (event.application, event.type, event.actor) == (application, "submitted", unit_admin)
    assert event.payload["self_assessment_sequence"] == assessment.sequence
    assert f"次单位自评提出 {year} 年度认定申请" in event.describe()


def test_a_refused_application_writes_no_event(unit, unit_admin, year, application):
    with pytest.raises(DomainError):
        services.apply(unit_admin, unit, year, application_congress())
    assert ApplicationEvent.objects.count() == 1


def test_the_whole_case_reads_as_its_history(office, reviewed, reviewer, assessor, unit_admin):
    services.decide(office, reviewed, False, "实地核查发现欠薪")
    services.appeal(unit_admin, reviewed, "欠薪已于核查前结清")
    appeal = reviewed.appeals.get()
    services.handle_appeal(office, appeal, True, "重新核查")
    assert types(reviewed) == ["submitted", "reviewers_assigned", "review_submitted",
                               "review_submitted", "failed", "appealed", "appeal_accepted"]
    by_type = {e.type: e for e in reviewed.events.all()}
    assert by_type["reviewers_assigned"].actor == office
    assert str(reviewer) in by_type["reviewers_assigned"].describe()
    assert {e.actor for e in reviewed.events.filter(type="review_submitted")} == {reviewer,
                                                                                 assessor}
    assert by_type["failed"].describe() == "作出认定决定：评审未通过。理由：实地核查发现欠薪"
    assert by_type["appealed"].actor == unit_admin
    assert by_type["appeal_accepted"].describe() == "受理申诉，进入第 2 轮评审。答复：重新核查"


def test_a_pass_and_a_rejected_appeal(office, reviewed, unit_admin):
    services.decide(office, reviewed, True, "各项标准经三方评审和第三方评估确认达标")
    event = reviewed.events.get(type="passed")
    assert event.describe().startswith("作出认定决定：评审通过，认定为和谐劳动关系单位")
    with pytest.raises(DomainError):
        services.appeal(unit_admin, reviewed, "不服")  # only a fail can be appealed
    assert not reviewed.events.filter(type="appealed").exists()


def test_the_event_rolls_back_with_the_decision(office, reviewed, monkeypatch):
    """A failure after the event is written (here: the notification) leaves neither."""
    def broken(*args, **kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        services.decide(office, reviewed, False, "理由")
    assert Application.objects.get(pk=reviewed.pk).state == "in_review"
    assert not reviewed.events.filter(type="failed").exists()


def test_the_application_page_shows_the_timeline(client, office, in_review, unit_admin):
    client.force_login(office)
    page = client.get(f"/recognition/{in_review.pk}/").content.decode()
    assert "办理记录" in page
    assert "年度认定申请" in page and "受理并指派第 1 轮评审人员" in page
    assert str(unit_admin) in page and str(office) in page


def test_the_api_lists_the_events_inside_the_scope_only(office, in_review):
    client = APIClient()
    client.force_authenticate(office)
    response = client.get(f"/api/v1/applications/{in_review.pk}/events/")
    assert response.status_code == 200
    assert [e["type"] for e in response.data] == ["submitted", "reviewers_assigned"]
    assert response.data[1]["actor"] == office.pk
    client.force_authenticate(make_user(Role.COUNTY_OFFICE, region=NANHU))
    assert client.get(f"/api/v1/applications/{in_review.pk}/events/").status_code == 404


def test_an_event_cannot_be_changed_or_deleted(application):
    event = ApplicationEvent.objects.get()
    event.type = "passed"
    with pytest.raises(ImmutableEvent):
        event.save()
    with pytest.raises(ImmutableEvent):
        event.delete()
    with pytest.raises(ImmutableEvent):
        application.events.all().delete()
    assert ApplicationEvent.objects.get().type == "submitted"
