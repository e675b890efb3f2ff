"""The single evaluator on the compiled shipped libraries (no database): which sets apply,
evidence beside the result, reasons with the numbers, exact arithmetic, invalid facts named,
and the scored variant's own rule."""

import pytest

from hexie.standards.evaluator import (
    E_AT_MOST,
    E_DECIMALS,
    E_MAX,
    E_MIN,
    E_MISSING,
    E_POSITIVE,
    E_TYPE,
    E_UNKNOWN,
    FactError,
    UnitProfile,
    evaluate,
)

LARGE = UnitProfile("enterprise", "large")
SMALL = UnitProfile("enterprise", "small")


def compliant(lib, profile) -> dict:
    """Every fact the unit's sets read, all compliant: booleans true, every count 10, every
    number 100 (so each at_most pair is equal and each rate is 100%)."""
    set_ids = lib.sets_for(profile.kind, profile.size, profile.platform)
    value = {"boolean": True, "integer": 10, "number": 100}
    return {name: value[lib.facts[name].type] for name in lib.facts_for(set_ids)}


def items_of(result) -> dict:
    return {i["id"]: i for c in result["criteria"] for i in c["items"]}


def criteria_of(result) -> dict:
    return {c["id"]: c for c in result["criteria"]}


def refused(lib, profile, facts) -> FactError:
    with pytest.raises(FactError) as caught:
        evaluate(lib, profile, facts)
    return caught.value


# --- which sets apply ----------------------------------------------------------------------

@pytest.mark.parametrize(("profile", "sets"), [
    (UnitProfile("enterprise", "large"), ["EL"]),
    (UnitProfile("enterprise", "medium"), ["EL"]),
    (UnitProfile("enterprise", "small"), ["ES"]),
    (UnitProfile("enterprise", "micro"), ["ES"]),
    (UnitProfile("enterprise", "large", True), ["EL", "EP"]),
    (UnitProfile("enterprise", "medium", True), ["EL", "EP"]),
    (UnitProfile("enterprise", "small", True), ["ES", "EP"]),
    (UnitProfile("enterprise", "micro", True), ["ES", "EP"]),
    (UnitProfile("construction_project"), ["CP"]),
    (UnitProfile("industrial_park"), ["PT"]),
    (UnitProfile("town"), ["PT"]),
    (UnitProfile("industry"), ["IN"]),
    (UnitProfile("construction_project", None, True), ["CP"]),
], ids=lambda v: v if isinstance(v, list) else f"{v.kind}-{v.size}-{v.platform}")
def test_sets_for_each_unit(baseline, profile, sets):
    result = evaluate(baseline, profile, compliant(baseline, profile))
    assert result["sets"] == sets
    assert result["standard"] == "zj-baseline@1"
    assert result["meets"] is True
    assert {c["set"] for c in result["criteria"]} == set(sets)
    expected = [c.id for s in sets for c in baseline.sets[s].criteria]
    assert [c["id"] for c in result["criteria"]] == expected


def test_criterion_counts_per_set(baseline):
    assert {s: len(baseline.sets[s].criteria) for s in baseline.sets} == {
        "EL": 11, "ES": 7, "EP": 6, "CP": 7, "PT": 7, "IN": 7}


def test_enterprise_without_size_names_size(baseline):
    error = refused(baseline, UnitProfile("enterprise"), compliant(baseline, LARGE))
    assert error.fact == "size"
    assert error.message == "企业规模必须为 large、medium、small 或 micro"


def test_enterprise_with_an_unknown_size_names_size(baseline):
    error = refused(baseline, UnitProfile("enterprise", "huge"), {})
    assert error.fact == "size"


def test_unknown_kind_names_kind(baseline):
    error = refused(baseline, UnitProfile("school"), {})
    assert error.fact == "kind"
    assert error.message == "未知单位类型 school"


def test_platform_facts_are_required_only_with_platform(baseline):
    facts = compliant(baseline, LARGE)
    assert evaluate(baseline, LARGE, facts)["meets"] is True
    error = refused(baseline, UnitProfile("enterprise", "large", True), facts)
    assert error.fact == "ep_algorithm_safe"            # the first missing EP fact, sorted
    assert error.kind == E_MISSING


# --- evidence beside the result ------------------------------------------------------------

