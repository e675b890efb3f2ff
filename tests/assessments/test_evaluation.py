"""The form's parsing and the live panel's criterion status, on the shipped baseline."""

import pytest

from hexie.assessments.evaluation import criterion_status, form_sections, live, parse_value

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "raw", "value"), [
    ("el_training_plan", "true", True), ("el_training_plan", "false", False),
    ("el_training_plan", "", None), ("el_training_plan", "yes", "yes"),
    ("employees_total", " 400 ", 400), ("employees_total", "12.5", 12.5),
    ("employees_total", "十", "十"), ("satisfaction_percent", "95.5", 95.5),
    ("satisfaction_percent", None, None),
])
def test_parse_value(baseline, name, raw, value):
    got = parse_value(baseline, name, raw)
    assert got == value and type(got) is type(value)


def test_criterion_status():
    na, met, not_met, pending = "not_applicable", "met", "not_met", "pending"
    assert criterion_status({"met": True, "items": [{"status": na}, {"status": na}]}) == na
    assert criterion_status({"met": True, "items": [{"status": na}, {"status": met}]}) == met
    assert criterion_status({"met": None, "items": [{"status": pending},
                                                    {"status": met}]}) == pending
    assert criterion_status({"met": False, "items": [{"status": pending},
                                                     {"status": not_met}]}) == not_met


def test_every_fact_of_the_sets_is_on_the_form_once(baseline):
    profile = {"kind": "enterprise", "size": "large", "platform": True}
    sections = form_sections(baseline, profile)
    names = [f.name for s in sections for c in s.criteria for f in c.fields]
    assert len(names) == len(set(names))
    assert set(names) == set(baseline.facts_for(("EL", "EP")))
    assert [s.id for s in sections] == ["EL", "EP"]
    # a bounded fact's partner comes before it
    assert names.index("employees_total") < names.index("employees_with_contract")


def test_live_judges_what_it_can_before_everything_is_filled(baseline):
    profile = {"kind": "enterprise", "size": "medium", "platform": False}
    outcome = live(baseline, profile, {"labour_relations_coordinators": 1,
                                       "employees_total": 10, "employees_with_contract": 11},
                   set())
    assert outcome["complete"] is False and outcome["meets"] is None
    el04 = next(c for c in outcome["criteria"] if c["id"] == "EL-04")
    assert el04["status"] == "not_met"
    assert any("1 < 2" in r for r in el04["reasons"])
    assert "employees_with_contract" in outcome["errors"]
    assert "labour_relations_coordinators" not in dict(outcome["missing"])
    assert "satisfaction_percent" in dict(outcome["missing"])
