"""The self-assessment's history (issue 9, point 4): each state change writes one typed event
with its actor in the service's transaction, the self-assessment page shows it as 办理记录, the
API lists it inside the scope only, and an event cannot be changed or deleted."""

import pytest
from rest_framework.test import APIClient

from hexie.assessments import services
from hexie.assessments.models import SelfAssessment, SelfAssessmentEvent
from hexie.core.errors import DomainError
from hexie.core.events import ImmutableEvent

from .conftest import upload

pytestmark = pytest.mark.django_db


def types(sa):
    return [e.type for e in sa.events.all()]


def test_start_writes_one_started_event(draft, unit_admin):
    event = SelfAssessmentEvent.objects.get()
    assert (event.self_assessment, event.type, event.actor) == (draft, "started", unit_admin)
    assert event.describe() == "开始自评草稿（标准库 zj-baseline@1）"
    services.start_draft(unit_admin, draft.unit, draft.year)  # continues: no new event
    assert SelfAssessmentEvent.objects.count() == 1


def test_save_upload_remove_and_submit_each_write_one_event(draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    services.save_draft(unit_admin, draft, good_facts)  # no change, no event
    row = services.upload_evidence(unit_admin, draft, "EL-01.1", upload("制度.pdf"))
    services.remove_evidence(unit_admin, row)
    done = services.submit(unit_admin, draft)
    assert types(done) == ["started", "facts_saved", "evidence_added", "evidence_removed",
                           "submitted"]
    assert {e.actor for e in done.events.all()} == {unit_admin}
    saved, added, removed, submitted = list(done.events.all())[1:]
    assert saved.describe() == f"保存自评草稿，修改了 {len(good_facts)} 项数据"
    assert added.describe() == "为指标 EL-01.1 上传证明材料“制度.pdf”"
    assert removed.describe() == "删除指标 EL-01.1 的证明材料“制度.pdf”"
    assert submitted.payload["sequence"] == 1
    assert submitted.describe() == "提交第 1 次单位自评：达到创建标准，证明材料不齐全"


def test_the_next_draft_says_what_it_copied(draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    services.submit(unit_admin, draft)
    second = services.start_draft(unit_admin, draft.unit, draft.year)
    assert types(second) == ["started"]
    assert "沿用第 1 次提交的数据" in second.events.get().describe()


def test_a_refused_change_writes_no_event(draft, unit_admin, office, good_facts):
    with pytest.raises(DomainError):
        services.save_draft(unit_admin, draft, {"no_such_fact": 1})
    with pytest.raises(DomainError):
        services.submit(unit_admin, draft)  # facts incomplete
    with pytest.raises(DomainError):
        services.upload_evidence(unit_admin, draft, "XX-9", upload())
    assert types(draft) == ["started"]


def test_the_event_rolls_back_with_the_submission(draft, unit_admin, good_facts, monkeypatch):
    """A failure after the event is written (here: the notification) leaves neither."""
    services.save_draft(unit_admin, draft, good_facts)

    def broken(*args, **kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        services.submit(unit_admin, draft)
    draft.refresh_from_db()
    assert draft.state == SelfAssessment.State.DRAFT
    assert types(draft) == ["started", "facts_saved"]


def test_the_page_shows_the_timeline(client, draft, unit_admin, office, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    done = services.submit(unit_admin, draft)
    client.force_login(office)
    page = client.get(f"/assessments/{done.pk}/").content.decode()
    assert "办理记录" in page
    assert "提交第 1 次单位自评：达到创建标准" in page
    assert str(unit_admin) in page


def test_the_api_lists_the_events_inside_the_scope_only(draft, unit_admin, office,
                                                         other_office):
    client = APIClient()
    client.force_authenticate(office)
    response = client.get(f"/api/v1/self-assessments/{draft.pk}/events/")
    assert response.status_code == 200
    assert [(e["type"], e["actor"], e["actor_name"]) for e in response.data] == [
        ("started", unit_admin.pk, str(unit_admin))]
    client.force_authenticate(other_office)
    assert client.get(f"/api/v1/self-assessments/{draft.pk}/events/").status_code == 404


def test_an_event_cannot_be_changed_or_deleted(draft):
    event = SelfAssessmentEvent.objects.get()
    event.type = "submitted"
    with pytest.raises(ImmutableEvent):
        event.save()
    with pytest.raises(ImmutableEvent):
        event.delete()
    with pytest.raises(ImmutableEvent):
        SelfAssessmentEvent.objects.update(type="submitted")
    assert SelfAssessmentEvent.objects.get().type == "started"
