"""Self-assessment services: every refusal (message, nothing changed), the evaluator's inclusive
boundaries, pinning, submissions kept with their sequence, drafts copying a submission, audit
and notifications."""

import pytest

from hexie.accounts.roles import Role
from hexie.assessments import services
from hexie.assessments.demo import submit_demo_self_assessment
from hexie.assessments.models import Evidence, SelfAssessment
from hexie.assessments.selectors import latest_submission
from hexie.core.audit import verify
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from hexie.notifications.models import Notification
from hexie.standards import services as standards
from tests.campaigns.conftest import congress, day
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_user

from .conftest import load_baseline_version, upload

pytestmark = pytest.mark.django_db


def actions(obj=None):
    events = AuditEvent.objects.order_by("id")
    if obj is not None:
        events = events.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(events.values_list("action", flat=True))


def attach_all(actor, sa, lib):
    from hexie.assessments.evaluation import evidence_items

    for item_id in evidence_items(lib, sa.profile):
        services.upload_evidence(actor, sa, item_id, upload(f"{item_id}.pdf"))


# --- starting a draft ---------------------------------------------------------------------

def test_start_pins_the_default_library_and_the_profile(draft, unit):
    assert draft.state == SelfAssessment.State.DRAFT
    assert draft.standard.key == "zj-baseline@1"
    assert draft.profile == {"kind": "enterprise", "size": "medium", "platform": False}
    assert draft.pledge.unit_id == unit.pk
    assert actions(draft) == ["assessments.start"]


def test_start_continues_the_open_draft(draft, unit, unit_admin, year):
    again = services.start_draft(unit_admin, unit, year)
    assert again.pk == draft.pk
    assert SelfAssessment.objects.count() == 1
    assert actions(draft) == ["assessments.start"]


def test_start_without_pledge_is_refused(campaign, unit, unit_admin, year):
    with pytest.raises(DomainError) as err:
        services.start_draft(unit_admin, unit, year)
    assert err.value.code == "not_pledged" and err.value.field == "year"
    assert "四（一）" in err.value.message and "四（二）" in err.value.message
    assert "创建承诺书" in err.value.message
    assert not SelfAssessment.objects.exists()


def test_start_for_another_year_than_the_pledge_is_refused(pledge, unit, unit_admin, year):
    with pytest.raises(DomainError) as err:
        services.start_draft(unit_admin, unit, year + 1)
    assert err.value.code == "not_pledged"
    assert not SelfAssessment.objects.exists()


def test_start_refuses_an_enterprise_without_size(pledge, unit, unit_admin, year):
    unit.size = ""
    unit.save()
    with pytest.raises(DomainError) as err:
        services.start_draft(unit_admin, unit, year)
    assert err.value.code == "no_size" and err.value.field == "size"
    assert "核定企业规模" in err.value.message and "三方办公室" in err.value.message
    assert not SelfAssessment.objects.exists()


def test_start_refuses_a_bad_year(pledge, unit, unit_admin):
    with pytest.raises(DomainError) as err:
        services.start_draft(unit_admin, unit, "二〇二五")
    assert err.value.field == "year"


def test_office_may_not_start_and_outsiders_get_404(pledge, unit, office, other_office, year):
    with pytest.raises(NotPermitted):
        services.start_draft(office, unit, year)
    with pytest.raises(OutOfScope):
        services.start_draft(other_office, unit, year)
    other_admin = make_user(Role.UNIT_ADMIN, unit=UnitFactory(region_id=XIHU_TOWN))
    with pytest.raises(OutOfScope):
        services.start_draft(other_admin, unit, year)
    assert not SelfAssessment.objects.exists()


def test_small_enterprise_gets_the_es_set(campaign, unit_admin, year):
    small = UnitFactory(region_id=XIHU_TOWN, size="small", employees=20)
    admin = make_user(Role.UNIT_ADMIN, unit=small)
    from hexie.campaigns import services as campaign_services

    campaign_services.pledge(admin, small, year=year, pledged_on=day(year, 3, 10),
                             congress=congress(day(year, 3, 1)))
    sa = services.start_draft(admin, small, year)
    assert sa.profile["size"] == "small"
    with pytest.raises(DomainError) as err:
        services.save_draft(admin, sa, {"el_training_plan": True})
    assert err.value.field == "el_training_plan" and err.value.code == "unknown_fact"


# --- saving drafts -------------------------------------------------------------------------

def test_partial_facts_are_saved_and_audited(draft, unit_admin):
    saved = services.save_draft(unit_admin, draft, {"employees_total": 400,
                                                    "el_training_plan": True})
    assert saved.pk == draft.pk
    assert saved.facts == {"employees_total": 400, "el_training_plan": True}
    assert saved.result is None and saved.meets is None
    assert actions(draft) == ["assessments.start", "assessments.save_draft"]
    event = AuditEvent.objects.filter(action="assessments.save_draft").get()
    assert event.before["facts"] == {} and event.after["facts"]["employees_total"] == 400


