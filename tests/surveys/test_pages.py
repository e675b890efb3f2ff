"""The survey pages: the worker's form and its refusals (clear Chinese pages), no script ever
reaching a page, the QR sheet, the unit admin's and the office's pages, and concerns never shown
to the unit admin."""

import re
import subprocess

import pytest
from django.core.cache import cache

from hexie.accounts.roles import Role
from hexie.monitoring.models import RiskSignal
from hexie.surveys import policy, services
from hexie.surveys.models import SurveyAnswer, SurveyComment, SurveyLink, SurveyRound
from tests.factories import make_user

from .conftest import ALL_SATISFIED_EL, answer_all

pytestmark = pytest.mark.django_db


def form_data(levels=5, comment=""):
    return {code: levels for code in ALL_SATISFIED_EL} | {"comment": comment}


def test_worker_form_shows_the_dimensions_and_counts_an_answer(client, opened):
    url = f"/s/{opened.tokens[0]}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("劳动报酬", "社保缴纳", "休息休假", "工作环境", "技能培训", "劳动条件",
                  "协商民主", "人文关怀", "非常满意", "非常不满意"):
        assert label in html
    done = client.post(url, form_data(comment="谢谢"), follow=True)
    assert "提交成功" in done.content.decode()
    assert SurveyAnswer.objects.count() == 1 and SurveyComment.objects.count() == 1
    again = client.post(url, form_data())
    assert again.status_code == 409 and "已使用" in again.content.decode()
    assert client.get(url).status_code == 409
    assert SurveyAnswer.objects.count() == 1


def test_missing_dimension_is_shown_next_to_it(client, opened):
    data = form_data()
    del data["pay"]
    page = client.post(f"/s/{opened.tokens[0]}/", data)
    assert page.status_code == 400
    assert "请为“劳动报酬”选择一项满意程度" in page.content.decode()
    assert SurveyAnswer.objects.count() == 0 and not SurveyLink.objects.filter(used=True).exists()


@pytest.mark.parametrize("token, status, text", [
    ("A" * 22, 404, "链接无效"), ("bad", 404, "链接无效"),
])
def test_forged_token_page(client, opened, token, status, text):
    page = client.get(f"/s/{token}/")
    assert page.status_code == status and text in page.content.decode()
    assert client.post(f"/s/{token}/", form_data()).status_code == status
    assert SurveyAnswer.objects.count() == 0


def test_expired_token_page(client, opened):
    from django.utils import timezone

    SurveyRound.objects.update(valid_until=timezone.now())
    page = client.post(f"/s/{opened.tokens[0]}/", form_data())
    assert page.status_code == 410 and "已过期" in page.content.decode()
    assert SurveyAnswer.objects.count() == 0


def test_script_comment_is_refused_and_never_rendered(client, opened, unit_admin, office):
    payload = "<script>alert('x')</script>"
    page = client.post(f"/s/{opened.tokens[0]}/", form_data(comment=payload))
    assert page.status_code == 400
    html = page.content.decode()
    assert "不能包含网页代码" in html and "<script>alert" not in html
    assert SurveyAnswer.objects.count() == 0
    # an allowed comment with a "<" is escaped wherever it is shown
    client.post(f"/s/{opened.tokens[1]}/", form_data(comment="1 < 2 加班多"))
    for user in (unit_admin, office):
        client.force_login(user)
        shown = client.get(f"/surveys/{opened.round.pk}/").content.decode()
        assert "1 &lt; 2 加班多" in shown and "<script>alert" not in shown


