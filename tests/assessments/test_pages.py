"""Self-assessment pages: the unit admin's list, form (generated from the template), live
evaluation fragment, evidence upload and download, submit; the offices' filtered list and the
read-only view."""

import html

import pytest

from hexie.accounts.roles import Role
from hexie.assessments import services
from hexie.assessments.models import Evidence, SelfAssessment
from hexie.core.worklist import todos_for
from tests.factories import XIHU, make_user

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(facts: dict) -> dict:
    return {k: ("true" if v is True else "false" if v is False else str(v))
            for k, v in facts.items()}


@pytest.fixture
def as_admin(client, unit_admin):
    client.force_login(unit_admin)
    return client


def test_own_list_offers_to_start_and_lists_every_submission(as_admin, pledge, unit_admin,
                                                             good_facts, draft, year):
    page = text(as_admin.get("/assessments/"))
    assert f"{year} 年度" in page and "继续填写草稿" in page
    services.save_draft(unit_admin, draft, good_facts)
    services.submit(unit_admin, draft)
    page = text(as_admin.get("/assessments/"))
    assert "修改并重新提交" in page and "已提交" in page and "zj-baseline@1" in page


def test_own_list_without_pledge_points_to_the_pledge(as_admin, unit):
    page = text(as_admin.get("/assessments/"))
    assert "尚未提交创建承诺书" in page


def test_start_button_creates_the_draft(as_admin, pledge, unit, year):
    response = as_admin.post("/assessments/start/", {"unit": unit.pk, "year": year})
    sa = SelfAssessment.objects.get()
    assert response.status_code == 302 and response.url == f"/assessments/{sa.pk}/edit/"


def test_start_refusal_is_shown(as_admin, campaign, unit, year):
    response = as_admin.post("/assessments/start/", {"unit": unit.pk, "year": year},
                             follow=True)
    assert "尚未提交" in text(response) and "四（一）" in text(response)
    assert not SelfAssessment.objects.exists()


def test_form_is_generated_from_the_template(as_admin, draft):
    page = text(as_admin.get(f"/assessments/{draft.pk}/edit/"))
    assert "EL 大中型企业创建标准" in page or "大中型企业" in page
    assert "EL-06" in page and "依据" in page
    assert 'name="el_training_plan" id="el_training_plan-yes" value="true"' in page
    assert 'name="employees_total"' in page and "职工总数" in page
    assert 'name="es_training_plan"' not in page            # another set's fact
    assert page.count('name="item_id"') == 24                 # every EL item asks for evidence
    assert f'hx-post="/assessments/{draft.pk}/live/"' in page
    assert "还有" in page and "项数据待填写" in page            # the live panel, incomplete
    assert "zj-baseline@1" in page


def test_save_draft_from_the_form(as_admin, draft, good_facts):
    partial = {k: v for k, v in good_facts.items() if k != "satisfaction_percent"}
    response = as_admin.post(f"/assessments/{draft.pk}/edit/", form_data(partial))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.facts == partial


def test_invalid_value_is_shown_next_to_the_field_and_nothing_saved(as_admin, draft):
    response = as_admin.post(f"/assessments/{draft.pk}/edit/",
                             {"employees_total": "-3", "el_training_plan": "true"})
    assert response.status_code == 200
    page = text(response)
    assert ('data-testid="error-employees_total">'
            "employees_total（职工总数（人）） 不能小于 0") in page
    draft.refresh_from_db()
    assert draft.facts == {}


def test_live_fragment_lists_missing_facts_while_incomplete(as_admin, draft):
    response = as_admin.post(f"/assessments/{draft.pk}/live/", {"employees_total": "400"})
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="missing"' in page and "已选配的劳动关系协调员" not in page
    assert "选配的劳动关系协调员人数（人）" in page
    assert 'data-status="pending"' in page


def test_live_fragment_shows_reasons_and_field_errors(as_admin, draft, good_facts):
    facts = form_data(good_facts | {"employees_with_contract": 394})
    page = text(as_admin.post(f"/assessments/{draft.pk}/live/", facts))
    assert "未达到创建标准" in page
    assert "劳动合同签订率" in page and "98.50% < 100%" in page
    assert 'data-criterion="EL-06"' in page
    assert "证明材料不齐全" in page and "未附证明材料" in page
    bad = text(as_admin.post(f"/assessments/{draft.pk}/live/",
                             form_data(good_facts) | {"satisfaction_percent": "101"}))
    assert 'id="err-satisfaction_percent" hx-swap-oob="true"' in bad
    assert "satisfaction_percent（职工综合满意度（%）） 不能大于 100" in bad
    draft.refresh_from_db()
    assert draft.facts == {}  # the live panel never saves


def test_live_fragment_met_when_everything_meets(as_admin, draft, good_facts):
    page = text(as_admin.post(f"/assessments/{draft.pk}/live/", form_data(good_facts)))
    assert "达到创建标准" in page and "未达到创建标准" not in page
    assert 'data-status="not_met"' not in page


