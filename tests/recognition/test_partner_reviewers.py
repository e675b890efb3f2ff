"""Partners take part in the tripartite review (issue 10 point 3, seed 四（三）: the review is by
government, trade union and enterprise representatives): the county office names members of
its county's partner organisations beside its own staff, their opinions count as tripartite,
each on its side, and they reach nothing but what they are assigned."""

import pytest
from django.urls import reverse

from hexie.accounts.roles import (
    ASSESSMENTS_VIEW,
    CAMPAIGNS_VIEW,
    RECOGNITION_REVIEW,
    RECOGNITION_VIEW,
    UNITS_VIEW,
    Role,
)
from hexie.accounts.services import deactivate
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from hexie.core.scoping import scope_for
from hexie.notifications.models import Notification
from hexie.recognition import services
from hexie.recognition.models import Application, ApplicationEvent, ReviewAssignment
from hexie.recognition.worklist import recognition_todos
from hexie.units import services as unit_services
from tests.factories import (
    HANGZHOU,
    NANHU,
    NANHU_TOWN,
    XIHU,
    UnitFactory,
    make_partner_organisation,
    make_user,
)

from .conftest import review, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def union(db):
    return make_partner_organisation(XIHU, "trade_union", "西湖区总工会")


@pytest.fixture
def unionist(union):
    user = make_user(Role.PARTNER, organisation=union, username="gonghui")
    user.display_name = "张三"
    user.save()
    return user


@pytest.fixture
def employer(db):
    confederation = make_partner_organisation(XIHU, "enterprise_confederation", "西湖区企联")
    return make_user(Role.PARTNER, organisation=confederation, username="qilian")


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def assign(office, application, *staff, organisation=None):
    made = services.assign_reviewers(office, application, staff=list(staff),
                                     organisation=organisation)
    application.refresh_from_db()
    return made


# --- assigning ---------------------------------------------------------------------------------

def test_the_county_names_its_staff_and_its_partners_each_on_their_side(
        office, application, reviewer, unionist, employer, organisation):
    made = assign(office, application, reviewer, unionist, employer, organisation=organisation)
    sides = {a.reviewer_id: (a.track, a.side, a.partner_organisation_id) for a in made
             if a.reviewer_id}
    assert sides == {
        reviewer.pk: ("tripartite", "government", None),
        unionist.pk: ("tripartite", "union", unionist.memberships.get().partner_organisation_id),
        employer.pk: ("tripartite", "enterprise", employer.memberships.get()
                      .partner_organisation_id),
    }
    assert application.state == Application.State.IN_REVIEW
    event = AuditEvent.objects.get(action="recognition.assign")
    assert event.actor_username == office.username and event.after["missing_sides"] == []
    assert {a["side"] for a in event.after["assignments"]} == {"government", "union",
                                                              "enterprise", ""}
    history = ApplicationEvent.objects.get(application=application,
                                           type=ApplicationEvent.Type.REVIEWERS_ASSIGNED)
    assert "西湖区总工会：张三（工会方）" in history.payload["staff"]
    assert Notification.objects.filter(recipient=unionist, kind="recognition.assigned").exists()


def test_a_partner_of_another_county_is_refused_naming_the_field(office, application,
                                                                 reviewer):
    stranger = make_user(Role.PARTNER, organisation=make_partner_organisation(NANHU))
    with pytest.raises(DomainError) as refusal:
        assign(office, application, reviewer, stranger)
    assert (refusal.value.field, refusal.value.code) == ("staff", "staff_outside")
    assert str(stranger) in refusal.value.message
    assert application.state == Application.State.SUBMITTED
    assert not ReviewAssignment.objects.exists()
    assert not AuditEvent.objects.filter(action="recognition.assign").exists()


def test_a_partner_of_the_city_above_is_not_a_county_reviewer(office, application):
    city_union = make_user(Role.PARTNER, organisation=make_partner_organisation(HANGZHOU))
    with pytest.raises(DomainError) as refusal:
        assign(office, application, city_union)
    assert refusal.value.code == "staff_outside"
    assert not ReviewAssignment.objects.exists()


def test_a_deactivated_partner_is_refused(office, application, reviewer, unionist):
    deactivate(office, unionist)
    with pytest.raises(DomainError) as refusal:
        assign(office, application, reviewer, fresh(unionist))
    assert (refusal.value.field, refusal.value.code) == ("staff", "reviewer_inactive")
    assert not ReviewAssignment.objects.exists()


def test_a_missing_side_is_allowed_and_recorded(office, application, reviewer, unionist):
    assign(office, application, reviewer, unionist)
    event = AuditEvent.objects.get(action="recognition.assign")
    assert event.after["missing_sides"] == ["企业方"]