def test_oversized_post_is_refused_unread(client, opened):
    big = "好" * (policy.current().max_body_bytes // 3 + 10)
    page = client.post(f"/s/{opened.tokens[0]}/", form_data(comment=big))
    assert page.status_code == 413 and "过大" in page.content.decode()
    assert SurveyAnswer.objects.count() == 0


def test_flood_page(client, opened, settings):
    settings.HEXIE_SURVEY_RATE_LIMIT = 2
    cache.clear()
    client.post(f"/s/{opened.tokens[0]}/", form_data())
    client.post(f"/s/{opened.tokens[1]}/", form_data())
    page = client.post(f"/s/{opened.tokens[2]}/", form_data())
    assert page.status_code == 429 and "过于频繁" in page.content.decode()
    assert SurveyAnswer.objects.count() == 2
    assert not SurveyLink.objects.filter(used=True).count() > 2


def test_unit_admin_opens_a_round_and_gets_the_qr_sheet(client, unit, unit_admin, year,
                                                        tmp_path):
    client.force_login(unit_admin)
    page = client.get("/surveys/")
    assert page.status_code == 200 and "发起新一轮调查" in page.content.decode()
    response = client.post("/surveys/", {"unit": unit.pk, "year": year, "links": 20,
                                         "valid_days": 14})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "links.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert unit.name in text and "满意度调查第 1 轮" in text
    urls = set(re.findall(r"http://testserver/s/([A-Za-z0-9_-]{22})/", text))
    assert len(urls) == 20
    assert {services.token_digest(t) for t in urls} == set(
        SurveyLink.objects.values_list("token_hash", flat=True))
    assert f"/s/v/{unit.pk}/{services.voice_key(unit.pk)}/" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Pages:\s+2", info)  # 12 per A4 page


def test_open_form_errors_are_shown_next_to_the_field(client, unit, unit_admin, year):
    client.force_login(unit_admin)
    page = client.post("/surveys/", {"unit": unit.pk, "year": year, "links": 5,
                                     "valid_days": 14})
    assert page.status_code == 200 and "最低样本量 18" in page.content.decode()
    assert SurveyRound.objects.count() == 0


def test_round_page_progress_close_and_result(client, opened, unit_admin):
    answer_all(opened, 18, satisfied_per_answer=7)
    client.force_login(unit_admin)
    page = client.get(f"/surveys/{opened.round.pk}/").content.decode()
    assert "已收回答卷 18 份 / 发放链接 20 个" in page and "最低样本量 18 份" in page
    client.post(f"/surveys/{opened.round.pk}/close/")
    page = client.get(f"/surveys/{opened.round.pk}/").content.decode()
    assert "已结束" in page and "87.50%" in page and "写入" in page


def test_apply_from_the_page_and_provenance_shown(client, opened, unit_admin, pledged):
    answer_all(opened, 18)
    services.close_round(unit_admin, opened.round)
    client.force_login(unit_admin)
    client.post(f"/surveys/{opened.round.pk}/apply/")
    page = client.get(f"/surveys/{opened.round.pk}/").content.decode()
    assert "将综合满意度 100.00%（18 份答卷）写入" in page


def test_office_sees_rounds_read_only(client, opened, office):
    client.force_login(office)
    listing = client.get("/surveys/").content.decode()
    assert "西湖满意科技有限公司" in listing and "发起新一轮调查" not in listing
    page = client.get(f"/surveys/{opened.round.pk}/").content.decode()
    assert "结束调查" not in page
    assert client.post(f"/surveys/{opened.round.pk}/close/").status_code == 403


def test_concerns_reach_offices_never_the_unit_admin(client, unit, unit_admin, office, opened):
    text = "车间夜班连续加班不给调休"
    voice = f"/s/v/{unit.pk}/{services.voice_key(unit.pk)}/"
    form = client.get(voice)
    assert form.status_code == 200 and "不用填写姓名" in form.content.decode()
    done = client.post(voice, {"category": "working_hours", "text": text})
    assert "已匿名送达" in done.content.decode()
    assert RiskSignal.objects.filter(source="worker_voice", summary=text).count() == 1
    client.force_login(office)
    assert text in client.get("/surveys/concerns/").content.decode()
    client.force_login(unit_admin)
    for url in ("/", "/surveys/", f"/surveys/{opened.round.pk}/", "/notifications/"):
        response = client.get(url)
        assert text not in response.content.decode(), url
    assert client.get("/surveys/concerns/").status_code == 404


def test_concern_form_refusals(client, unit):
    voice = f"/s/v/{unit.pk}/{services.voice_key(unit.pk)}/"
    page = client.post(voice, {"category": "wages", "text": "<b>x</b>"})
    assert page.status_code == 400 and "不能包含网页代码" in page.content.decode()
    assert client.get(f"/s/v/{unit.pk}/wrongkey/").status_code == 404
    assert RiskSignal.objects.count() == 0


def test_concern_flood_is_refused(client, unit, settings):
    settings.HEXIE_SURVEY_RATE_LIMIT = 1
    voice = f"/s/v/{unit.pk}/{services.voice_key(unit.pk)}/"
    client.post(voice, {"category": "wages", "text": "一"})
    page = client.post(voice, {"category": "wages", "text": "二"})
    assert page.status_code == 429 and "过于频繁" in page.content.decode()
    assert RiskSignal.objects.count() == 1


def test_comments_are_shown_shuffled_without_dates(client, opened, unit_admin):
    for i, token in enumerate(opened.tokens[:6]):
        services.submit_answer(token, ALL_SATISFIED_EL, f"意见{i}")
    client.force_login(unit_admin)
    orders = set()
    for _ in range(8):
        page = client.get(f"/surveys/{opened.round.pk}/").content.decode()
        orders.add(tuple(re.findall(r"意见(\d)", page)))
    assert all(sorted(o) == [str(i) for i in range(6)] for o in orders)
    assert len(orders) > 1  # 8 draws of 720 orders: all equal has probability 720^-7


def test_workbench_todo_for_open_rounds(client, opened, unit_admin):
    client.force_login(unit_admin)
    assert "进行中的满意度调查" in client.get("/").content.decode()


def test_unit_admin_of_another_unit_gets_404(client, opened):
    from tests.factories import UnitFactory

    other = make_user(Role.UNIT_ADMIN, unit=UnitFactory())
    client.force_login(other)
    assert client.get(f"/surveys/{opened.round.pk}/").status_code == 404


def test_the_self_assessment_names_the_round_its_satisfaction_came_from(
    client, opened, unit_admin, pledged
):
    from hexie.assessments.models import SelfAssessment

    answer_all(opened, 18)
    services.close_round(unit_admin, opened.round)
    client.force_login(unit_admin)
    client.post(f"/surveys/{opened.round.pk}/apply/")
    draft = SelfAssessment.objects.get(unit=opened.round.unit, state="draft")
    for url in (f"/assessments/{draft.pk}/edit/", f"/assessments/{draft.pk}/"):
        page = client.get(url).content.decode()
        assert f"来源：满意度调查第 {opened.round.number} 轮（18 份答卷" in page, url
    # Typed over by hand, the value no longer claims the survey as its source.
    client.post(f"/assessments/{draft.pk}/edit/", {"satisfaction_percent": "95"})
    assert "来源：满意度调查" not in client.get(f"/assessments/{draft.pk}/edit/").content.decode()