def test_evidence_is_reported_per_item_and_overall(baseline):
    facts = compliant(baseline, SMALL)
    none = evaluate(baseline, SMALL, facts)
    assert none["evidence_complete"] is False
    assert {i["evidence_attached"] for i in items_of(none).values()} == {False}
    assert items_of(none)["ES-03.1"]["evidence"] == "劳动合同（劳务协议）台账、职工花名册"

    some = evaluate(baseline, SMALL, facts, {"ES-03.1", "ES-07.1"})
    attached = {k for k, i in items_of(some).items() if i["evidence_attached"]}
    assert attached == {"ES-03.1", "ES-07.1"}
    assert some["evidence_complete"] is False

    every = set(items_of(none))
    assert len(every) == 13
    full = evaluate(baseline, SMALL, facts, every)
    assert full["evidence_complete"] is True
    assert {i["evidence_attached"] for i in items_of(full).values()} == {True}


@pytest.mark.parametrize("profile", [LARGE, SMALL, UnitProfile("town")],
                         ids=lambda p: f"{p.kind}-{p.size}")
@pytest.mark.parametrize("failing", [False, True], ids=["compliant", "failing"])
def test_evidence_never_changes_met_or_meets(baseline, profile, failing):
    facts = compliant(baseline, profile)
    if failing:
        facts["wages_paid_on_time_in_full"] = False
    every = {i.id for s in baseline.sets.values() for i in s.items}
    without = evaluate(baseline, profile, facts)
    with_all = evaluate(baseline, profile, facts, every)
    assert without["meets"] is (not failing)
    assert with_all["meets"] is without["meets"]
    assert [(c["id"], c["met"], c["reasons"]) for c in with_all["criteria"]] == [
        (c["id"], c["met"], c["reasons"]) for c in without["criteria"]]
    assert [(i["id"], i["status"]) for i in items_of(with_all).values()] == [
        (i["id"], i["status"]) for i in items_of(without).values()]
    assert (without["evidence_complete"], with_all["evidence_complete"]) == (False, True)


def test_evidence_attached_to_a_failing_item_leaves_it_failing(baseline):
    facts = compliant(baseline, LARGE) | {"employees_total": 400, "employees_with_contract": 394,
                                          "employees_insured": 400}
    result = evaluate(baseline, LARGE, facts, {"EL-06.1"})
    item = items_of(result)["EL-06.1"]
    assert (item["status"], item["evidence_attached"]) == ("not_met", True)
    assert criteria_of(result)["EL-06"]["met"] is False
    assert result["meets"] is False


# --- reasons show the numbers ---------------------------------------------------------------

def test_contract_rate_reason_shows_the_numbers(baseline):
    facts = compliant(baseline, LARGE) | {"employees_total": 400, "employees_with_contract": 394,
                                          "employees_insured": 400}
    result = evaluate(baseline, LARGE, facts)
    el06 = criteria_of(result)["EL-06"]
    assert el06["met"] is False
    assert el06["reasons"] == ["劳动合同签订率达到 100%：98.50% < 100%（394/400）"]
    assert items_of(result)["EL-06.2"]["reason"] == "全员参加社会保险：100.00% ≥ 100%（400/400）"
    assert result["meets"] is False


def test_rate_percent_is_truncated_not_rounded_up(baseline):
    facts = compliant(baseline, LARGE) | {"employees_total": 3, "employees_with_contract": 2,
                                          "employees_insured": 3}
    reason = items_of(evaluate(baseline, LARGE, facts))["EL-06.1"]["reason"]
    assert reason == "劳动合同签订率达到 100%：66.66% < 100%（2/3）"


def test_fact_rule_reason_shows_the_value(baseline):
    facts = compliant(baseline, LARGE) | {"satisfaction_percent": 89.99,
                                          "labour_relations_coordinators": 1}
    result = evaluate(baseline, LARGE, facts)
    assert criteria_of(result)["EL-11"]["reasons"] == ["职工综合满意度达到 90% 以上：89.99 < 90"]
    assert criteria_of(result)["EL-04"]["reasons"] == ["选配 2 名以上劳动关系协调员：1 < 2"]


def test_met_criterion_lists_every_item_reason(baseline):
    result = evaluate(baseline, LARGE, compliant(baseline, LARGE))
    assert criteria_of(result)["EL-11"]["reasons"] == ["职工综合满意度达到 90% 以上：100.00 ≥ 90"]
    assert criteria_of(result)["EL-02"]["reasons"] == [
        "企业工会组织健全、运行顺畅：是", "定期开展集体协商并签订集体合同：是"]