def test_partners_alone_make_a_tripartite_review(office, application, unionist, employer):
    made = assign(office, application, unionist, employer)
    assert {a.side for a in made} == {"union", "enterprise"}
    assert AuditEvent.objects.get(action="recognition.assign").after["missing_sides"] == [
        "政府方"]


# --- reviewing -----------------------------------------------------------------------------

def test_the_partners_opinion_counts_as_tripartite(office, application, reviewer, unionist,
                                                   organisation, assessor):
    assign(office, application, reviewer, unionist, organisation=organisation)
    for a in application.assignments.all():
        actor = {"tripartite": None, "third_party": assessor}[a.track] or a.reviewer
        review(actor, a, recommend=a.reviewer_id != unionist.pk)
    submitted = ReviewAssignment.objects.get(reviewer=unionist)
    assert submitted.state == "submitted" and submitted.submitted_by == unionist
    assert AuditEvent.objects.filter(action="recognition.review",
                                     actor_username="gonghui").exists()
    conclusion = services.combined_conclusion(application)
    assert conclusion["reviewers"] == {"tripartite": 2, "third_party": 1}
    assert conclusion["sides"] == {"government": 1, "union": 1, "enterprise": 0}
    assert conclusion["missing_sides"] == ["企业方"]
    assert {(r["side_label"], r["reviewer"], r["recommend_pass"])
            for r in conclusion["tripartite_reviewers"]} == {
        ("政府方", str(reviewer), True), ("工会方", "西湖区总工会：张三", False)}
    assert conclusion["tripartite_recommend_pass"] == 1
    decided = services.decide(office, application, True, "三方评审和第三方评估均确认达标")
    assert decided.conclusion["sides"]["union"] == 1


def test_the_partner_fills_in_on_the_review_page(client, office, application, reviewer,
                                                 unionist):
    assign(office, application, reviewer, unionist)
    assignment = ReviewAssignment.objects.get(reviewer=unionist)
    client.force_login(unionist)
    home = client.get("/").content.decode()
    assert "我的评审" in home and "待完成的评审" in home
    listing = client.get(reverse("recognition:reviews")).content.decode()
    assert application.unit.name in listing and "工会方" in listing
    form = {f"c_{c['id']}": "1" for c in application.self_assessment.result["criteria"]}
    done = client.post(reverse("recognition:review", args=[assignment.pk]),
                       form | {"site_visit_on": today().isoformat(),
                               "recommend_pass": "1", "comment": "工会方意见：同意"})
    assert done.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == "submitted" and assignment.comment == "工会方意见：同意"


def test_the_worklist_counts_the_partners_open_review(office, application, reviewer, unionist):
    assert not [t for t in recognition_todos(unionist) if t.key == "recognition.reviews"]
    assign(office, application, reviewer, unionist)
    todos = {t.key: t for t in recognition_todos(fresh(unionist))}
    assert todos["recognition.reviews"].count == 1


# --- what a partner reaches --------------------------------------------------------------------

def test_a_partner_reaches_only_the_applications_assigned_to_them(
        office, application, reviewer, unionist, union):
    before = fresh(unionist)
    assert scope_for(before, RECOGNITION_VIEW).is_empty
    assert scope_for(before, UNITS_VIEW).region_prefixes == (XIHU,)
    assign(office, application, reviewer, unionist)
    after = fresh(unionist)
    for permission in (RECOGNITION_VIEW, RECOGNITION_REVIEW, ASSESSMENTS_VIEW):
        scope = scope_for(after, permission)
        assert scope.region_prefixes == () and scope.unit_ids == {application.unit_id}
    assert scope_for(after, CAMPAIGNS_VIEW).region_prefixes == (XIHU,)
    # a colleague of the same union, not named, reaches nothing of it
    colleague = make_user(Role.PARTNER, organisation=union)
    assert scope_for(colleague, RECOGNITION_VIEW).is_empty


def test_a_partner_reviewer_stays_read_only(office, application, reviewer, unionist):
    assign(office, application, reviewer, unionist)
    partner = fresh(unionist)
    with pytest.raises(NotPermitted):  # inside what they see: 403
        services.assign_reviewers(partner, application, staff=[partner])
    for a in application.assignments.all():
        review(a.reviewer, a)
    with pytest.raises(NotPermitted):
        services.decide(partner, application, True, "同意")
    with pytest.raises(NotPermitted):
        unit_services.update_unit(partner, application.unit, {"employees": "999"})
    application.refresh_from_db()
    assert application.state == Application.State.IN_REVIEW
    assert application.unit.employees != 999


