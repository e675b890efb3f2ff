"""Recognition pages: the county's list and application page (assign, conclusion, decide,
appeals), the reviewer's tasks and review form, the unit admin's apply page and own status with
the appeal form. Refused steps show the Chinese reason on the page."""

import datetime
import html

import pytest

from hexie.accounts.roles import Role
from hexie.recognition import services
from hexie.recognition.models import Appeal, Application, ReviewAssignment
from tests.factories import NANHU, XIHU_TOWN, make_user

from .conftest import all_opinions, application_congress, minutes, review, today

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_county_list_counts_and_filters(client, office, application, year):
    client.force_login(office)
    page = text(client.get("/recognition/"))
    assert application.unit.name in page
    assert '已申请，待受理 <span class="badge text-bg-primary">1</span>' in page
    assert '评审中 <span class="badge text-bg-primary">0</span>' in page
    assert application.unit.name in text(client.get(f"/recognition/?year={year}&state=submitted"))
    assert application.unit.name not in text(client.get(f"/recognition/?year={year + 1}"))
    assert application.unit.name not in text(client.get("/recognition/?state=passed"))
    assert application.unit.name in text(client.get(f"/recognition/?town={XIHU_TOWN}"))
    assert application.unit.name not in text(client.get("/recognition/?kind=industry"))
    assert application.unit.name in text(client.get("/recognition/?todo=accept"))
    assert application.unit.name not in text(client.get("/recognition/?todo=decide"))


def test_detail_shows_assessment_congresses_and_assign_form(client, office, application,
                                                            reviewer):
    other = make_user(Role.COUNTY_OFFICE, region=NANHU)
    client.force_login(office)
    page = text(client.get(f"/recognition/{application.pk}/"))
    for cid in ("EL-01", "EL-11"):
        assert cid in page
    assert "zj-baseline@1" in page and "证明材料齐全" in page
    assert f"/campaigns/congress/{application.pledge.congress_id}/minutes/" in page
    assert f"/campaigns/congress/{application.congress_id}/minutes/" in page
    assert 'data-testid="assign-form"' in page
    assert str(reviewer) in page and str(other) not in page


