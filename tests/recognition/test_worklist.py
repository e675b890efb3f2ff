"""The workbench to-dos of recognition and the review due-date reminders."""

import datetime

import pytest

from hexie.core import worklist
from hexie.notifications import reminders
from hexie.recognition import services
from hexie.recognition.models import ReviewAssignment
from hexie.recognition.reminders import review_deadlines
from hexie.recognition.worklist import recognition_todos

from .conftest import application_congress, review, submit_assessment, today

pytestmark = pytest.mark.django_db


def todos(user) -> dict:
    return {t.key: t for t in recognition_todos(user)}


def test_registered():
    assert recognition_todos in worklist.PROVIDERS
    assert review_deadlines in reminders.PROVIDERS


def test_unit_admin_can_apply_once_the_latest_submission_is_ready(unit, unit_admin, pledge,
                                                                  year):
    assert "recognition.can_apply" not in todos(unit_admin)
    submit_assessment(unit, pledge, unit_admin, evidence=False)
    assert "recognition.can_apply" not in todos(unit_admin)
    submit_assessment(unit, pledge, unit_admin)
    todo = todos(unit_admin)["recognition.can_apply"]
    assert todo.count == 1 and todo.url == f"/recognition/apply/?unit={unit.pk}&year={year}"
    services.apply(unit_admin, unit, year, application_congress())
    assert "recognition.can_apply" not in todos(unit_admin)


def test_county_to_dos_follow_the_application(office, application, reviewer, organisation,
                                              assessor, unit_admin, other_office):
    assert todos(office)["recognition.to_accept"].count == 1
    assert todos(other_office) == {}
    services.assign_reviewers(office, application, staff=[reviewer], organisation=organisation)
    got = todos(office)
    assert "recognition.to_accept" not in got and "recognition.to_decide" not in got
    due = today() + datetime.timedelta(days=30)
    for user in (reviewer, assessor):
        t = todos(user)["recognition.reviews"]
        assert (t.count, t.due, t.overdue) == (1, due, False)
    review(reviewer, application.assignments.get(track="tripartite"))
    assert "recognition.to_decide" not in todos(office)
    assert "recognition.reviews" not in todos(reviewer)
    review(assessor, application.assignments.get(track="third_party"))
    assert todos(office)["recognition.to_decide"].count == 1
    services.decide(office, application, False, "欠薪")
    assert "recognition.to_decide" not in todos(office)
    services.appeal(unit_admin, application, "已补发")
    assert todos(office)["recognition.appeals"].count == 1
    services.handle_appeal(office, application.appeals.get(), True, "")
    got = todos(office)
    assert "recognition.appeals" not in got
    assert got["recognition.to_accept"].count == 1  # reopened, reviewers to assign again


def test_overdue_review_flagged(in_review, reviewer):
    yesterday = today() - datetime.timedelta(days=1)
    ReviewAssignment.objects.filter(application=in_review).update(due_on=yesterday)
    t = todos(reviewer)["recognition.reviews"]
    assert t.overdue is True and t.due == yesterday


def test_review_deadlines_within_the_lead_time(in_review, reviewer, assessor, organisation):
    tripartite = in_review.assignments.get(track="tripartite")
    third = in_review.assignments.get(track="third_party")
    now = today()
    ReviewAssignment.objects.filter(pk=tripartite.pk).update(
        due_on=now + datetime.timedelta(days=3))
    ReviewAssignment.objects.filter(pk=third.pk).update(due_on=now + datetime.timedelta(days=4))
    got = review_deadlines(now)
    assert [d.key for d in got] == [f"review-due:{tripartite.pk}"]
    assert list(got[0].recipients) == [reviewer]
    assert got[0].due_on == now + datetime.timedelta(days=3)
    assert got[0].url == f"/recognition/reviews/{tripartite.pk}/"
    later = review_deadlines(now + datetime.timedelta(days=1))
    assert [d.key for d in later] == [f"review-due:{tripartite.pk}", f"review-due:{third.pk}"]
    assert list(later[1].recipients) == [assessor]
    # a passed deadline and a submitted review are not reminded of
    assert review_deadlines(now + datetime.timedelta(days=5)) == []
    review(reviewer, tripartite)
    assert [d.key for d in review_deadlines(now + datetime.timedelta(days=1))] == [
        f"review-due:{third.pk}"]

