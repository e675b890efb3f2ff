"""Application (四（二）) and review (四（三）) services: every guard's refusal (message, code,
nothing changed), the boundaries, audit events and notifications."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hexie.accounts.roles import RECOGNITION_VIEW, Role
from hexie.campaigns import services as campaign_services
from hexie.campaigns.models import CongressRecord
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from hexie.core.scoping import scope_for
from hexie.notifications.models import Notification
from hexie.recognition import services
from hexie.recognition.models import Appeal, Application, Recognition, ReviewAssignment
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_organisation, make_user

from .conftest import (
    all_opinions,
    application_congress,
    compliant_facts,
    day,
    review,
    submit_assessment,
    today,
)

pytestmark = pytest.mark.django_db


def refused(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(*args, **kwargs)
    return caught.value


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def kinds_for(user) -> list[str]:
    """The recognition messages ``user`` got (the pledge of the fixtures sends its own)."""
    return list(Notification.objects.filter(recipient=user, kind__startswith="recognition.")
                .values_list("kind", flat=True))


# --- apply -----------------------------------------------------------------------------------

def test_apply_records_the_second_congress_audits_and_notifies(unit, unit_admin, office, year,
                                                              assessment):
    made = services.apply(unit_admin, unit, year, application_congress())
    assert made.state == Application.State.SUBMITTED
    assert made.self_assessment == assessment
    assert made.congress.purpose == "application"
    assert made.congress.minutes.name.endswith(".pdf")
    assert made.pledge.congress_id != made.congress_id
    assert actions()[-2:] == ["campaigns.congress_record", "recognition.apply"]
    event = AuditEvent.objects.get(action="recognition.apply")
    assert "四（二）" in event.after["rule"]
    assert kinds_for(office) == ["recognition.applied"]
    assert kinds_for(unit_admin) == ["recognition.applied"]


def assert_nothing_applied(before_records):
    assert Application.objects.count() == 0
    assert CongressRecord.objects.count() == before_records


@pytest.mark.parametrize("who", ["office", "other_office"])
def test_only_the_units_admin_applies(request, unit, year, assessment, who):
    actor = request.getfixturevalue(who)
    expected = NotPermitted if who == "office" else OutOfScope
    with pytest.raises(expected):
        services.apply(actor, unit, year, application_congress())
    assert Application.objects.count() == 0


def test_no_pledge_for_the_year(unit, unit_admin, year, assessment):
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year + 1, application_congress())
    assert error.code == "no_pledge"
    assert "未提交" in error.message and "四（二）" in error.message
    assert_nothing_applied(records)


def test_no_submitted_self_assessment(unit, unit_admin, year, pledge):
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year, application_congress())
    assert error.code == "no_self_assessment"
    assert "尚未提交" in error.message and "四（二）" in error.message
    assert_nothing_applied(records)


def test_latest_submission_must_meet_the_standard(unit, unit_admin, year, pledge, assessment):
    facts = compliant_facts_for(assessment) | {"satisfaction_percent": 80}
    later = submit_assessment(unit, pledge, unit_admin, facts=facts)
    assert later.meets is False and later.sequence == 2
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year, application_congress())
    assert error.code == "standard_not_met"
    assert "第 2 次" in error.message and "四（二）" in error.message
    assert_nothing_applied(records)


def compliant_facts_for(assessment) -> dict:
    return dict(assessment.facts)


def test_an_earlier_failing_submission_does_not_count(unit, unit_admin, year, pledge):
    from hexie.standards.evaluator import UnitProfile
    from hexie.standards.services import compiled, resolve

    lib = compiled(resolve("zj-baseline").pk)
    facts = compliant_facts(lib, UnitProfile("enterprise", "medium"))
    submit_assessment(unit, pledge, unit_admin, facts=facts | {"satisfaction_percent": 80})
    submit_assessment(unit, pledge, unit_admin, facts=facts)
    made = services.apply(unit_admin, unit, year, application_congress())
    assert made.self_assessment.sequence == 2


def test_evidence_must_be_complete(unit, unit_admin, year, pledge):
    incomplete = submit_assessment(unit, pledge, unit_admin, evidence=False)
    assert incomplete.meets is True and incomplete.evidence_complete is False
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year, application_congress())
    assert error.code == "evidence_incomplete"
    assert "证明材料不齐全" in error.message and "四（二）" in error.message
    assert_nothing_applied(records)


def test_a_congress_record_is_required(unit, unit_admin, year, assessment):
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year, None)
    assert error.code == "no_congress" and "四（二）" in error.message
    assert_nothing_applied(records)


def test_congress_not_after_the_application_date(unit, unit_admin, year, assessment):
    records = CongressRecord.objects.count()
    tomorrow = today() + datetime.timedelta(days=1)
    error = refused(services.apply, unit_admin, unit, year, application_congress(tomorrow))
    assert error.code == "congress_after_application" and error.field == "held_on"
    assert "四（二）" in error.message
    assert_nothing_applied(records)


def test_congress_on_the_application_date_is_accepted(unit, unit_admin, year, assessment):
    made = services.apply(unit_admin, unit, year, application_congress(today()))
    assert made.congress.held_on == today()


def test_congress_must_be_held_after_the_pledges_congress(unit, unit_admin, year, assessment):
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year, application_congress(day(year, 3, 1)))
    assert error.code == "congress_not_after_pledge"
    assert "另一次大会" in error.message and "四（二）" in error.message
    assert_nothing_applied(records)
    made = services.apply(unit_admin, unit, year, application_congress(day(year, 3, 2)))
    assert made.congress.held_on == day(year, 3, 2)


def test_congress_quorum_as_for_the_pledge(unit, unit_admin, year, assessment):
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year,
                    application_congress(present=29, total=45))
    assert error.code == "no_quorum" and "三分之二" in error.message
    assert_nothing_applied(records)
    assert services.apply(unit_admin, unit, year, application_congress(present=30, total=45))


def test_minutes_file_signature_checked(unit, unit_admin, year, assessment):
    records = CongressRecord.objects.count()
    fake = SimpleUploadedFile("minutes.pdf", b"not a pdf at all")
    error = refused(services.apply, unit_admin, unit, year, application_congress(file=fake))
    assert error.field == "minutes" and "不符" in error.message
    assert_nothing_applied(records)


def test_minutes_missing_names_the_application_rule(unit, unit_admin, year, assessment):
    record = application_congress()
    record.minutes = None
    error = refused(services.apply, unit_admin, unit, year, record)
    assert error.field == "minutes" and "四（二）" in error.message


def test_one_application_per_unit_and_year(unit, unit_admin, year, application):
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year, application_congress())
    assert error.code == "duplicate" and "每年只能申请一次" in error.message
    assert Application.objects.count() == 1
    assert CongressRecord.objects.count() == records


def test_concurrent_double_submit_is_a_readable_duplicate(monkeypatch, unit, unit_admin, year,
                                                          application):
    """Both requests passed the check before either inserted: the unique constraint answers."""
    monkeypatch.setattr(services, "_already_applied", lambda unit, year: False)
    records = CongressRecord.objects.count()
    error = refused(services.apply, unit_admin, unit, year, application_congress())
    assert error.code == "duplicate"
    assert Application.objects.count() == 1
    assert CongressRecord.objects.count() == records


# --- assign ----------------------------------------------------------------------------------

def test_assign_starts_the_review(office, application, reviewer, organisation, assessor,
                                  unit_admin):
    made = services.assign_reviewers(office, application, staff=[reviewer],
                                     organisation=organisation)
    application.refresh_from_db()
    assert application.state == Application.State.IN_REVIEW
    assert [(a.track, a.reviewer_id, a.organisation_id) for a in made] == [
        ("tripartite", reviewer.pk, None), ("third_party", None, organisation.pk)]
    due = today() + datetime.timedelta(days=30)
    assert {a.due_on for a in made} == {due}
    assert actions()[-1] == "recognition.assign"
    assert kinds_for(reviewer) == ["recognition.assigned"]
    assert kinds_for(assessor) == ["recognition.assigned"]
    assert "recognition.in_review" in kinds_for(unit_admin)


def test_assign_without_organisation(office, application, reviewer):
    made = services.assign_reviewers(office, application, staff=[reviewer, office],
                                     due_on=today())
    assert len(made) == 2 and all(a.track == "tripartite" for a in made)


@pytest.mark.parametrize("who,error", [("unit_admin", NotPermitted),
                                       ("other_office", OutOfScope)])
def test_only_the_county_assigns(request, application, reviewer, who, error):
    with pytest.raises(error):
        services.assign_reviewers(request.getfixturevalue(who), application, staff=[reviewer])
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED
    assert ReviewAssignment.objects.count() == 0


def test_at_least_one_staff_reviewer(office, application, organisation):
    error = refused(services.assign_reviewers, office, application, staff=[],
                    organisation=organisation)
    assert error.code == "no_staff" and "四（三）" in error.message
    assert ReviewAssignment.objects.count() == 0


@pytest.mark.parametrize("who", ["other_office", "town", "assessor"])
def test_staff_must_be_the_countys(request, office, application, who):
    if who == "town":
        staff = make_user(Role.TOWN_OFFICE, region=XIHU_TOWN)
    else:
        staff = request.getfixturevalue(who)
    error = refused(services.assign_reviewers, office, application, staff=[staff])
    assert error.code == "staff_outside" and str(staff) in error.message
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED
    assert ReviewAssignment.objects.count() == 0


def test_due_date_not_in_the_past(office, application, reviewer):
    error = refused(services.assign_reviewers, office, application, staff=[reviewer],
                    due_on=today() - datetime.timedelta(days=1))
    assert error.field == "due_on"
    assert ReviewAssignment.objects.count() == 0


def test_assigning_twice_is_an_illegal_transition(office, in_review, reviewer):
    count = ReviewAssignment.objects.count()
    error = refused(services.assign_reviewers, office, in_review, staff=[reviewer])
    assert error.code == "illegal_transition" and "评审中" in error.message
    assert ReviewAssignment.objects.count() == count


def test_assessor_scope_is_exactly_the_assigned_units(office, application, reviewer,
                                                      organisation, assessor):
    other = make_user(Role.ASSESSOR, organisation=make_organisation(XIHU))
    assert scope_for(assessor, RECOGNITION_VIEW).is_empty
    services.assign_reviewers(office, application, staff=[reviewer], organisation=organisation)
    for user in (assessor, other):
        user.__dict__.pop("_hexie_scope_cache", None)
    assert scope_for(assessor, RECOGNITION_VIEW).unit_ids == {application.unit_id}
    assert scope_for(assessor, RECOGNITION_VIEW).region_prefixes == ()
    assert scope_for(other, RECOGNITION_VIEW).is_empty


# --- submit review ---------------------------------------------------------------------------

def tripartite(application):
    return application.assignments.get(track="tripartite")


def third_party(application):
    return application.assignments.get(track="third_party")


def test_tripartite_review(in_review, reviewer, office):
    done = review(reviewer, tripartite(in_review))
    assert done.state == ReviewAssignment.State.SUBMITTED
    assert done.submitted_by == reviewer and done.site_visit_on == today()
    assert done.opinions.count() == len(in_review.self_assessment.result["criteria"])
    assert actions()[-1] == "recognition.review"
    assert "recognition.reviewed" in kinds_for(office)


def test_any_member_of_the_organisation_fills_the_third_party_part(in_review, organisation):
    colleague = make_user(Role.ASSESSOR, organisation=organisation)
    done = review(colleague, third_party(in_review))
    assert done.submitted_by == colleague


def test_a_county_colleague_not_named_may_not_review(in_review, office):
    with pytest.raises(NotPermitted):
        review(office, tripartite(in_review))
    assert tripartite(in_review).state == ReviewAssignment.State.ASSIGNED


def test_another_organisation_cannot_see_the_assignment(in_review):
    stranger = make_user(Role.ASSESSOR, organisation=make_organisation(XIHU))
    with pytest.raises(OutOfScope):
        review(stranger, third_party(in_review))
    assert third_party(in_review).state == ReviewAssignment.State.ASSIGNED


def test_every_criterion_needs_an_opinion(in_review, reviewer):
    opinions = all_opinions(in_review)
    opinions.pop("EL-11")
    error = refused(review, reviewer, tripartite(in_review), opinions=opinions)
    assert error.code == "opinion_missing" and "EL-11" in error.message
    assert "四（三）" in error.message
    assert tripartite(in_review).state == ReviewAssignment.State.ASSIGNED


def test_unknown_criterion_refused(in_review, reviewer):
    opinions = all_opinions(in_review) | {"CP-01": (True, "")}
    error = refused(review, reviewer, tripartite(in_review), opinions=opinions)
    assert "CP-01" in error.message


def test_a_rejection_needs_a_comment(in_review, reviewer):
    opinions = all_opinions(in_review) | {"EL-06": (False, "  ")}
    error = refused(review, reviewer, tripartite(in_review), opinions=opinions)
    assert error.code == "rejection_without_comment" and "EL-06" in error.message
    assert tripartite(in_review).opinions.count() == 0


def test_site_visit_required(in_review, reviewer):
    error = refused(review, reviewer, tripartite(in_review), site_visit_on=None)
    assert error.code == "no_site_visit" and error.field == "site_visit_on"


def test_site_visit_not_in_the_future(in_review, reviewer):
    error = refused(review, reviewer, tripartite(in_review),
                    site_visit_on=today() + datetime.timedelta(days=1))
    assert error.field == "site_visit_on"


def test_site_visit_not_before_the_application(in_review, reviewer):
    error = refused(review, reviewer, tripartite(in_review),
                    site_visit_on=today() - datetime.timedelta(days=1))
    assert error.field == "site_visit_on" and "早于申请日期" in error.message


def test_no_score_on_an_unscored_library(in_review, reviewer):
    error = refused(review, reviewer, tripartite(in_review), score=90)
    assert error.field == "score" and "不计分" in error.message


def test_recommendation_required(in_review, reviewer):
    error = refused(review, reviewer, tripartite(in_review), recommend=None)
    assert error.field == "recommend_pass"


def test_submitting_twice_is_an_illegal_transition(in_review, reviewer):
    review(reviewer, tripartite(in_review))
    error = refused(review, reviewer, tripartite(in_review))
    assert error.code == "illegal_transition" and "已提交评审意见" in error.message
    assert tripartite(in_review).opinions.count() == len(
        in_review.self_assessment.result["criteria"])


@pytest.fixture
def scored(unit, unit_admin, year, pledge, office, reviewer, organisation, assessor):
    submit_assessment(unit, pledge, unit_admin, standard="example-scored")
    application = services.apply(unit_admin, unit, year, application_congress())
    services.assign_reviewers(office, application, staff=[reviewer, office],
                              organisation=organisation)
    application.refresh_from_db()
    return application


def test_score_required_on_a_scored_library(scored, reviewer):
    a = scored.assignments.filter(track="tripartite").first()
    error = refused(review, a.reviewer, a)
    assert error.code == "no_score" and "0–100" in error.message


@pytest.mark.parametrize("score,ok", [(0, True), (100, True), ("100.01", False), (-1, False),
                                      ("99.999", False)])
def test_score_bounds(scored, score, ok):
    a = scored.assignments.filter(track="tripartite").first()
    if ok:
        assert review(a.reviewer, a, score=score).score == score
    else:
        error = refused(review, a.reviewer, a, score=score)
        assert error.field == "score"
        a.refresh_from_db()
        assert a.state == ReviewAssignment.State.ASSIGNED


# --- combined conclusion ---------------------------------------------------------------------

def row(conclusion, cid):
    return next(r for r in conclusion["criteria"] if r["id"] == cid)


def test_tripartite_leads_the_third_party_supplements(in_review, reviewer, assessor):
    review(reviewer, tripartite(in_review),
           opinions=all_opinions(in_review) | {"EL-02": (False, "集体协商记录缺失")})
    review(assessor, third_party(in_review),
           opinions=all_opinions(in_review) | {"EL-03": (False, "厂务公开栏未更新")})
    conclusion = services.combined_conclusion(in_review)
    assert conclusion["weights"]["tripartite"] == "7/10"
    # tripartite rejects, third party confirms: 0.3 < 0.5
    assert row(conclusion, "EL-02")["combined"] == "30.0"
    assert row(conclusion, "EL-02")["confirmed"] is False
    # tripartite confirms, third party rejects: 0.7 >= 0.5
    assert row(conclusion, "EL-03")["combined"] == "70.0"
    assert row(conclusion, "EL-03")["confirmed"] is True
    assert conclusion["all_confirmed"] is False


@pytest.fixture
def two_staff(office, application, reviewer):
    services.assign_reviewers(office, application, staff=[reviewer, office])
    application.refresh_from_db()
    return application


def test_confirm_share_bound_is_inclusive(two_staff, reviewer, office):
    first, second = two_staff.assignments.order_by("id")
    review(reviewer, first, opinions=all_opinions(two_staff) | {"EL-04": (False, "调解台账不全")})
    review(office, second)
    conclusion = services.combined_conclusion(two_staff)
    # no third party: the tripartite review alone, 1 of 2 = exactly 50% = the bound
    assert conclusion["weights"] == {"tripartite": "1", "third_party": "0",
                                     "region": {"tripartite": "7/10", "third_party": "3/10"}}
    assert row(conclusion, "EL-04")["combined"] == "50.0"
    assert row(conclusion, "EL-04")["confirmed"] is True


def test_just_below_the_bound_is_not_confirmed(office, application, reviewer, organisation,
                                               assessor):
    services.assign_reviewers(office, application, staff=[reviewer, office],
                              organisation=organisation)
    application.refresh_from_db()
    first, second = application.assignments.filter(track="tripartite").order_by("id")
    review(reviewer, first, opinions=all_opinions(application) | {"EL-04": (False, "不全")})
    review(office, second)
    review(assessor, third_party(application),
           opinions=all_opinions(application) | {"EL-04": (False, "不全")})
    conclusion = services.combined_conclusion(application)
    assert row(conclusion, "EL-04")["combined"] == "35.0"  # 0.5 × 0.7 + 0 × 0.3
    assert row(conclusion, "EL-04")["confirmed"] is False


def test_weights_per_region_from_the_yaml(office, application):
    from hexie.recognition import policy

    rules = policy.current()
    assert (rules.weights_for("330402007").tripartite, rules.weights_for("330402007")
            .third_party) == (rules.region_weights["3304"].tripartite,
                              rules.region_weights["3304"].third_party)
    assert str(rules.weights_for("330402007").tripartite) == "4/5"
    assert str(rules.weights_for("330106002").tripartite) == "7/10"


def test_jiaxing_unit_gets_jiaxing_weights(db, year):
    from tests.factories import NANHU, NANHU_TOWN

    nanhu_office = make_user(Role.COUNTY_OFFICE, region=NANHU)
    campaign_services.open_campaign(nanhu_office, NANHU, year)
    unit = UnitFactory(region_id=NANHU_TOWN)
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    from .conftest import congress

    pledge = campaign_services.pledge(admin, unit, year=year, pledged_on=day(year, 3, 10),
                                      congress=congress(day(year, 3, 1)))
    submit_assessment(unit, pledge, admin)
    application = services.apply(admin, unit, year, application_congress())
    organisation = make_organisation(NANHU)
    assessor = make_user(Role.ASSESSOR, organisation=organisation)
    services.assign_reviewers(nanhu_office, application, staff=[nanhu_office],
                              organisation=organisation)
    review(nanhu_office, tripartite(application),
           opinions=all_opinions(application) | {"EL-05": (False, "工资增长机制未建立")})
    review(assessor, third_party(application))
    conclusion = services.combined_conclusion(application)
    assert conclusion["weights"]["tripartite"] == "4/5"
    assert row(conclusion, "EL-05")["combined"] == "20.0"


@pytest.mark.parametrize("weights,confirm", [
    ({"tripartite": 0.5, "third_party": 0.5}, 0.5),   # third party alone would reach the bound
    ({"tripartite": 0.4, "third_party": 0.6}, 0.5),   # third party leading
    ({"tripartite": 0.7, "third_party": 0.3}, 0.8),   # a unanimous tripartite review not enough
])
def test_policy_refuses_weights_where_the_tripartite_review_does_not_lead(weights, confirm):
    import yaml

    from hexie.recognition import policy

    data = yaml.safe_load(policy.POLICY_FILE.read_text(encoding="utf-8"))
    data["review"]["weights"]["default"] = weights
    data["review"]["confirm_share"] = confirm
    with pytest.raises(ValueError):
        policy.parse(data)


def test_combined_score_is_the_weighted_mean_of_the_tracks(scored, reviewer, office, assessor):
    first, second = scored.assignments.filter(track="tripartite").order_by("id")
    review(first.reviewer, first, score=90)
    review(second.reviewer, second, score=80)
    review(assessor, third_party(scored), score=60)
    conclusion = services.combined_conclusion(scored)
    assert conclusion["tripartite_score"] == "85.00"
    assert conclusion["third_party_score"] == "60.00"
    assert conclusion["score"] == "77.50"  # 85 × 0.7 + 60 × 0.3
    assert conclusion["score_reached"] is False
    error = refused(services.decide, office, scored, True, "评分达标")
    assert error.code == "score_below_pass" and "85" in error.message
    scored.refresh_from_db()
    assert scored.state == Application.State.IN_REVIEW


# --- decide ----------------------------------------------------------------------------------

def test_pass_makes_a_pending_recognition(office, reviewed, unit_admin, reviewer, assessor):
    decided = services.decide(office, reviewed, True, "各项标准经三方评审和第三方评估确认达标")
    assert decided.state == Application.State.PASSED
    assert decided.conclusion["all_confirmed"] is True
    assert decided.review_policy_version == "zj-recognition-v1"
    assert decided.decided_by == office
    recognition = Recognition.objects.get(application=decided)
    assert (recognition.unit_id, recognition.year, recognition.region_id, recognition.state,
            recognition.recognised_on) == (decided.unit_id, decided.year, XIHU, "pending",
                                           today())
    assert actions()[-2:] == ["recognition.decide", "recognition.recognise"]
    assert "recognition.decided" in kinds_for(unit_admin)
    assert "recognition.decided" in kinds_for(reviewer)
    assert "recognition.decided" in kinds_for(assessor)


def test_fail_with_a_reason(office, reviewed):
    decided = services.decide(office, reviewed, False, "实地核查发现欠薪")
    assert decided.state == Application.State.FAILED
    assert decided.decision_reason == "实地核查发现欠薪"
    assert not Recognition.objects.exists()


def test_a_reason_is_always_required(office, reviewed):
    for passed in (True, False):
        error = refused(services.decide, office, reviewed, passed, "  ")
        assert error.code == "no_reason" and error.field == "reason"
    reviewed.refresh_from_db()
    assert reviewed.state == Application.State.IN_REVIEW and reviewed.decided_at is None


def test_every_assignment_submitted_first(office, in_review, reviewer):
    review(reviewer, tripartite(in_review))
    error = refused(services.decide, office, in_review, False, "理由")
    assert error.code == "reviews_open" and "1 项" in error.message
    assert "四（三）" in error.message
    in_review.refresh_from_db()
    assert in_review.state == Application.State.IN_REVIEW


def test_a_pass_against_the_combined_conclusion_is_refused(office, in_review, reviewer,
                                                           assessor):
    review(reviewer, tripartite(in_review),
           opinions=all_opinions(in_review) | {"EL-09": (False, "无人文关怀措施")})
    review(assessor, third_party(in_review))
    error = refused(services.decide, office, in_review, True, "理由")
    assert error.code == "conclusion_not_met" and "EL-09" in error.message
    assert not Recognition.objects.exists()
    # the county may still fail it
    assert services.decide(office, in_review, False, "EL-09 未确认").state == "failed"


def test_deciding_a_submitted_application_is_illegal(office, application):
    error = refused(services.decide, office, application, True, "理由")
    assert error.code == "illegal_transition" and "已申请，待受理" in error.message


def test_deciding_twice_is_illegal(office, reviewed):
    services.decide(office, reviewed, True, "达标")
    error = refused(services.decide, office, reviewed, False, "改判")
    assert error.code == "illegal_transition"
    assert Recognition.objects.count() == 1


@pytest.mark.parametrize("who,error", [("unit_admin", NotPermitted), ("reviewer", None),
                                       ("other_office", OutOfScope)])
def test_only_the_county_decides(request, reviewed, who, error):
    actor = request.getfixturevalue(who)
    if error is None:  # another staff member of the same county office decides as the office
        assert services.decide(actor, reviewed, False, "理由").state == "failed"
        return
    with pytest.raises(error):
        services.decide(actor, reviewed, True, "理由")
    reviewed.refresh_from_db()
    assert reviewed.state == Application.State.IN_REVIEW


# --- appeal ----------------------------------------------------------------------------------

@pytest.fixture
def failed(office, reviewed):
    return services.decide(office, reviewed, False, "职工满意度调查样本不足")


def decided_days_ago(application, days):
    Application.objects.filter(pk=application.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=days))
    application.refresh_from_db()


def test_appeal_on_the_last_day_of_the_window(unit_admin, failed, office):
    decided_days_ago(failed, 15)
    made = services.appeal(unit_admin, failed, "样本已补充")
    assert made.state == Appeal.State.FILED
    failed.refresh_from_db()
    assert failed.state == Application.State.FAILED
    assert actions()[-1] == "recognition.appeal"
    assert "recognition.appealed" in kinds_for(office)


def test_no_appeal_the_day_after(unit_admin, failed):
    decided_days_ago(failed, 16)
    error = refused(services.appeal, unit_admin, failed, "样本已补充")
    assert error.code == "appeal_window_closed" and "下一年度重新申请" in error.message
    assert not Appeal.objects.exists()


def test_appeal_once_per_application(unit_admin, failed):
    services.appeal(unit_admin, failed, "第一次")
    error = refused(services.appeal, unit_admin, failed, "第二次")
    assert error.code == "duplicate"
    assert Appeal.objects.count() == 1


def test_only_a_fail_can_be_appealed(unit_admin, reviewed):
    error = refused(services.appeal, unit_admin, reviewed, "理由")
    assert error.code == "illegal_transition"
    assert not Appeal.objects.exists()


def test_appeal_needs_a_reason(unit_admin, failed):
    error = refused(services.appeal, unit_admin, failed, "")
    assert error.field == "reason"


@pytest.mark.parametrize("who,error", [("office", NotPermitted), ("other_office", OutOfScope)])
def test_only_the_units_admin_appeals(request, failed, who, error):
    with pytest.raises(error):
        services.appeal(request.getfixturevalue(who), failed, "理由")
    other_admin = make_user(Role.UNIT_ADMIN, unit=UnitFactory(region_id=XIHU_TOWN))
    with pytest.raises(OutOfScope):
        services.appeal(other_admin, failed, "理由")
    assert not Appeal.objects.exists()


def test_accepted_appeal_opens_a_new_round(unit_admin, failed, office, reviewer, assessor):
    appeal = services.appeal(unit_admin, failed, "满意度调查已补足样本")
    handled = services.handle_appeal(office, appeal, True, "")
    assert handled.state == Appeal.State.ACCEPTED
    failed.refresh_from_db()
    assert failed.state == Application.State.APPEALED and failed.review_round == 2
    assert "recognition.appeal_handled" in kinds_for(unit_admin)
    assert actions()[-2:] == ["recognition.handle_appeal", "recognition.reopen"]
    # the first round's submitted reviews do not count: reviewers are assigned again
    error = refused(services.decide, office, failed, True, "理由")
    assert error.code == "illegal_transition" and "尚未指派" in error.message
    made = services.assign_reviewers(office, failed, staff=[reviewer])
    assert {a.round for a in made} == {2}
    failed.refresh_from_db()
    assert failed.state == Application.State.APPEALED
    again = refused(services.assign_reviewers, office, failed, staff=[reviewer])
    assert again.code == "illegal_transition"
    review(reviewer, made[0])
    conclusion = services.combined_conclusion(failed)
    assert conclusion["round"] == 2 and conclusion["reviewers"] == {"tripartite": 1,
                                                                    "third_party": 0}
    passed = services.decide(office, failed, True, "复核达标")
    assert passed.state == Application.State.PASSED
    assert Recognition.objects.filter(application=passed).exists()
    # once per application, even after a second fail would have been possible
    assert ReviewAssignment.objects.filter(application=passed).count() == 3


def test_rejected_appeal_needs_an_answer_and_the_fail_stands(unit_admin, failed, office):
    appeal = services.appeal(unit_admin, failed, "不服")
    error = refused(services.handle_appeal, office, appeal, False, "")
    assert error.code == "no_answer" and error.field == "answer"
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.FILED
    services.handle_appeal(office, appeal, False, "复核维持原结论：欠薪属实")
    appeal.refresh_from_db()
    failed.refresh_from_db()
    assert appeal.state == Appeal.State.REJECTED and appeal.answer.startswith("复核")
    assert failed.state == Application.State.FAILED
    twice = refused(services.handle_appeal, office, appeal, True, "")
    assert twice.code == "illegal_transition"


@pytest.mark.parametrize("who,error", [("unit_admin", NotPermitted), ("other_office", OutOfScope)])
def test_only_the_county_handles_appeals(request, unit_admin, failed, who, error):
    appeal = services.appeal(unit_admin, failed, "不服")
    with pytest.raises(error):
        services.handle_appeal(request.getfixturevalue(who), appeal, True, "")
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.FILED


def test_reapply_next_year_after_a_fail(unit, unit_admin, failed, office, year):
    campaign_services.open_campaign(office, XIHU, year + 1)
    from .conftest import congress

    next_pledge = campaign_services.pledge(
        unit_admin, unit, year=year + 1, pledged_on=today(),
        congress=congress(today() - datetime.timedelta(days=1)))
    submit_assessment(unit, next_pledge, unit_admin)
    again = services.apply(unit_admin, unit, year + 1, application_congress(today()))
    assert again.state == Application.State.SUBMITTED and again.year == year + 1
    assert Application.objects.filter(unit=unit).count() == 2
