"""The health check's history (issue 9, point 4): each state change writes one typed event with
its actor in the service's transaction, the check's page shows it as 办理记录, the API lists it
inside the scope only, and an event cannot be changed or deleted."""

import pytest
from rest_framework.test import APIClient

from hexie.core.errors import DomainError
from hexie.core.events import ImmutableEvent
from hexie.healthcheck import services
from hexie.healthcheck.models import HealthCheck, HealthCheckEvent, RemediationTask

from .conftest import all_answers, upload

pytestmark = pytest.mark.django_db


def types(check):
    return [e.type for e in check.events.all()]


def test_organise_writes_one_event_per_check(check, office, year, catalogue):
    event = HealthCheckEvent.objects.get()
    assert (event.health_check, event.type, event.actor) == (check, "organised", office)
    assert event.describe() == f"组织 {year} 年度线上用工体检（体检目录 {catalogue.key}）"
    services.organise(office, year)  # idempotent: nothing new, no event
    assert HealthCheckEvent.objects.count() == 1


def test_a_clean_check_is_saved_submitted_and_closed(check, unit_admin):
    answers = all_answers(check)
    services.save_answers(unit_admin, check, dict(list(answers.items())[:3]))
    services.submit(unit_admin, check, answers)
    assert types(check) == ["organised", "answers_saved", "submitted", "closed"]
    saved, submitted, closed = list(check.events.all())[1:]
    assert saved.describe() == "保存答卷，已回答 3 项"
    assert submitted.actor == unit_admin and submitted.payload["findings"] == 0
    assert closed.describe() == "未发现问题，体检完成"


def test_remediation_is_part_of_the_checks_history(check, unit_admin, office):
    services.submit(unit_admin, check, all_answers(check, HC_WG_01="no"))
    task = RemediationTask.objects.get()
    services.close_task(unit_admin, task, upload("工资单.pdf"), "已补发全部工资。")
    services.follow_up(office, task, False, "请补充银行流水")
    task.refresh_from_db()
    services.close_task(unit_admin, task, upload("流水.pdf"), "已补充银行流水。")
    services.follow_up(office, task, True)
    assert types(check) == ["organised", "submitted", "task_submitted", "task_returned",
                            "task_submitted", "task_accepted", "closed"]
    rows = list(check.events.all())
    assert rows[2].describe() == "提交 HC-WG-01 的整改材料“工资单.pdf”"
    assert (rows[3].actor, rows[3].describe()) == (office, "HC-WG-01 整改退回：请补充银行流水")
    assert rows[6].describe() == "1 项整改全部通过，体检完成"


def test_a_refused_submission_writes_no_event(check, unit_admin):
    with pytest.raises(DomainError):
        services.submit(unit_admin, check, {})  # unanswered items
    assert types(check) == ["organised"]


def test_the_event_rolls_back_with_the_submission(check, unit_admin, monkeypatch):
    """A failure after the event is written (here: the notification) leaves neither."""
    def broken(*args, **kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        services.submit(unit_admin, check, all_answers(check))
    assert HealthCheck.objects.get(pk=check.pk).state == "open"
    assert types(check) == ["organised"]


def test_the_check_page_shows_the_timeline(client, check, unit_admin, office, year):
    client.force_login(unit_admin)
    page = client.get(f"/healthcheck/{check.pk}/").content.decode()
    assert "办理记录" in page and f"组织 {year} 年度线上用工体检" in page
    services.submit(unit_admin, check, all_answers(check))
    client.force_login(office)
    page = client.get(f"/healthcheck/{check.pk}/").content.decode()
    assert "提交体检：风险分" in page and "未发现问题，体检完成" in page
    assert str(unit_admin) in page and str(office) in page


def test_the_api_lists_the_events_inside_the_scope_only(check, office, other_office):
    client = APIClient()
    client.force_authenticate(office)
    response = client.get(f"/api/v1/health-checks/{check.pk}/events/")
    assert response.status_code == 200
    assert [(e["type"], e["actor"]) for e in response.data] == [("organised", office.pk)]
    client.force_authenticate(other_office)
    assert client.get(f"/api/v1/health-checks/{check.pk}/events/").status_code == 404


def test_an_event_cannot_be_changed_or_deleted(check):
    event = HealthCheckEvent.objects.get()
    event.type = "closed"
    with pytest.raises(ImmutableEvent):
        event.save()
    with pytest.raises(ImmutableEvent):
        event.delete()
    with pytest.raises(ImmutableEvent):
        HealthCheckEvent.objects.filter(health_check=check).update(type="closed")
    assert HealthCheckEvent.objects.get().type == "organised"