def test_boolean_reason_says_no(baseline):
    facts = compliant(baseline, LARGE) | {"el_collective_contract_signed": False}
    result = evaluate(baseline, LARGE, facts)
    assert criteria_of(result)["EL-02"]["met"] is False
    assert criteria_of(result)["EL-02"]["reasons"] == ["定期开展集体协商并签订集体合同：否"]


# --- advisory and not-applicable items ------------------------------------------------------

def test_advisory_item_is_reported_but_does_not_decide(baseline):
    facts = compliant(baseline, SMALL) | {"labour_relations_coordinators": 0}
    result = evaluate(baseline, SMALL, facts)
    item = items_of(result)["ES-05.2"]
    assert item["advisory"] is True
    assert item["status"] == "not_met"
    assert item["reason"] == "有条件的企业配备劳动关系协调员：0 < 1"
    es05 = criteria_of(result)["ES-05"]
    assert es05["met"] is True
    assert result["meets"] is True


def test_zero_denominator_na_is_not_applicable(baseline):
    town = UnitProfile("town")
    facts = compliant(baseline, town) | {
        "enterprises_total": 0, "enterprises_participating": 0,
        "enterprises_collective_contract_filed": 0, "large_medium_enterprises_total": 0,
        "large_medium_enterprises_level_wage_negotiation": 0,
    }
    result = evaluate(baseline, town, facts)
    items = items_of(result)
    assert items["PT-04.1"]["status"] == "not_applicable"
    assert items["PT-04.1"]["reason"] == (
        "集体合同备案率达到 90% 以上：辖区内企业总数（家）为 0，不适用")
    assert items["PT-04.2"]["status"] == "not_applicable"
    assert items["PT-04.2"]["reason"] == (
        "大中型企业 100% 开展能级工资集体协商：辖区内大中型企业数（家）为 0，不适用")
    assert items["PT-06.1"]["status"] == "not_applicable"
    assert criteria_of(result)["PT-04"]["met"] is True
    assert criteria_of(result)["PT-06"]["met"] is True
    assert result["meets"] is True


def test_zero_denominator_not_met(baseline):
    facts = compliant(baseline, LARGE) | {"training_fund_total_yuan": 0,
                                          "training_fund_frontline_yuan": 0}
    result = evaluate(baseline, LARGE, facts)
    item = items_of(result)["EL-07.3"]
    assert item["status"] == "not_met"
    assert item["reason"] == "60% 以上培训经费用于一线职工：职工教育培训经费总额（元）为 0，未达标"
    assert criteria_of(result)["EL-07"]["met"] is False


def test_zero_employees_is_refused(baseline):
    facts = compliant(baseline, LARGE) | {"employees_total": 0, "employees_with_contract": 0,
                                          "employees_insured": 0}
    error = refused(baseline, LARGE, facts)
    assert error.fact == "employees_total"
    assert error.kind == E_POSITIVE
    assert error.message == "employees_total（职工总数（人）） 必须大于 0"


# --- exact arithmetic -----------------------------------------------------------------------

@pytest.mark.parametrize(("frontline", "status", "text"), [
    (2.01, "met", "60.00% ≥ 60%（2.01/3.35）"),
    (2.00, "not_met", "59.70% < 60%（2.00/3.35）"),
])
def test_frontline_share_exactly_60_percent(baseline, frontline, status, text):
    # 2.01 / 3.35 is exactly 0.6, but 2.01 / 3.35 * 100 in binary floating point is 59.99…
    assert 2.01 / 3.35 * 100 < 60
    facts = compliant(baseline, LARGE) | {"training_fund_total_yuan": 3.35,
                                          "training_fund_frontline_yuan": frontline}
    result = evaluate(baseline, LARGE, facts)
    item = items_of(result)["EL-07.3"]
    assert item["status"] == status
    assert item["reason"] == f"60% 以上培训经费用于一线职工：{text}"
    assert criteria_of(result)["EL-07"]["met"] is (status == "met")


@pytest.mark.parametrize(("value", "met"), [(90, True), (90.0, True), (89.99, False),
                                            (90.01, True)])
