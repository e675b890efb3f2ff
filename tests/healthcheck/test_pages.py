"""The pages and the PDF report as a unit admin and the offices use them."""

import subprocess

import pytest
from django.utils import timezone

from hexie.healthcheck import services
from hexie.healthcheck.models import HealthCheck, RemediationTask
from tests.factories import XIHU_TOWN_2, UnitFactory

from .conftest import all_answers, upload

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def form_data(check, **overrides):
    return {f"answer_{k}": v for k, v in all_answers(check, **overrides).items()}


def test_unit_admin_answers_saves_and_submits(client, check, unit_admin):
    client.force_login(unit_admin)
    page = f"/healthcheck/{check.pk}/"
    assert f'href="{page}"' in client.get("/healthcheck/").content.decode()  # last year's
    html = client.get(page).content.decode()
    assert "劳动合同" in html and "HC-LC-01" in html and "应备材料" in html
    assert "《中华人民共和国劳动合同法》（2012年修正） 第十条" in html  # legal basis on demand
    assert "HC-WG-05" not in html  # construction-project items do not apply
    response = client.post(page, {"answer_HC-LC-01": "yes", "action": "save"})
    assert response.status_code == 302
    assert HealthCheck.objects.get().answers == {"HC-LC-01": "yes"}
    response = client.post(page, {"answer_HC-LC-01": "yes", "action": "submit"})
    assert response.status_code == 200
    assert "个适用条目未回答" in response.content.decode()
    response = client.post(page, form_data(check, HC_WG_01="no") | {"action": "submit"})
    assert response.status_code == 302
    html = client.get(page).content.decode()
    assert 'data-level="red"' in html and "整改建议" in html and "HC-WG-01" in html
    assert "提交整改" in html and "下载体检报告" in html


def test_not_applicable_refused_on_the_field(client, check, unit_admin):
    client.force_login(unit_admin)
    response = client.post(f"/healthcheck/{check.pk}/",
                           {"answer_HC-LC-01": "na", "action": "save"})
    assert 'data-testid="error-HC-LC-01"' in response.content.decode()
    assert HealthCheck.objects.get().answers == {}


def test_report_pdf_holds_cover_findings_basis_and_tasks(client, check, unit_admin, tmp_path):
    client.force_login(unit_admin)
    assert client.get(f"/healthcheck/{check.pk}/report.pdf").status_code == 404  # not yet
    services.submit(unit_admin, check, all_answers(check, HC_WG_01="no", HC_RL_02="no"))
    response = client.get(f"/healthcheck/{check.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(response.content, tmp_path)
    for expected in ("年度线上用工体检报告", check.unit.name, "zj-healthcheck@1", "红色（高风险）",
                     "分领域合规情况", "工资支付与欠薪", "HC-WG-01", "第三十条",
                     "《职工带薪年休假条例》", "整改建议", "整改任务"):
        assert expected in text.replace(" ", ""), expected


def test_county_sees_progress_by_state_level_and_town(client, check, office, unit_admin):
    services.submit(unit_admin, check, all_answers(check, HC_LC_02="no"))
    client.force_login(office)
    assert client.get("/healthcheck/").url == "/healthcheck/progress/"
    html = client.get(f"/healthcheck/progress/?year={check.year}").content.decode()
    assert check.unit.name in html and "北山街道" in html
    assert 'data-testid="organise-form"' in html
    html = client.get(f"/healthcheck/progress/?year={check.year}&level=red").content.decode()
    assert check.unit.name not in html


def test_county_organises_all_and_adds_one_unit(client, office, catalogue, pledge, year):
    client.force_login(office)
    response = client.post("/healthcheck/organise/", {"year": year})
    assert response.status_code == 302 and response.url == f"/healthcheck/progress/?year={year}"
    assert HealthCheck.objects.count() == 1
    extra = UnitFactory(region_id=XIHU_TOWN_2)
    client.post("/healthcheck/organise/", {"year": year, "credit_code": extra.credit_code})
    assert HealthCheck.objects.filter(unit=extra, pledged=False).exists()
    response = client.post("/healthcheck/organise/", {"year": year,
                                                      "credit_code": "91330106MA00000000"},
                           follow=True)
    assert "未找到该统一社会信用代码的单位" in response.content.decode()


def test_a_city_office_reads_but_does_not_organise(client, check, catalogue):
    from hexie.accounts.roles import Role
    from tests.factories import HANGZHOU, make_user

    city = make_user(Role.CITY_OFFICE, region=HANGZHOU)
    client.force_login(city)
    html = client.get(f"/healthcheck/progress/?year={check.year}").content.decode()
    assert check.unit.name in html and 'data-testid="organise-form"' not in html
    assert client.post("/healthcheck/organise/", {"year": check.year}).status_code == 403


def test_close_task_and_follow_up_through_the_pages(client, check, unit_admin, office):
    services.submit(unit_admin, check, all_answers(check, HC_WG_01="no"))
    task = RemediationTask.objects.get()
    client.force_login(unit_admin)
    response = client.post(f"/healthcheck/tasks/{task.pk}/close/", {"note": ""}, follow=True)
    assert "请填写整改说明" in response.content.decode()
    client.post(f"/healthcheck/tasks/{task.pk}/close/",
                {"note": "已补发工资。", "evidence": upload()})
    task.refresh_from_db()
    assert task.state == RemediationTask.State.SUBMITTED
    download = client.get(f"/healthcheck/tasks/{task.pk}/evidence/")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    client.force_login(office)
    html = client.get("/healthcheck/tasks/").content.decode()
    assert "已补发工资。" in html and "HC-WG-01" in html
    client.post(f"/healthcheck/tasks/{task.pk}/follow-up/", {"decision": "accept", "note": ""})
    task.refresh_from_db()
    assert task.state == RemediationTask.State.ACCEPTED
    assert HealthCheck.objects.get().state == HealthCheck.State.CLOSED


def test_unit_without_a_check_this_year(client, unit_admin, catalogue):
    client.force_login(unit_admin)
    response = client.get("/healthcheck/")
    assert response.status_code == 200
    assert f"尚未安排本单位 {timezone.localdate().year} 年度" in response.content.decode()


def test_nav_item_for_readers_only(client, unit_admin, catalogue):
    from hexie.accounts.roles import Role
    from tests.factories import make_user

    client.force_login(unit_admin)
    assert 'href="/healthcheck/"' in client.get("/").content.decode()
    client.force_login(make_user(Role.PARTNER, region="330106"))
    assert 'href="/healthcheck/"' not in client.get("/").content.decode()


def test_progress_page_query_count_does_not_grow(client, office, catalogue, year,
                                                 django_assert_max_num_queries):
    units = [UnitFactory(region_id=XIHU_TOWN_2) for _ in range(12)]
    services.organise(office, year, units)
    client.force_login(office)
    with django_assert_max_num_queries(16):
        assert client.get(f"/healthcheck/progress/?year={year}").status_code == 200