def test_none_clears_a_fact(draft, unit_admin):
    services.save_draft(unit_admin, draft, {"employees_total": 400, "el_training_plan": True})
    saved = services.save_draft(unit_admin, draft, {"employees_total": None})
    assert saved.facts == {"el_training_plan": True}


@pytest.mark.parametrize(("facts", "field", "words"), [
    ({"employees_total": -1}, "employees_total", "不能小于 0"),
    ({"employees_total": 0}, "employees_total", "必须大于 0"),
    ({"employees_total": 12.5}, "employees_total", "应为整数"),
    ({"employees_total": "abc"}, "employees_total", "应为整数"),
    ({"satisfaction_percent": 100.01}, "satisfaction_percent", "不能大于 100"),
    ({"satisfaction_percent": 95.123}, "satisfaction_percent", "最多保留两位小数"),
    ({"el_training_plan": "是"}, "el_training_plan", "应为 true 或 false"),
    ({"employees_total": 10, "employees_with_contract": 11}, "employees_with_contract",
     "不能大于"),
])
def test_an_invalid_present_value_is_refused_naming_the_fact(draft, unit_admin, facts, field,
                                                             words):
    services.save_draft(unit_admin, draft, {"el_training_plan": True})
    with pytest.raises(DomainError) as err:
        services.save_draft(unit_admin, draft, facts)
    assert err.value.field == field and err.value.code == "invalid_fact"
    assert words in err.value.message and field in err.value.message
    draft.refresh_from_db()
    assert draft.facts == {"el_training_plan": True}
    assert actions(draft).count("assessments.save_draft") == 1


def test_an_unknown_fact_is_refused(draft, unit_admin):
    with pytest.raises(DomainError) as err:
        services.save_draft(unit_admin, draft, {"employees_total": 400, "colour": "red"})
    assert err.value.field == "colour" and err.value.code == "unknown_fact"
    draft.refresh_from_db()
    assert draft.facts == {}


def test_facts_must_be_an_object(draft, unit_admin):
    with pytest.raises(DomainError) as err:
        services.save_draft(unit_admin, draft, ["employees_total"])
    assert err.value.field == "facts"


def test_office_may_not_save(draft, office, other_office):
    with pytest.raises(NotPermitted):
        services.save_draft(office, draft, {"employees_total": 400})
    with pytest.raises(OutOfScope):
        services.save_draft(other_office, draft, {"employees_total": 400})
    draft.refresh_from_db()
    assert draft.facts == {}


def test_a_complete_draft_keeps_its_live_result(draft, unit_admin, good_facts):
    saved = services.save_draft(unit_admin, draft, good_facts)
    assert saved.meets is True and saved.evidence_complete is False
    assert saved.result["standard"] == "zj-baseline@1"


# --- submitting ---------------------------------------------------------------------------

def test_incomplete_facts_cannot_be_submitted(draft, unit_admin, good_facts):
    facts = dict(good_facts)
    facts.pop("labour_relations_coordinators")
    services.save_draft(unit_admin, draft, facts)
    with pytest.raises(DomainError) as err:
        services.submit(unit_admin, draft)
    assert err.value.code == "incomplete" and err.value.field == "labour_relations_coordinators"
    assert "缺少必填事实" in err.value.message and "四（二）" in err.value.message
    draft.refresh_from_db()
    assert draft.state == SelfAssessment.State.DRAFT and draft.sequence is None
    assert "assessments.submit" not in actions(draft)
    assert not Notification.objects.filter(kind="assessments.submitted").exists()


def test_submit_freezes_evaluates_audits_and_notifies(draft, unit, unit_admin, office,
                                                      other_office, good_facts, baseline):
    city = make_user(Role.CITY_OFFICE, region="3301")
    services.save_draft(unit_admin, draft, good_facts)
    attach_all(unit_admin, draft, baseline)
    done = services.submit(unit_admin, draft)
    assert done.state == SelfAssessment.State.SUBMITTED and done.sequence == 1
    assert done.meets is True and done.evidence_complete is True
    assert done.submitted_by == unit_admin and done.submitted_at is not None
    assert done.result["standard"] == "zj-baseline@1" and len(done.result["criteria"]) == 11
    assert latest_submission(unit.pk, done.year) == done
    assert actions(done)[-1] == "assessments.submit"
    event = AuditEvent.objects.filter(action="assessments.submit").get()
    assert event.after["sequence"] == 1 and event.after["meets"] is True
    assert "四（二）" in event.after["rule"]
    notes = Notification.objects.filter(kind="assessments.submitted")
    assert set(notes.values_list("recipient_id", flat=True)) == {office.pk, unit_admin.pk}
    assert city.pk not in set(notes.values_list("recipient_id", flat=True))
    assert other_office.pk not in set(notes.values_list("recipient_id", flat=True))
    assert "第 1 次" in notes.first().title and notes.first().url == f"/assessments/{done.pk}/"
    assert verify().ok