def test_a_partner_gets_404_outside(client, office, application, reviewer, unionist):
    assign(office, application, reviewer, unionist)
    assignment = ReviewAssignment.objects.get(reviewer=reviewer)
    elsewhere = UnitFactory(region_id=NANHU_TOWN)
    client.force_login(unionist)
    assert client.get(f"/units/{elsewhere.pk}/").status_code == 404
    # the county's pages, another reviewer's assignment: not theirs to see
    assert client.get(reverse("recognition:list")).status_code == 404
    assert client.get(reverse("recognition:detail", args=[application.pk])).status_code == 404
    assert client.post(reverse("recognition:assign", args=[application.pk]),
                       {"staff": [unionist.pk]}).status_code == 404
    assert client.post(reverse("recognition:decide", args=[application.pk]),
                       {"passed": "1", "reason": "同意"}).status_code == 404
    assert client.get(reverse("recognition:review", args=[assignment.pk])).status_code == 404
    with pytest.raises(OutOfScope):
        services.decide(fresh(unionist), Application.objects.create(
            unit=elsewhere, pledge=application.pledge, year=application.year + 1,
            self_assessment=application.self_assessment,
            congress=application.pledge.congress, submitted_by=office), True, "x")


def test_a_partner_not_named_cannot_fill_in(client, office, application, reviewer, unionist,
                                            union):
    assign(office, application, reviewer, unionist)
    assignment = ReviewAssignment.objects.get(reviewer=unionist)
    colleague = make_user(Role.PARTNER, organisation=union)
    client.force_login(colleague)
    assert client.get(reverse("recognition:review", args=[assignment.pk])).status_code == 404
    with pytest.raises(OutOfScope):
        review(colleague, assignment)


# --- the county's pages --------------------------------------------------------------------------

def test_the_assignment_page_offers_partners_by_organisation(client, office, application,
                                                             reviewer, unionist):
    client.force_login(office)
    page = client.get(reverse("recognition:detail", args=[application.pk])).content.decode()
    assert "西湖区总工会（工会方）" in page and "西湖区总工会：张三" in page
    assert "本县（市、区）三方办公室（政府方）" in page
    assert 'data-testid="help-staff"' in page and "企业方" in page  # no enterprise account
    done = client.post(reverse("recognition:assign", args=[application.pk]),
                       {"staff": [reviewer.pk, unionist.pk]}, follow=True)
    body = done.content.decode()
    assert "三方评审缺少企业方的评审人员" in body
    assert 'data-testid="missing-sides"' in body and "工会方" in body
    assert ReviewAssignment.objects.filter(reviewer=unionist, side="union").exists()


def test_the_assignment_page_refuses_another_countys_partner(client, office, application):
    stranger = make_user(Role.PARTNER, organisation=make_partner_organisation(NANHU))
    client.force_login(office)
    refused = client.post(reverse("recognition:assign", args=[application.pk]),
                          {"staff": [stranger.pk]})
    assert refused.status_code == 400 and 'data-testid="error-staff"' in refused.content.decode()
    assert not ReviewAssignment.objects.exists()


# --- the API and the reminders -------------------------------------------------------------------

def test_the_api_assigns_a_partner_and_the_partner_submits_through_it(office, application,
                                                                      reviewer, unionist):
    from rest_framework.test import APIClient

    from .test_api import opinions_payload

    county, partner = APIClient(), APIClient()
    county.force_authenticate(office)
    partner.force_authenticate(unionist)
    stranger = make_user(Role.PARTNER, organisation=make_partner_organisation(NANHU))
    refused = county.post(f"/api/v1/applications/{application.pk}/assign/",
                          {"staff": [stranger.pk]}, format="json")
    assert refused.status_code == 400
    assert (refused.json()["field"], refused.json()["code"]) == ("staff", "staff_outside")
    made = county.post(f"/api/v1/applications/{application.pk}/assign/",
                       {"staff": [reviewer.pk, unionist.pk]}, format="json")
    assert made.status_code == 201
    assert {(a["reviewer"], a["side"]) for a in made.json()} == {
        (reviewer.pk, "government"), (unionist.pk, "union")}
    mine = partner.get("/api/v1/review-assignments/").json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert [r["side"] for r in rows] == ["union"]
    answer = partner.post(f"/api/v1/review-assignments/{rows[0]['id']}/submit/", {
        "opinions": opinions_payload(application), "site_visit_on": today().isoformat(),
        "recommend_pass": True, "comment": "工会方同意"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "submitted"
    assert partner.get(f"/api/v1/applications/{application.pk}/").status_code == 200
    assert partner.post(f"/api/v1/applications/{application.pk}/decide/",
                        {"passed": True, "reason": "同意"}, format="json").status_code == 403


def test_the_partner_is_reminded_of_the_due_date(office, application, reviewer, unionist):
    from hexie.recognition.reminders import review_deadlines

    made = assign(office, application, reviewer, unionist)
    due = made[0].due_on
    deadlines = {d.key: d for d in review_deadlines(due)}
    partner_assignment = ReviewAssignment.objects.get(reviewer=unionist)
    assert deadlines[f"review-due:{partner_assignment.pk}"].recipients == [unionist]
