"""Enterprise size (大中小微) by 《统计上大中小微型企业划分办法（2017）》.

The threshold table is written out here again, from the official 附表 (国统字〔2017〕213号), so
the tests check the YAML data as well as the code. Thresholds for revenue (Y) and assets (Z)
are in 万元; inputs are yuan, so "one unit below" a Y or Z threshold is one yuan (and one fen)
less.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hexie.units.industry import parse
from hexie.units.size import Size, classify, rule_for, rules

L, M, S, MICRO = Size.LARGE, Size.MEDIUM, Size.SMALL, Size.MICRO
WAN = 10_000
ORDER = [L, M, S, MICRO]

# (rule name as in the YAML, industry codes that must use it, {indicator: (large, medium, small)})
TABLE = [
    ("农、林、牧、渔业", ["A", "01", "A0511"], {"Y": (20000, 500, 50)}),
    ("工业（采矿业，制造业，电力、热力、燃气及水生产和供应业）",
     ["B", "C", "D", "06", "C13", "C1311", "4411"],
     {"X": (1000, 300, 20), "Y": (40000, 2000, 300)}),
    ("建筑业", ["E", "47", "E4710"], {"Y": (80000, 6000, 300), "Z": (80000, 5000, 300)}),
    ("批发业", ["51", "F5110"], {"X": (200, 20, 5), "Y": (40000, 5000, 1000)}),
    ("零售业", ["52", "F5211"], {"X": (300, 50, 10), "Y": (20000, 500, 100)}),
    ("交通运输业（不含铁路运输业）", ["54", "55", "56", "57", "G58", "5411"],
     {"X": (1000, 300, 20), "Y": (30000, 3000, 200)}),
    ("仓储业", ["59", "G5911"], {"X": (200, 100, 20), "Y": (30000, 1000, 100)}),
    ("邮政业", ["60", "6010"], {"X": (1000, 300, 20), "Y": (30000, 2000, 100)}),
    ("住宿业、餐饮业", ["61", "62", "H6110", "6210"],
     {"X": (300, 100, 10), "Y": (10000, 2000, 100)}),
    ("信息传输业", ["63", "64", "I6311", "6421"],
     {"X": (2000, 100, 10), "Y": (100000, 1000, 100)}),
    ("软件和信息技术服务业", ["65", "I6510"], {"X": (300, 100, 10), "Y": (10000, 1000, 50)}),
    ("房地产开发经营", ["7010", "K7010"], {"Y": (200000, 1000, 100), "Z": (10000, 5000, 2000)}),
    ("物业管理", ["702", "7020", "K7020"], {"X": (1000, 300, 100), "Y": (5000, 1000, 500)}),
    ("租赁和商务服务业", ["L", "71", "72", "L7111", "7211"],
     {"X": (300, 100, 10), "Z": (120000, 8000, 100)}),
    ("其他未列明行业", ["M", "N", "O", "R", "73", "N77", "80", "R86", "90", "85", "Q85", "8510",
                      "703", "7030", "709", "7090"], {"X": (300, 100, 10)}),
]


def unit_value(indicator, threshold_units):
    """The input value that sits exactly on a threshold: persons for X, yuan for Y and Z."""
    if indicator == "X":
        return threshold_units
    return Decimal(threshold_units) * WAN


def one_below(indicator, threshold_units):
    if indicator == "X":
        return threshold_units - 1
    return Decimal(threshold_units) * WAN - 1


def inputs(values: dict):
    """(employees, revenue_yuan, assets_yuan) from {indicator: value}; absent ones are None."""
    return values.get("X"), values.get("Y"), values.get("Z")


def boundary_cases():
    for _name, codes, thresholds in TABLE:
        for code in codes:
            for indicator, bounds in thresholds.items():
                for tier_index, bound in enumerate(bounds):
                    yield pytest.param(
                        code, thresholds, indicator, bound, ORDER[tier_index],
                        ORDER[tier_index + 1],
                        id=f"{code}-{indicator}-{ORDER[tier_index]}-{bound}",
                    )


@pytest.mark.parametrize("code,thresholds,indicator,bound,at_tier,below_tier",
                         list(boundary_cases()))
def test_boundary_at_and_one_unit_below_each_threshold(
        code, thresholds, indicator, bound, at_tier, below_tier):
    # given every other indicator comfortably large (at its large bound)
    others = {ind: unit_value(ind, bounds[0]) for ind, bounds in thresholds.items()}
    industry = parse(code)

    # when the indicator under test sits exactly on its threshold, then it reaches that tier
    at = dict(others, **{indicator: unit_value(indicator, bound)})
    assert classify(industry, *inputs(at)) == at_tier

    # when it is one person / one yuan below, then the enterprise drops exactly one tier
    below = dict(others, **{indicator: one_below(indicator, bound)})
    assert classify(industry, *inputs(below)) == below_tier


@pytest.mark.parametrize("name,codes,thresholds", TABLE, ids=[row[0] for row in TABLE])
def test_each_code_uses_the_expected_rule(name, codes, thresholds):
    for code in codes:
        rule = rule_for(parse(code))
        assert rule is not None, code
        assert rule.name == name, code
        assert rule.thresholds == thresholds, code


def test_the_table_covers_every_rule_in_the_data():
    # a rule added to the YAML without a test here is flagged
    assert sorted(r.name for r in rules()) == sorted(row[0] for row in TABLE)
    assert len(rules()) == 15


@pytest.mark.parametrize(
    "yuan,expected",
    [
        (Decimal("3000000.00"), S),   # 300万 exactly: small for industry
        (Decimal("2999999.99"), MICRO),  # one fen below
        (Decimal("2999999"), MICRO),
        (Decimal("20000000"), M),
        (Decimal("19999999.99"), S),
        (Decimal("400000000"), L),
        (Decimal("399999999.99"), M),
        (3_000_000, S),               # an int works the same as a Decimal
        ("3000000.00", S),            # so does a numeric string from the database layer
    ],
)
def test_revenue_in_yuan_is_compared_in_wan(yuan, expected):
    assert classify(parse("C13"), 5000, yuan, None) == expected


# --- the "lowest tier any indicator reaches" rule -------------------------------------------


@pytest.mark.parametrize(
    "code,employees,revenue_wan,assets_wan,expected",
    [
        # industry: 1,500 people is large, 1,000万 revenue only small (300 ≤ Y < 2000) → small
        ("C13", 1500, 1000, None, S),
        ("C13", 1500, 50000, None, L),
        ("C13", 500, 50000, None, M),    # X medium, Y large → medium
        ("C13", 10, 50000, None, MICRO),  # X below 20 → micro whatever the revenue
        ("C13", 1500, 299, None, MICRO),  # Y below 300 → micro whatever the staff
        ("C13", 300, 2000, None, M),      # both exactly on the medium bounds
        ("C13", 299, 39999, None, S),
        ("E", None, 100000, 4999, S),     # construction: Y large, Z small
        ("E", None, 5999, 100000, S),     # Z large, Y small
        ("E", None, 6000, 5000, M),
        ("E", None, 299, 80000, MICRO),
        ("7010", None, 300000, 10000, L),
        ("7010", None, 300000, 9999, M),  # Z medium (5000 ≤ Z < 10000)
        ("7010", None, 500, 20000, S),    # Y small (100 ≤ Y < 1000)
        ("7010", None, 2000000, 1999, MICRO),  # Z below 2000 → micro
        ("7010", None, 99, 50000, MICRO),
        ("702", 1200, 800, None, S),      # property management: Y small
        ("702", 99, 8000, None, MICRO),   # X below 100 → micro
        ("51", 19, 50000, None, S),       # wholesale: 5 ≤ X < 20 → small
        ("51", 4, 50000, None, MICRO),
        ("52", 60, 600, None, M),
        ("L", 500, None, 50, MICRO),      # leasing: Z below 100万 → micro
        ("L", 500, None, 9000, M),
        ("L", 50, None, 200000, S),
        ("63", 2500, 1000, None, M),      # telecoms: Y exactly on medium
        ("65", 400, 49, None, MICRO),     # software: Y below 50 → micro
        ("M", 299, None, None, M),        # other industries: X only
        ("85", 300, None, None, L),
        ("703", 9, None, None, MICRO),
        ("A", None, 19999, None, M),      # agriculture: Y only
        ("A", None, 49, None, MICRO),
    ],
)
def test_size_is_the_lowest_tier_any_indicator_reaches(
        code, employees, revenue_wan, assets_wan, expected):
    revenue = None if revenue_wan is None else Decimal(revenue_wan) * WAN
    assets = None if assets_wan is None else Decimal(assets_wan) * WAN
    assert classify(parse(code), employees, revenue, assets) == expected


@settings(database=None)
@given(
    employees=st.integers(min_value=0, max_value=5000),
    revenue_yuan=st.decimals(min_value=0, max_value=10**10, places=2),
)
def test_industry_size_matches_an_independent_implementation(employees, revenue_yuan):
    def tier(value, bounds):
        for index, bound in enumerate(bounds):
            if value >= bound:
                return index
        return 3

    expected = ORDER[max(tier(employees, (1000, 300, 20)),
                         tier(revenue_yuan / WAN, (40000, 2000, 300)))]
    assert classify(parse("C1311"), employees, revenue_yuan, None) == expected


# --- the indicators each rule uses ----------------------------------------------------------


def test_real_estate_development_uses_revenue_and_assets_not_employees():
    industry = parse("7010")
    assert rule_for(industry).indicators == ("Y", "Z")
    # employees are ignored: none at all, or a million, give the same size
    assert classify(industry, None, Decimal(1000 * WAN), Decimal(5000 * WAN)) == M
    assert classify(industry, 1_000_000, Decimal(1000 * WAN), Decimal(5000 * WAN)) == M
    with pytest.raises(ValueError, match="Z"):
        classify(industry, 100, Decimal(1000 * WAN), None)


def test_property_management_uses_employees_and_revenue():
    industry = parse("702")
    assert rule_for(industry).indicators == ("X", "Y")
    assert classify(industry, 1000, Decimal(5000 * WAN), None) == L
    # assets play no part
    assert classify(industry, 1000, Decimal(5000 * WAN), Decimal(0)) == L


def test_leasing_uses_employees_and_assets_not_revenue():
    industry = parse("L")
    assert rule_for(industry).indicators == ("X", "Z")
    assert classify(industry, 300, None, Decimal(120000 * WAN)) == L
    assert classify(industry, 300, Decimal(0), Decimal(120000 * WAN)) == L
    with pytest.raises(ValueError, match="Z"):
        classify(industry, 300, Decimal(1), None)


@pytest.mark.parametrize("code", ["M", "N", "O", "R", "85", "703", "709", "7090"])
def test_other_industries_use_employees_only(code):
    industry = parse(code)
    assert rule_for(industry).indicators == ("X",)
    # revenue and assets may be missing or anything at all
    assert classify(industry, 300, None, None) == L
    assert classify(industry, 300, Decimal(0), Decimal(0)) == L
    assert classify(industry, 10, None, None) == S
    assert classify(industry, 9, Decimal(10**12), None) == MICRO


@pytest.mark.parametrize("code,missing", [("C13", "Y"), ("E", "Z"), ("52", "Y")])
def test_missing_indicator_is_an_error_not_a_guess(code, missing):
    with pytest.raises(ValueError, match=f"missing indicator {missing}"):
        classify(parse(code), 100, None if missing == "Y" else Decimal(10**9), None)


def test_zero_employees_is_micro_for_the_classifier():
    # (the unit validator refuses 0 employees separately)
    assert classify(parse("C"), 0, Decimal(10**12), None) == MICRO


# --- industries the classification does not cover --------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # bare sections split across several rules (or partly uncovered): ambiguous
        "F", "G", "H", "I", "K", "Q",
        # finance has its own classification
        "J", "66", "J6610", "69",
        # railway transport is excluded from 交通运输业
        "53", "G5311",
        # health (84) is not listed; social work (85) is
        "84", "Q8411",
        # education, public administration, international organisations: not listed
        "P", "83", "S", "91", "T", "97",
        # real estate other than 701(0), 702, 703, 709, and the bare division
        "70", "K70", "704", "7040",
    ],
)
def test_uncovered_or_ambiguous_industry_has_no_derived_size(code):
    industry = parse(code)
    assert rule_for(industry) is None
    assert classify(industry, 500, Decimal(10**9), Decimal(10**9)) == ""


@pytest.mark.parametrize("code", ["701", "K701"])
def test_group_code_701_is_real_estate_development(code):
    # GB/T 4754-2017 group 701 房地产开发经营 holds exactly one class, 7010; the parser accepts
    # three-digit group codes, so "701" must get the same rule as "7010" (and the same
    # assets-required check in the validator) rather than no size at all
    industry = parse(code)
    rule = rule_for(industry)
    assert rule is not None
    assert rule.name == "房地产开发经营"
    assert classify(industry, None, Decimal(1000 * WAN), Decimal(5000 * WAN)) == M


@pytest.mark.parametrize("code", ["A", "B", "C", "D", "E", "L", "M", "N", "O", "R"])
def test_bare_sections_wholly_under_one_rule_are_classified(code):
    industry = parse(code)
    assert rule_for(industry) is not None
    assert classify(industry, 5000, Decimal(10**10), Decimal(10**10)) == L