def test_evidence_does_not_decide_meets(draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    done = services.submit(unit_admin, draft)
    assert done.meets is True and done.evidence_complete is False
    items = [i for c in done.result["criteria"] for i in c["items"] if i["evidence"]]
    assert items and all(i["evidence_attached"] is False for i in items)


def test_a_failing_assessment_is_kept_with_reasons(draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts | {"employees_with_contract": 394})
    done = services.submit(unit_admin, draft)
    assert done.meets is False
    el06 = next(c for c in done.result["criteria"] if c["id"] == "EL-06")
    assert el06["met"] is False
    assert any("98.50% < 100%" in r for r in el06["reasons"])


@pytest.mark.parametrize(("facts", "criterion", "met"), [
    ({"labour_relations_coordinators": 2}, "EL-04", True),    # "2人以上" includes 2
    ({"labour_relations_coordinators": 1}, "EL-04", False),
    ({"satisfaction_percent": 90.0}, "EL-11", True),          # "90%以上" includes 90
    ({"satisfaction_percent": 89.99}, "EL-11", False),
    ({"employees_with_contract": 400}, "EL-06", True),         # 100%
    ({"employees_with_contract": 399}, "EL-06", False),
    ({"training_fund_total_yuan": 10000.0, "training_fund_frontline_yuan": 6000.0}, "EL-07", True),
    ({"training_fund_total_yuan": 10000.0, "training_fund_frontline_yuan": 5999.99}, "EL-07",
     False),
])
def test_inclusive_boundaries_as_the_evaluator_defines_them(draft, unit_admin, good_facts,
                                                            facts, criterion, met):
    services.save_draft(unit_admin, draft, good_facts | facts)
    done = services.submit(unit_admin, draft)
    got = next(c for c in done.result["criteria"] if c["id"] == criterion)
    assert got["met"] is met
    assert done.meets is met


def test_submitting_a_submission_is_an_illegal_transition(draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    done = services.submit(unit_admin, draft)
    with pytest.raises(DomainError) as err:
        services.submit(unit_admin, done)
    assert err.value.code == "illegal_transition" and "已提交" in err.value.message
    assert SelfAssessment.objects.get(pk=done.pk).sequence == 1


def test_office_may_not_submit(draft, office, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    with pytest.raises(NotPermitted):
        services.submit(office, draft)
    draft.refresh_from_db()
    assert draft.state == SelfAssessment.State.DRAFT


def test_several_submissions_are_kept_and_the_next_save_copies_the_last(
        draft, unit, unit_admin, good_facts, baseline, media_root):
    services.save_draft(unit_admin, draft, good_facts)
    services.upload_evidence(unit_admin, draft, "EL-01.1", upload("party.pdf"))
    first = services.submit(unit_admin, draft)
    frozen = (first.facts, first.result, first.updated_at)

    second_draft = services.save_draft(unit_admin, first, {"labour_relations_coordinators": 1})
    assert second_draft.pk != first.pk and second_draft.state == SelfAssessment.State.DRAFT
    assert second_draft.facts == good_facts | {"labour_relations_coordinators": 1}
    copied = second_draft.evidence.get()
    original = first.evidence.get()
    assert (copied.item_id, copied.file.name, copied.sha256) == (
        original.item_id, original.file.name, original.sha256)
    assert copied.pk != original.pk
    start = AuditEvent.objects.filter(action="assessments.start").order_by("-id").first()
    assert start.after["copied_from"] == first.pk and start.after["evidence_copied"] == 1

    second = services.submit(unit_admin, second_draft)
    assert (second.sequence, second.meets) == (2, False)
    first.refresh_from_db()
    assert (first.facts, first.result, first.updated_at) == frozen
    assert first.sequence == 1 and first.meets is True
    assert latest_submission(unit.pk, first.year) == second

    third = services.submit(unit_admin, services.save_draft(
        unit_admin, second, {"labour_relations_coordinators": 3}))
    assert third.sequence == 3
    assert list(SelfAssessment.objects.filter(unit=unit).order_by("sequence")
                .values_list("sequence", flat=True)) == [1, 2, 3]


def test_upload_on_a_submission_goes_to_the_new_draft(draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    done = services.submit(unit_admin, draft)
    row = services.upload_evidence(unit_admin, done, "EL-01.1", upload())
    assert row.self_assessment_id != done.pk
    assert not done.evidence.exists()


def test_pinned_version_stays_after_a_new_library_version(draft, unit_admin, good_facts,
                                                          tmp_path):
    def stricter(item, set_id):
        if set_id == "EL" and item.get("rule", {}).get("fact") == "labour_relations_coordinators":
            item["rule"]["value"] = 3

    load_baseline_version(tmp_path, 2, stricter)
    assert standards.resolve().key == "zj-baseline@2"

    services.save_draft(unit_admin, draft, good_facts | {"labour_relations_coordinators": 2})
    done = services.submit(unit_admin, draft)
    assert done.standard.key == "zj-baseline@1" and done.result["standard"] == "zj-baseline@1"
    assert done.meets is True  # 2 coordinators meet version 1's "2人以上"

    new_draft = services.start_draft(unit_admin, done.unit, done.year)
    assert new_draft.standard.key == "zj-baseline@2"
    again = services.submit(unit_admin, new_draft)
    assert again.meets is False  # version 2 asks for 3
    done.refresh_from_db()
    assert done.standard.key == "zj-baseline@1" and done.meets is True


# --- evidence on drafts and submissions ----------------------------------------------------

def test_remove_evidence_from_a_draft(draft, unit_admin, media_root):
    row = services.upload_evidence(unit_admin, draft, "EL-01.1", upload())
    path = media_root / row.file.name
    assert path.exists()
    services.remove_evidence(unit_admin, row)
    assert not Evidence.objects.exists()
    assert actions()[-1] == "assessments.evidence_remove"


def test_removing_a_copied_file_keeps_the_submissions_file(draft, unit_admin, good_facts,
                                                           media_root,
                                                           django_capture_on_commit_callbacks):
    services.save_draft(unit_admin, draft, good_facts)
    services.upload_evidence(unit_admin, draft, "EL-01.1", upload())
    done = services.submit(unit_admin, draft)
    new_draft = services.start_draft(unit_admin, done.unit, done.year)
    copy = new_draft.evidence.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(unit_admin, copy)
    kept = done.evidence.get()
    assert (media_root / kept.file.name).exists()


def test_removing_the_only_reference_deletes_the_file(draft, unit_admin, media_root,
                                                      django_capture_on_commit_callbacks):
    row = services.upload_evidence(unit_admin, draft, "EL-01.1", upload())
    path = media_root / row.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(unit_admin, row)
    assert not path.exists()


def test_a_submissions_evidence_cannot_be_removed(draft, unit_admin, good_facts):
    services.save_draft(unit_admin, draft, good_facts)
    services.upload_evidence(unit_admin, draft, "EL-01.1", upload())
    done = services.submit(unit_admin, draft)
    row = done.evidence.get()
    with pytest.raises(DomainError) as err:
        services.remove_evidence(unit_admin, row)
    assert err.value.code == "submitted"
    assert Evidence.objects.filter(pk=row.pk).exists()


def test_office_may_not_remove_evidence(draft, unit_admin, office):
    row = services.upload_evidence(unit_admin, draft, "EL-01.1", upload())
    with pytest.raises(NotPermitted):
        services.remove_evidence(office, row)
    assert Evidence.objects.filter(pk=row.pk).exists()


# --- demo -----------------------------------------------------------------------------------

def test_demo_submission_meets_with_complete_evidence(pledge, unit, unit_admin, year,
                                                      baseline):
    from hexie.assessments.evaluation import evidence_items

    done = submit_demo_self_assessment(unit, unit_admin, year)
    assert done.state == SelfAssessment.State.SUBMITTED and done.sequence == 1
    assert done.meets is True and done.evidence_complete is True
    asks = evidence_items(baseline, done.profile)
    assert len(asks) > 10
    assert set(done.evidence.values_list("item_id", flat=True)) == set(asks)
    assert set(done.evidence.values_list("file_type", flat=True)) == {"pdf"}


def test_demo_for_every_kind_meets(campaign, year):
    from hexie.campaigns import services as campaign_services

    for kind, size, platform in [("enterprise", "small", True), ("construction_project", "", False),
                                 ("industrial_park", "", False), ("town", "", False),
                                 ("industry", "", False)]:
        unit = UnitFactory(region_id=XIHU_TOWN, kind=kind, size=size, platform=platform)
        admin = make_user(Role.UNIT_ADMIN, unit=unit)
        campaign_services.pledge(admin, unit, year=year, pledged_on=day(year, 3, 10),
                                 congress=congress(day(year, 3, 1)))
        done = submit_demo_self_assessment(unit, admin, year)
        assert done.meets is True and done.evidence_complete is True, kind


def test_region_of_the_audit_events(draft):
    event = AuditEvent.objects.filter(action="assessments.start").get()
    assert event.region_code == XIHU_TOWN and event.region_code.startswith(XIHU)