def test_satisfaction_threshold_is_inclusive_and_exact(baseline, value, met):
    facts = compliant(baseline, LARGE) | {"satisfaction_percent": value}
    assert criteria_of(evaluate(baseline, LARGE, facts))["EL-11"]["met"] is met


def test_contract_rate_399_of_400_fails(baseline):
    facts = compliant(baseline, LARGE) | {"employees_total": 400, "employees_with_contract": 399,
                                          "employees_insured": 400}
    result = evaluate(baseline, LARGE, facts)
    assert items_of(result)["EL-06.1"]["reason"] == (
        "劳动合同签订率达到 100%：99.75% < 100%（399/400）")


def test_large_money_with_two_decimals_is_accepted(baseline):
    """Money is a number fact with at most two decimals, bounded at 10^12 yuan. A training fund
    of 342,001,547.41 yuan has two decimals and must be accepted (not refused as having more)."""
    facts = compliant(baseline, LARGE) | {"training_fund_total_yuan": 342001547.41,
                                          "training_fund_frontline_yuan": 342001547.41}
    result = evaluate(baseline, LARGE, facts)
    assert items_of(result)["EL-07.3"]["reason"] == (
        "60% 以上培训经费用于一线职工：100.00% ≥ 60%（342001547.41/342001547.41）")


# --- invalid facts name the fact ------------------------------------------------------------

@pytest.mark.parametrize(("change", "fact", "kind", "message"), [
    ({"employees_insured": -1}, "employees_insured", E_MIN,
     "employees_insured（已参加社会保险的职工人数） 不能小于 0"),
    ({"employees_with_contract": 401}, "employees_with_contract", E_AT_MOST,
     "employees_with_contract（已签订劳动合同（书面协议）的职工人数） 401 不能大于 "
     "employees_total（职工总数（人）） 400"),
    ({"satisfaction_percent": 100.01}, "satisfaction_percent", E_MAX,
     "satisfaction_percent（职工综合满意度（%）） 不能大于 100"),
    ({"satisfaction_percent": 95.005}, "satisfaction_percent", E_DECIMALS,
     "satisfaction_percent（职工综合满意度（%）） 最多保留两位小数"),
    ({"satisfaction_percent": "95"}, "satisfaction_percent", E_TYPE,
     "satisfaction_percent（职工综合满意度（%）） 应为数字"),
    ({"employees_total": 400.5}, "employees_total", E_TYPE,
     "employees_total（职工总数（人）） 应为整数"),
    ({"employees_total": True}, "employees_total", E_TYPE,
     "employees_total（职工总数（人）） 应为整数"),
    ({"el_training_plan": 1}, "el_training_plan", E_TYPE,
     "el_training_plan（职工培训制度健全，制定培训计划并以岗前培训、学徒培训、脱产培训、技术比武、"
     "技能竞赛等方式开展培训） 应为 true 或 false"),
    ({"el_training_plan": "true"}, "el_training_plan", E_TYPE, None),
    ({"employees_headcount": 400}, "employees_headcount", E_UNKNOWN,
     "未知事实 employees_headcount"),
    ({"training_fund_frontline_yuan": 10000.01}, "training_fund_frontline_yuan", E_AT_MOST, None),
    ({"labour_relations_coordinators": 2_000_000_001}, "labour_relations_coordinators", E_MAX,
     "labour_relations_coordinators（选配的劳动关系协调员人数（人）） 不能大于 2000000000"),
    ({"training_fund_total_yuan": float("nan")}, "training_fund_total_yuan", E_TYPE, None),
], ids=["negative-count", "contracts-over-employees", "satisfaction-over-100", "three-decimals",
        "string-for-number", "fraction-for-count", "bool-for-count", "1-for-boolean",
        "string-for-boolean", "unknown-fact", "frontline-over-total", "huge-count", "nan"])
def test_invalid_fact_is_named(baseline, change, fact, kind, message):
    facts = compliant(baseline, LARGE) | {"employees_total": 400, "employees_with_contract": 400,
                                          "employees_insured": 400,
                                          "training_fund_total_yuan": 10000.00,
                                          "training_fund_frontline_yuan": 7000.00} | change
    error = refused(baseline, LARGE, facts)
    assert error.fact == fact
    assert error.kind == kind
    assert fact in error.message
    if message is not None:
        assert error.message == message


