"""The yearly check through its services: organise, answer, prefill, submit, remediate and
follow up; every refusal with its message and nothing changed; audit and notifications."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from hexie.accounts.roles import Role
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from hexie.healthcheck import services
from hexie.healthcheck.models import CatalogueVersion, HealthCheck, RemediationTask
from hexie.monitoring.models import RiskSignal
from hexie.notifications.models import Notification
from tests.factories import HANGZHOU, NANHU_TOWN, XIHU_TOWN, XIHU_TOWN_2, UnitFactory, make_user

from .conftest import PNG, all_answers, upload

pytestmark = pytest.mark.django_db


def events(action):
    return AuditEvent.objects.filter(action=action)


# --- organise --------------------------------------------------------------------------------

def test_organise_gives_every_pledged_unit_in_scope_one_check(catalogue, office, unit, pledge,
                                                              year, other_unit):
    UnitFactory(region_id=XIHU_TOWN)  # not pledged: left out
    result = services.organise(office, year)
    (check,) = result.created
    assert (check.unit, check.year, check.catalogue, check.state) == (
        unit, year, catalogue, HealthCheck.State.OPEN)
    assert check.pledged and check.organised_region == "330106"
    event = events("healthcheck.organise").get()
    assert event.after["checks"] == [check.pk] and event.after["catalogue"] == "zj-healthcheck@1"
    assert Notification.objects.filter(kind="healthcheck.organised",
                                       recipient__memberships__unit=unit).count() == 1


def test_organise_is_idempotent(check, office, year):
    again = services.organise(office, year)
    assert again.created == [] and again.existing == 1
    assert HealthCheck.objects.count() == 1
    assert events("healthcheck.organise").count() == 1


def test_an_office_adds_a_unit_that_has_not_pledged(catalogue, office, year):
    extra = UnitFactory(region_id=XIHU_TOWN_2)
    (check,) = services.organise(office, year, [extra]).created
    assert check.unit == extra and not check.pledged
    assert events("healthcheck.organise").get().after["not_pledged"] == [extra.pk]


def test_a_town_office_organises_its_own_town_only(catalogue, town_office, year, pledge, unit):
    (check,) = services.organise(town_office, year).created
    assert check.organised_region == XIHU_TOWN
    elsewhere = UnitFactory(region_id=XIHU_TOWN_2)
    with pytest.raises(OutOfScope):
        services.organise(town_office, year, [elsewhere])
    assert not HealthCheck.objects.filter(unit=elsewhere).exists()


@pytest.mark.parametrize("who, error, message", [
    ("city", NotPermitted, "只有县（市、区）三方办公室和工业园区、乡镇（街道）可以组织"),
    ("unit_admin", NotPermitted, "只有县（市、区）三方办公室和工业园区、乡镇（街道）可以组织"),
    ("partner", OutOfScope, None),
])
def test_only_county_and_town_offices_organise(catalogue, pledge, year, unit, unit_admin, who,
                                               error, message):
    user = {"city": lambda: make_user(Role.CITY_OFFICE, region=HANGZHOU),
            "unit_admin": lambda: unit_admin,
            "partner": lambda: make_user(Role.PARTNER, region="330106")}[who]()
    with pytest.raises(error) as err:
        services.organise(user, year)
    if message:
        assert message in str(err.value)
    assert HealthCheck.objects.count() == 0


def test_another_county_cannot_add_our_unit(catalogue, other_office, year, unit):
    with pytest.raises(OutOfScope):
        services.organise(other_office, year, [unit])
    assert HealthCheck.objects.count() == 0


@pytest.mark.parametrize("bad, message", [
    (2022, "体检年度应在 2023 年至"), ("x", "体检年度应为四位年份"),
    (lambda: timezone.localdate().year + 1, "体检年度应在 2023 年至"),
])
def test_organise_year_bounds(catalogue, office, unit, bad, message):
    year = bad() if callable(bad) else bad
    with pytest.raises(DomainError) as err:
        services.organise(office, year, [unit])
    assert message in err.value.message and err.value.field == "year"
    assert HealthCheck.objects.count() == 0


def test_organise_year_bounds_inclusive(catalogue, office, unit):
    this_year = timezone.localdate().year
    assert services.organise(office, 2023, [unit]).created
    assert services.organise(office, this_year, [unit]).created


def test_organise_needs_pledged_units_and_a_catalogue(office, unit, year, catalogue):
    with pytest.raises(DomainError) as err:
        services.organise(office, year)
    assert err.value.code == "no_units" and "未承诺的单位可逐个添加" in err.value.message
    CatalogueVersion.objects.all().delete()
    with pytest.raises(DomainError) as err:
        services.organise(office, year, [unit])
    assert err.value.code == "no_catalogue" and "hexie healthcheck load" in err.value.message


def test_one_check_per_unit_per_year_in_the_database(check):
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthCheck.objects.create(unit=check.unit, year=check.year, catalogue=check.catalogue,
                                   organised_by=check.organised_by, organised_region="330106")


def test_the_check_keeps_its_catalogue_version(check, tmp_path):
    import yaml

    from hexie.healthcheck.catalogue import CATALOGUE_DIR

    data = yaml.safe_load((CATALOGUE_DIR / "zj-healthcheck-v1.yaml").read_text("utf-8"))
    data["version"] = 2
    data["items"] = data["items"][:3]
    (tmp_path / "v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    services.load_path(None, tmp_path / "v2.yaml")
    check.refresh_from_db()
    assert check.catalogue.version == 1 and len(services.applicable_items(check)) > 3


# --- answering -----------------------------------------------------------------------------

def test_save_answers_merges_and_is_audited(check, unit_admin):
    services.save_answers(unit_admin, check, {"HC-LC-01": "yes"})
    saved = services.save_answers(unit_admin, check, {"HC-LC-02": "no", "HC-LC-01": ""})
    assert saved.answers == {"HC-LC-01": "yes", "HC-LC-02": "no"}
    assert events("healthcheck.answer").count() == 2


@pytest.mark.parametrize("answers, field, message", [
    ({"HC-LC-01": "maybe"}, "HC-LC-01", "应为“是”“否”或“不适用”"),
    ({"HC-LC-01": "na"}, "HC-LC-01", "不能选“不适用”"),
    ({"HC-WG-05": "yes"}, "HC-WG-05", "不在本单位适用的体检目录中"),  # construction only
    ({"HC-XX-01": "yes"}, "HC-XX-01", "不在本单位适用的体检目录中"),
])
def test_bad_answers_are_refused(check, unit_admin, answers, field, message):
    with pytest.raises(DomainError) as err:
        services.save_answers(unit_admin, check, answers)
    assert err.value.field == field and message in err.value.message
    check.refresh_from_db()
    assert check.answers == {} and not events("healthcheck.answer").exists()


def test_only_the_units_own_admin_answers(check, office, unit):
    with pytest.raises(NotPermitted) as err:
        services.save_answers(office, check, {"HC-LC-01": "yes"})
    assert "只能由本单位经办人填报" in err.value.message
    stranger = make_user(Role.UNIT_ADMIN, unit=UnitFactory(region_id=XIHU_TOWN))
    with pytest.raises(OutOfScope):
        services.save_answers(stranger, check, {"HC-LC-01": "yes"})
    with pytest.raises(OutOfScope):
        services.submit(stranger, check, all_answers(check))
    check.refresh_from_db()
    assert check.answers == {} and check.state == HealthCheck.State.OPEN


def test_prefill_suggests_from_the_latest_self_assessment(check, unit, pledge, unit_admin):
    from hexie.assessments.models import SelfAssessment
    from hexie.standards.services import load_path as load_standards

    standard = load_standards(None)[0][0]
    assert services.prefill(check) == {}
    SelfAssessment.objects.create(
        unit=unit, pledge=pledge, year=pledge.year, standard=standard, created_by=unit_admin,
        state=SelfAssessment.State.SUBMITTED, sequence=1,
        facts={"employees_total": 100, "employees_with_contract": 100, "employees_insured": 90,
               "wages_paid_on_time_in_full": True, "social_insurance_paid_in_full": False})
    latest = SelfAssessment.objects.create(  # a later draft: the latest one counts
        unit=unit, pledge=pledge, year=pledge.year, standard=standard, created_by=unit_admin,
        facts={"employees_total": 100, "employees_with_contract": 99, "employees_insured": 90,
               "wages_paid_on_time_in_full": True, "social_insurance_paid_in_full": False})
    got = services.prefill(check)
    assert {k: v["answer"] for k, v in got.items()} == {
        "HC-LC-01": "no", "HC-WG-01": "yes", "HC-SI-01": "no", "HC-SI-02": "no"}
    assert got["HC-LC-01"]["source"] == {"self_assessment": latest.pk, "year": pledge.year,
                                         "state": "draft"}
    check.refresh_from_db()
    assert check.answers == {}  # suggestions only


# --- submit --------------------------------------------------------------------------------

def test_submit_needs_every_applicable_item(check, unit_admin):
    answers = all_answers(check)
    answers.pop("HC-OS-03")
    with pytest.raises(DomainError) as err:
        services.submit(unit_admin, check, answers)
    assert err.value.code == "unanswered" and "HC-OS-03" in err.value.message
    check.refresh_from_db()
    assert check.state == HealthCheck.State.OPEN and check.answers == {}
    assert not check.findings.exists() and not events("healthcheck.submit").exists()


def test_submit_scores_records_findings_tasks_and_red_signals(check, unit_admin, unit,
                                                              office, town_office):
    today = datetime.date(2026, 5, 4)
    answers = all_answers(check, HC_WG_01="no", HC_RL_02="no", HC_DO_01="na")
    done = services.submit(unit_admin, check, answers, today=today)
    assert done.state == HealthCheck.State.SUBMITTED and done.level == "red"
    items = services.applicable_items(done)
    weight = sum(3 if i.risk == "red" else 1 for i in items if i.id != "HC-DO-01")
    assert float(done.score) == round(100 * 4 / weight, 1)
    assert done.profile == {"kind": "enterprise", "size": "medium", "platform": False}
    findings = {f.item_id: f for f in done.findings.all()}
    assert set(findings) == {"HC-WG-01", "HC-RL-02"}
    wages = findings["HC-WG-01"]
    assert wages.risk_level == "red" and wages.area_name == "工资支付与欠薪"
    assert wages.legal_basis[0]["title"] == "《中华人民共和国劳动合同法》（2012年修正）"
    assert wages.legal_basis[0]["article"] == "第三十条"
    assert wages.task.due_on == today + datetime.timedelta(days=30)
    assert findings["HC-RL-02"].task.due_on == today + datetime.timedelta(days=60)
    signal = RiskSignal.objects.get()
    assert (signal.unit, signal.source, signal.level, signal.reference, signal.detected_on) == (
        unit, "health_check", "red", f"healthcheck.finding:{wages.pk}", today)
    assert "第三十条" in signal.summary
    assert done.area_results["RL"]["share"] == pytest.approx(2 / 3)
    assert done.area_results["PW"]["share"] is None
    event = events("healthcheck.submit").get()
    assert event.after["findings"] == 2 and event.after["risk_signals"] == 1
    to = set(Notification.objects.filter(kind="healthcheck.submitted")
             .values_list("recipient_id", flat=True))
    assert to == {unit_admin.pk, office.pk, town_office.pk}


def test_a_clean_check_is_complete_at_once(check, unit_admin):
    done = services.submit(unit_admin, check, all_answers(check))
    assert (done.state, done.level, float(done.score)) == (HealthCheck.State.CLOSED, "green", 0)
    assert not done.findings.exists() and not RiskSignal.objects.exists()


def test_yellow_findings_only_raise_no_signal(check, unit_admin):
    done = services.submit(unit_admin, check, all_answers(check, HC_LC_02="no"))
    assert done.level == "green" and done.findings.count() == 1
    assert not RiskSignal.objects.exists()


def test_submit_twice_is_refused(check, unit_admin):
    services.submit(unit_admin, check, all_answers(check, HC_LC_02="no"))
    with pytest.raises(DomainError) as err:
        services.submit(unit_admin, check, all_answers(check))
    assert err.value.code == "illegal_transition" and "不能提交体检" in err.value.message
    with pytest.raises(DomainError) as err:
        services.save_answers(unit_admin, check, {"HC-LC-02": "yes"})
    assert "不能修改答卷" in err.value.message
    assert HealthCheck.objects.get().findings.count() == 1


# --- remediation ---------------------------------------------------------------------------

@pytest.fixture
def task(check, unit_admin):
    services.submit(unit_admin, check, all_answers(check, HC_WG_01="no"))
    return RemediationTask.objects.get()


def test_close_task_with_evidence(task, unit_admin, office, town_office, media_root):
    done = services.close_task(unit_admin, task, upload(), "已补发全部工资。")
    assert done.state == RemediationTask.State.SUBMITTED
    assert done.evidence_type == "pdf" and done.evidence_name == "evidence.pdf"
    assert (media_root / done.evidence.name).exists()
    assert events("healthcheck.close_task").count() == 1
    assert set(Notification.objects.filter(kind="healthcheck.task_submitted")
               .values_list("recipient_id", flat=True)) == {office.pk, town_office.pk}


@pytest.mark.parametrize("file, note, field, message", [
    (None, "已整改。", "evidence", "请上传整改证明材料"),
    ("pdf", "", "note", "请填写整改说明"),
    (("notes.txt", b"plain"), "已整改。", "evidence", "整改材料只接受以下类型"),
    (("fake.pdf", PNG), "已整改。", "evidence", "内容与扩展名不符"),
    (("fake.docx", b"PK\x03\x04not a zip"), "已整改。", "evidence", "内容与扩展名不符"),
    (("empty.png", b""), "已整改。", "evidence", "内容与扩展名不符"),
])
def test_close_task_refusals(task, unit_admin, file, note, field, message):
    if file == "pdf":
        file = upload()
    elif file is not None:
        file = upload(*file)
    with pytest.raises(DomainError) as err:
        services.close_task(unit_admin, task, file, note)
    assert err.value.field == field and message in err.value.message
    task.refresh_from_db()
    assert task.state == RemediationTask.State.OPEN and not task.evidence
    assert not events("healthcheck.close_task").exists()


def test_close_task_size_limit(task, unit_admin, settings):
    from hexie.healthcheck import policy

    limit = policy.current().evidence_max_bytes
    with pytest.raises(DomainError) as err:
        services.close_task(unit_admin, task, upload(content=b"%PDF-" + b"0" * limit), "已整改。")
    assert "不能超过 10 MB" in err.value.message
    assert services.close_task(unit_admin, task, upload(content=b"%PDF-" + b"0" * (limit - 5)),
                               "已整改。").state == RemediationTask.State.SUBMITTED


def test_docx_evidence_is_accepted(task, unit_admin):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    done = services.close_task(unit_admin, task, upload("整改报告.docx", buffer.getvalue()),
                               "已整改。")
    assert done.evidence_type == "docx"


def test_close_task_refused_to_others_and_in_the_wrong_state(task, office, unit_admin):
    with pytest.raises(NotPermitted) as err:
        services.close_task(office, task, upload(), "已整改。")
    assert "整改任务只能由本单位经办人提交" in err.value.message
    stranger = make_user(Role.UNIT_ADMIN, unit=UnitFactory(region_id=NANHU_TOWN))
    with pytest.raises(OutOfScope):
        services.close_task(stranger, task, upload(), "已整改。")
    services.close_task(unit_admin, task, upload(), "已整改。")
    with pytest.raises(DomainError) as err:
        services.close_task(unit_admin, task, upload(), "再次提交。")
    assert "当前状态为“待跟进”，不能提交整改材料" in err.value.message


def test_follow_up_reopen_then_accept_closes_the_check(task, unit_admin, town_office):
    services.close_task(unit_admin, task, upload(), "已整改。")
    with pytest.raises(DomainError) as err:
        services.follow_up(town_office, task, False, "")
    assert err.value.field == "note" and "退回整改时请写明原因" in err.value.message
    back = services.follow_up(town_office, task, False, "请补充银行代发回单。")
    assert back.state == RemediationTask.State.OPEN and back.rounds == 1
    services.close_task(unit_admin, task, upload("回单.png", PNG), "已补充回单。")
    done = services.follow_up(town_office, task, True, "")
    assert done.state == RemediationTask.State.ACCEPTED
    check = HealthCheck.objects.get()
    assert check.state == HealthCheck.State.CLOSED and check.closed_at
    assert events("healthcheck.follow_up").count() == 2
    assert events("healthcheck.close").count() == 1
    assert Notification.objects.filter(kind="healthcheck.task_reviewed",
                                       recipient=unit_admin).count() == 2


def test_follow_up_refusals(task, unit_admin, office):
    with pytest.raises(DomainError) as err:
        services.follow_up(office, task, True, "")
    assert "当前状态为“待整改”，不能通过整改" in err.value.message
    services.close_task(unit_admin, task, upload(), "已整改。")
    with pytest.raises(NotPermitted) as err:
        services.follow_up(unit_admin, task, True, "")
    assert "只有所在县（市、区）或工业园区、乡镇（街道）办公室可以跟进整改" in err.value.message
    city = make_user(Role.CITY_OFFICE, region=HANGZHOU)
    with pytest.raises(NotPermitted):
        services.follow_up(city, task, True, "")
    with pytest.raises(OutOfScope):
        services.follow_up(make_user(Role.TOWN_OFFICE, region=XIHU_TOWN_2), task, True, "")
    task.refresh_from_db()
    assert task.state == RemediationTask.State.SUBMITTED
    assert not events("healthcheck.follow_up").exists()


def test_a_check_with_open_tasks_stays_submitted(check, unit_admin, office):
    services.submit(unit_admin, check, all_answers(check, HC_WG_01="no", HC_LC_02="no"))
    first, second = RemediationTask.objects.order_by("finding__item_id")
    services.close_task(unit_admin, first, upload(), "已整改。")
    services.follow_up(office, first, True, "")
    assert HealthCheck.objects.get().state == HealthCheck.State.SUBMITTED
    assert second.state == RemediationTask.State.OPEN


# --- reminders and to-dos ------------------------------------------------------------------

def test_remediation_deadlines_are_reminded_once(task, unit_admin):
    from hexie.notifications.reminders import lead_days, send_due

    lead = max(lead_days())
    today = task.due_on - datetime.timedelta(days=lead)
    first = send_due(today)
    assert first.sent >= 1
    mine = Notification.objects.filter(kind="reminder", recipient=unit_admin)
    assert mine.count() == 1 and "HC-WG-01" in mine.get().title
    send_due(today)
    assert mine.count() == 1
    assert send_due(task.due_on + datetime.timedelta(days=1)).sent == 0  # past: never


def test_workbench_todos(catalogue, office, unit, unit_admin, town_office):
    from hexie.core.worklist import todos_for

    this_year = timezone.localdate().year
    (check,) = services.organise(office, this_year, [unit]).created
    mine = {t.key: t for t in todos_for(unit_admin)}
    assert mine["healthcheck.check_to_answer"].count == 1
    assert mine["healthcheck.check_to_answer"].url == f"/healthcheck/{check.pk}/"
    services.submit(unit_admin, check, all_answers(check, HC_WG_01="no", HC_LC_02="no"))
    mine = {t.key: t for t in todos_for(unit_admin)}
    assert "healthcheck.check_to_answer" not in mine
    tasks = mine["healthcheck.tasks_to_close"]
    assert tasks.count == 2 and tasks.due == RemediationTask.objects.order_by(
        "due_on").first().due_on
    services.close_task(unit_admin, RemediationTask.objects.first(), upload(), "已整改。")
    theirs = {t.key: t for t in todos_for(town_office)}
    assert theirs["healthcheck.tasks_to_follow"].count == 1
    assert theirs["healthcheck.tasks_to_follow"].url == "/healthcheck/tasks/"


def test_workbench_counts_pledged_units_still_to_organise(catalogue, office, unit, unit_admin):
    from hexie.campaigns import services as campaigns
    from hexie.core.worklist import todos_for
    from tests.campaigns.conftest import congress

    today = timezone.localdate()
    campaigns.open_campaign(office, "330106", today.year)
    campaigns.pledge(unit_admin, unit, year=today.year, pledged_on=today,
                     congress=congress(today))
    todo = {t.key: t for t in todos_for(office)}["healthcheck.units_to_organise"]
    assert todo.count == 1 and todo.url == "/healthcheck/progress/"
    services.organise(office, today.year)
    assert "healthcheck.units_to_organise" not in {t.key for t in todos_for(office)}


def test_demo_health_check(catalogue, office, unit, unit_admin, year):
    from hexie.healthcheck.demo import demo_health_check

    check = demo_health_check(unit, unit_admin, office, year)
    assert check.state == HealthCheck.State.SUBMITTED and check.level == "red"
    assert check.findings.count() == 3 and RiskSignal.objects.count() == 1
    assert demo_health_check(unit, unit_admin, office, year).pk == check.pk