def test_assign_decide_through_the_pages(client, office, application, reviewer, organisation,
                                         assessor, unit_admin):
    client.force_login(office)
    refused = client.post(f"/recognition/{application.pk}/assign/", {"organisation": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-staff"' in text(refused)
    response = client.post(f"/recognition/{application.pk}/assign/",
                           {"staff": [reviewer.pk], "organisation": organisation.pk})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == Application.State.IN_REVIEW
    # a second assignment is an illegal step, answered on the page
    again = client.post(f"/recognition/{application.pk}/assign/", {"staff": [reviewer.pk]})
    assert again.status_code == 400 and "当前状态为“评审中”" in text(again)
    assert 'data-testid="conclusion"' not in text(client.get(f"/recognition/{application.pk}/"))
    review(reviewer, application.assignments.get(track="tripartite"))
    interim = text(client.get(f"/recognition/{application.pk}/"))
    assert 'data-testid="conclusion"' in interim and "结论为暂定" in interim
    assert 'data-testid="decide-form"' not in interim
    review(assessor, application.assignments.get(track="third_party"))
    page = text(client.get(f"/recognition/{application.pk}/"))
    assert "结论为暂定" not in page
    assert 'data-testid="conclusion"' in page and 'data-testid="decide-form"' in page
    no_reason = client.post(f"/recognition/{application.pk}/decide/", {"passed": "1"})
    assert no_reason.status_code == 400 and "请填写认定决定的理由" in text(no_reason)
    done = client.post(f"/recognition/{application.pk}/decide/",
                       {"passed": "1", "reason": "各条确认达标"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.state == Application.State.PASSED
    decided = text(client.get(f"/recognition/{application.pk}/"))
    assert "各条确认达标" in decided
    illegal = client.post(f"/recognition/{application.pk}/decide/",
                          {"passed": "0", "reason": "改判"})
    assert illegal.status_code == 400 and "当前状态为“评审通过”" in text(illegal)


def test_review_form(client, in_review, reviewer):
    assignment = in_review.assignments.get(track="tripartite")
    client.force_login(reviewer)
    listing = text(client.get("/recognition/reviews/"))
    assert in_review.unit.name in listing
    page = text(client.get(f"/recognition/reviews/{assignment.pk}/"))
    assert 'data-testid="review-form"' in page and "EL-06" in page
    assert 'name="score"' not in page  # the baseline has no points
    form = {f"c_{cid}": "1" for cid in all_opinions(in_review)}
    missing = dict(form)
    missing.pop("c_EL-03")
    refused = client.post(f"/recognition/reviews/{assignment.pk}/",
                          missing | {"site_visit_on": today().isoformat(), "recommend_pass": "1"})
    assert refused.status_code == 400 and "尚缺：EL-03" in text(refused)
    no_comment = client.post(f"/recognition/reviews/{assignment.pk}/",
                             form | {"c_EL-03": "0", "site_visit_on": today().isoformat(),
                                     "recommend_pass": "1"})
    assert no_comment.status_code == 400 and "EL-03" in text(no_comment)
    ok = client.post(f"/recognition/reviews/{assignment.pk}/",
                     form | {"c_EL-03": "0", "n_EL-03": "公开栏未更新",
                             "site_visit_on": today().isoformat(), "recommend_pass": "1",
                             "site_visit_notes": "查看公开栏"})
    assert ok.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == ReviewAssignment.State.SUBMITTED
    assert assignment.opinions.get(criterion_id="EL-03").comment == "公开栏未更新"
    assert 'data-testid="review-done"' in text(client.get(f"/recognition/reviews/{assignment.pk}/"))


def test_overdue_review_flagged_in_the_list(client, in_review, assessor):
    ReviewAssignment.objects.filter(application=in_review).update(
        due_on=today() - datetime.timedelta(days=1))
    client.force_login(assessor)
    page = text(client.get("/recognition/reviews/"))
    assert "已逾期" in page


def test_scored_review_form_asks_for_the_score(client, unit, unit_admin, year, pledge, office,
                                               reviewer):
    from .conftest import submit_assessment

    submit_assessment(unit, pledge, unit_admin, standard="example-scored")
    application = services.apply(unit_admin, unit, year, application_congress())
    services.assign_reviewers(office, application, staff=[reviewer])
    assignment = application.assignments.get()
    client.force_login(reviewer)
    page = text(client.get(f"/recognition/reviews/{assignment.pk}/"))
    assert 'name="score"' in page and "0 至 100 分" in page


def test_apply_page(client, unit, unit_admin, year, assessment, pledge):
    client.force_login(unit_admin)
    page = text(client.get(f"/recognition/apply/?year={year}"))
    assert "第 1 次" in page and "达到创建标准" in page
    base = {"unit": unit.pk, "year": year, "kind": "workers_representative_congress",
            "attendance_present": 30, "attendance_total": 45, "resolution": "同意申请认定"}
    before_pledge = client.post("/recognition/apply/", base | {
        "held_on": pledge.congress.held_on.isoformat(), "minutes": minutes()})
    assert before_pledge.status_code == 400
    assert 'data-testid="error-held_on"' in text(before_pledge)
    assert "另一次大会" in text(before_pledge)
    ok = client.post("/recognition/apply/", base | {
        "held_on": today().isoformat(), "minutes": minutes()})
    assert ok.status_code == 302 and ok["Location"] == "/recognition/mine/"
    assert Application.objects.filter(unit=unit, year=year).exists()
    duplicate = client.post("/recognition/apply/", base | {
        "held_on": today().isoformat(), "minutes": minutes()})
    assert duplicate.status_code == 400 and "每年只能申请一次" in text(duplicate)


def test_own_status_decision_and_appeal(client, unit_admin, office, reviewed):
    services.decide(office, reviewed, False, "满意度调查样本不足")
    client.force_login(unit_admin)
    page = text(client.get("/recognition/mine/"))
    assert "评审未通过" in page and "满意度调查样本不足" in page
    assert 'data-testid="appeal-form"' in page
    empty = client.post(f"/recognition/{reviewed.pk}/appeal/", {"reason": ""}, follow=True)
    assert "请填写申诉理由" in text(empty)
    response = client.post(f"/recognition/{reviewed.pk}/appeal/", {"reason": "样本已补足"})
    assert response.status_code == 302
    assert Appeal.objects.filter(application=reviewed).count() == 1
    after = text(client.get("/recognition/mine/"))
    assert "已提出" in after and 'data-testid="appeal-form"' not in after
    twice = client.post(f"/recognition/{reviewed.pk}/appeal/", {"reason": "再次"}, follow=True)
    assert "只能申诉一次" in text(twice)


def test_county_handles_the_appeal_on_the_page(client, unit_admin, office, reviewed):
    services.decide(office, reviewed, False, "欠薪")
    appeal = services.appeal(unit_admin, reviewed, "已补发")
    client.force_login(office)
    page = text(client.get(f"/recognition/{reviewed.pk}/"))
    assert 'data-testid="handle-form"' in page and "已补发" in page
    no_answer = client.post(f"/recognition/appeals/{appeal.pk}/handle/", {"accept": "0"})
    assert no_answer.status_code == 400 and "驳回申诉须填写答复" in text(no_answer)
    ok = client.post(f"/recognition/appeals/{appeal.pk}/handle/", {"accept": "1"})
    assert ok.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.state == Application.State.APPEALED
    page = text(client.get(f"/recognition/{reviewed.pk}/"))
    assert 'data-testid="assign-form"' in page and "第 2 轮评审" in page
    again = client.post(f"/recognition/appeals/{appeal.pk}/handle/", {"accept": "1"},
                        follow=True)
    assert "当前状态为“已受理，重新评审”" in text(again)


def test_navigation_per_role(client, office, unit_admin, in_review, assessor):
    client.force_login(office)
    page = text(client.get("/"))
    assert "认定评审" in page and "我的评审" in page
    client.force_login(assessor)
    page = text(client.get("/"))
    assert "认定评审" not in page and "我的评审" in page
    client.force_login(unit_admin)
    page = text(client.get("/"))
    assert "认定评审" not in page and "我的评审" not in page
    assert 'href="/recognition/mine/"' in page
    partner = make_user(Role.PARTNER, region=NANHU)
    client.force_login(partner)
    page = text(client.get("/"))
    assert "/recognition/" not in page


def test_workbench_shows_the_to_dos(client, office, unit_admin, assessment, reviewer):
    client.force_login(unit_admin)
    page = text(client.get("/"))
    assert 'data-testid="todo-recognition.can_apply"' in page and "可提交认定申请" in page
    application = services.apply(unit_admin, assessment.unit, assessment.year,
                                  application_congress())
    assert "可提交认定申请" not in text(client.get("/"))
    client.force_login(office)
    page = text(client.get("/"))
    assert "待受理的认定申请" in page and "/recognition/?todo=accept" in page
    services.assign_reviewers(office, application, staff=[reviewer])
    client.force_login(reviewer)
    page = text(client.get("/"))
    assert "待完成的评审" in page