@pytest.mark.parametrize("name", ["satisfaction_percent", "el_training_plan", "employees_total"])
def test_missing_fact_is_named(baseline, name):
    facts = compliant(baseline, LARGE)
    del facts[name]
    error = refused(baseline, LARGE, facts)
    assert error.fact == name
    assert error.kind == E_MISSING
    assert error.message.startswith(f"缺少必填事实 {name}（")


def test_null_counts_as_missing(baseline):
    facts = compliant(baseline, LARGE) | {"satisfaction_percent": None}
    error = refused(baseline, LARGE, facts)
    assert (error.fact, error.kind) == ("satisfaction_percent", E_MISSING)
    assert error.message == "缺少必填事实 satisfaction_percent（职工综合满意度（%））"


def test_invalid_is_never_a_silent_not_met(baseline):
    """An invalid value raises; it never comes back as a result with the item not met."""
    for change in ({"employees_with_contract": -5}, {"satisfaction_percent": 120}):
        with pytest.raises(FactError):
            evaluate(baseline, LARGE, compliant(baseline, LARGE) | change)


def test_an_unknown_fact_is_refused_even_if_it_would_not_be_read(baseline):
    facts = compliant(baseline, SMALL) | {"el_training_plan": True}   # known, not read: fine
    assert evaluate(baseline, SMALL, facts)["meets"] is True
    error = refused(baseline, SMALL, facts | {"es_extra": True})
    assert (error.fact, error.kind) == ("es_extra", E_UNKNOWN)


# --- the scored variant ---------------------------------------------------------------------

@pytest.fixture
def scored(libraries):
    return libraries["example-scored"]


def test_scored_all_compliant(scored):
    result = evaluate(scored, LARGE, compliant(scored, LARGE))
    assert result["standard"] == "example-scored@1"
    assert (result["score"], result["pass_score"], result["veto_failed"]) == (100, 85, [])
    assert result["meets"] is True
    assert items_of(result)["EL-11.1"]["points"] == 16
    assert items_of(result)["EL-06.1"]["points"] == 8


def test_scored_failing_a_small_item_still_meets(scored):
    """The variant's own rule decides: a failed criterion costs its points only."""
    facts = compliant(scored, LARGE) | {"el_collective_contract_signed": False}
    result = evaluate(scored, LARGE, facts)
    assert criteria_of(result)["EL-02"]["met"] is False
    assert result["score"] == 95
    assert result["veto_failed"] == []
    assert result["meets"] is True


def test_scored_below_the_pass_score(scored):
    facts = compliant(scored, LARGE) | {"satisfaction_percent": 80}
    result = evaluate(scored, LARGE, facts)
    assert criteria_of(result)["EL-11"]["met"] is False
    assert result["score"] == 84
    assert result["veto_failed"] == []
    assert result["meets"] is False


def test_scored_exactly_at_the_pass_score(scored):
    # EL-06.2 (6) + EL-04.2 (3) + EL-10.2 (1) + EL-02.2 (5) = 15 points lost -> 85
    facts = compliant(scored, LARGE) | {"employees_insured": 9, "labour_relations_coordinators": 1,
                                        "el_rational_expression": False,
                                        "el_collective_contract_signed": False}
    result = evaluate(scored, LARGE, facts)
    assert result["score"] == 85
    assert result["veto_failed"] == []
    assert result["meets"] is True


def test_scored_veto_fails_whatever_the_score(scored):
    facts = compliant(scored, LARGE) | {"social_insurance_paid_in_full": False}
    result = evaluate(scored, LARGE, facts)
    assert result["score"] == 94
    assert result["score"] >= result["pass_score"]
    assert result["veto_failed"] == ["EL-06.3"]
    assert result["meets"] is False


def test_scored_several_vetoes_in_item_order(scored):
    facts = compliant(scored, LARGE) | {"wages_paid_on_time_in_full": False,
                                        "employees_with_contract": 9}
    result = evaluate(scored, LARGE, facts)
    assert result["veto_failed"] == ["EL-06.1", "EL-06.4"]
    assert result["score"] == 86
    assert result["meets"] is False


def test_baseline_result_has_no_score(baseline):
    result = evaluate(baseline, LARGE, compliant(baseline, LARGE))
    assert {"score", "pass_score", "veto_failed"} & set(result) == set()
    assert set(result) == {"standard", "sets", "meets", "evidence_complete", "criteria"}