def test_evidence_upload_download_and_remove(as_admin, draft):
    response = as_admin.post(f"/assessments/{draft.pk}/evidence/",
                             {"item_id": "EL-01.1", "file": upload("党组织.pdf")})
    assert response.status_code == 302 and response.url.endswith("#item-EL-01.1")
    row = Evidence.objects.get()
    page = text(as_admin.get(f"/assessments/{draft.pk}/edit/"))
    assert "党组织.pdf" in page and f"/assessments/evidence/{row.pk}/" in page
    download = as_admin.get(f"/assessments/evidence/{row.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    response = as_admin.post(f"/assessments/evidence/{row.pk}/remove/")
    assert response.status_code == 302 and not Evidence.objects.exists()


def test_evidence_refusal_is_shown_at_the_item(as_admin, draft):
    response = as_admin.post(f"/assessments/{draft.pk}/evidence/",
                             {"item_id": "EL-01.1", "file": upload("fake.pdf", b"MZ\x90\x00")})
    assert response.status_code == 400
    assert 'data-testid="evidence-error-EL-01.1">文件内容与扩展名不符' in text(response)
    assert not Evidence.objects.exists()


def test_submit_from_the_page_and_read_only_view(as_admin, draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    response = as_admin.post(f"/assessments/{draft.pk}/submit/")
    assert response.status_code == 302 and response.url == f"/assessments/{draft.pk}/"
    page = text(as_admin.get(f"/assessments/{draft.pk}/"))
    assert "第 1 次提交" in page and "达到创建标准" in page and "zj-baseline@1" in page
    assert "修改并重新提交" in page
    # The form of a submission is not editable: it goes back to the read-only view.
    assert as_admin.get(f"/assessments/{draft.pk}/edit/").status_code == 302
    response = as_admin.post(f"/assessments/{draft.pk}/revise/")
    new = SelfAssessment.objects.get(state="draft")
    assert response.url == f"/assessments/{new.pk}/edit/" and new.facts == good_facts


def test_submit_refusal_is_shown(as_admin, draft):
    response = as_admin.post(f"/assessments/{draft.pk}/submit/", follow=True)
    assert "不能提交" in text(response) and "缺少必填事实" in text(response)
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_office_list_filters_and_read_only_view(client, office, draft, unit_admin, good_facts,
                                                year, other_unit):
    services.save_draft(unit_admin, draft, good_facts | {"labour_relations_coordinators": 1})
    done = services.submit(unit_admin, draft)
    client.force_login(office)
    page = text(client.get("/assessments/"))
    assert draft.unit.name in page and "未达到" in page
    assert text(client.get("/assessments/?meets=yes")).count("data-testid=\"row-") == 0
    assert text(client.get("/assessments/?meets=no")).count("data-testid=\"row-") == 1
    assert text(client.get(f"/assessments/?year={year + 1}")).count("data-testid=\"row-") == 0
    assert text(client.get("/assessments/?state=draft")).count("data-testid=\"row-") == 0
    assert text(client.get("/assessments/?state=submitted")).count("data-testid=\"row-") == 1
    detail = text(client.get(f"/assessments/{done.pk}/"))
    assert "EL-04" in detail and "1 < 2" in detail and "修改并重新提交" not in detail
    assert client.get(f"/assessments/{done.pk}/edit/").status_code == 403
    assert client.post(f"/assessments/{done.pk}/submit/").status_code == 403


def test_nav_item_for_readers_only(client, office, unit_admin):
    client.force_login(office)
    assert 'href="/assessments/">单位自评' in text(client.get("/"))
    partner = make_user(Role.PARTNER, region=XIHU)
    client.force_login(partner)
    assert 'href="/assessments/"' not in text(client.get("/"))


def test_workbench_todo_until_submitted(client, unit_admin, pledge, unit, year, baseline):
    from hexie.assessments.demo import compliant_facts

    todos = [t for t in todos_for(unit_admin) if t.key == "assessments.to_finish"]
    assert [(t.title, t.count, t.url) for t in todos] == [("单位自评待完成", 1, "/assessments/")]
    sa = services.start_draft(unit_admin, unit, year)
    todo = next(t for t in todos_for(unit_admin) if t.key == "assessments.to_finish")
    assert todo.url == f"/assessments/{sa.pk}/edit/"
    services.submit(unit_admin, services.save_draft(unit_admin, sa,
                                                    compliant_facts(baseline, sa.profile)))
    assert not [t for t in todos_for(unit_admin) if t.key == "assessments.to_finish"]
    services.start_draft(unit_admin, unit, year)  # an open draft after a submission
    assert [t.count for t in todos_for(unit_admin) if t.key == "assessments.to_finish"] == [1]
    client.force_login(unit_admin)
    assert "单位自评待完成" in text(client.get("/"))


def test_no_todo_for_older_pledges_or_offices(office, unit_admin, pledge):
    assert not [t for t in todos_for(office) if t.key.startswith("assessments.")]
    pledge.year = pledge.year - 2
    pledge.save()
    assert not [t for t in todos_for(unit_admin) if t.key.startswith("assessments.")]


def test_live_fragment_shows_not_applicable(client, campaign, year):
    """A town whose area has no large or medium enterprises: PT's "大中型企业100%落实" has a zero
    denominator the library calls not applicable: the item reads 不适用 and does not fail."""
    from hexie.assessments.demo import compliant_facts
    from hexie.campaigns import services as campaign_services
    from hexie.standards import services as standards
    from tests.campaigns.conftest import congress, day
    from tests.factories import XIHU_TOWN, UnitFactory

    town = UnitFactory(region_id=XIHU_TOWN, kind="town", size="")
    admin = make_user(Role.UNIT_ADMIN, unit=town)
    campaign_services.pledge(admin, town, year=year, pledged_on=day(year, 3, 10),
                             congress=congress(day(year, 3, 1)))
    sa = services.start_draft(admin, town, year)
    facts = compliant_facts(standards.compiled(sa.standard_id), sa.profile)
    facts |= {"large_medium_enterprises_total": 0,
              "large_medium_enterprises_level_wage_negotiation": 0}
    client.force_login(admin)
    page = text(client.post(f"/assessments/{sa.pk}/live/", form_data(facts)))
    assert 'data-status="not_applicable"' in page and "不适用" in page
    assert "达到创建标准" in page and "未达到创建标准" not in page
