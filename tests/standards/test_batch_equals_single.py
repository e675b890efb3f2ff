"""The vectorised batch evaluator gives exactly the single evaluator's outcome, row by row,
on random fact tables — including invalid rows (same fact, same kind of error) and values
sitting on every threshold."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hexie.standards.batch import STATUS_NAMES, evaluate_batch
from hexie.standards.evaluator import FactError, UnitProfile, evaluate

PROFILES = [
    UnitProfile("enterprise", "large"), UnitProfile("enterprise", "medium", True),
    UnitProfile("enterprise", "small"), UnitProfile("enterprise", "micro", True),
    UnitProfile("construction_project"), UnitProfile("industrial_park"), UnitProfile("town"),
    UnitProfile("industry"),
]
MISSING = object()


def fact_value(fact):
    if fact.type == "boolean":
        return st.one_of(st.booleans(), st.booleans(), st.just(MISSING))
    if fact.type == "integer":
        return st.one_of(
            st.integers(0, 12), st.integers(95, 105), st.integers(-2, 2_000),
            st.sampled_from([0, 1, 2, 89, 90, 99, 100, 8999, 9000, 10000]), st.just(MISSING),
        )
    # numbers: money and percentages, with two decimals; sometimes three (invalid)
    two = st.decimals(min_value=-1, max_value=20_000, places=2, allow_nan=False,
                      allow_infinity=False).map(float)
    large = st.decimals(min_value=100_000_000, max_value=1_000_000_000_000, places=2,
                        allow_nan=False, allow_infinity=False).map(float)
    return st.one_of(
        two, large, st.sampled_from([0.0, 59.99, 60.0, 84.99, 85.0, 89.99, 90.0, 100.0, 100.01,
                              5999.0, 6000.0, 10000.0, 0.005]),
        st.floats(0, 100, allow_nan=False), st.just(MISSING),
    )


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: f"{p.kind}-{p.size}-{p.platform}")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batch_equals_single(libraries, profile, data):
    lib = libraries[data.draw(st.sampled_from(sorted(libraries)))]
    set_ids = lib.sets_for(profile.kind, profile.size, profile.platform)
    needed = lib.facts_for(set_ids)
    row = st.fixed_dictionaries({name: fact_value(lib.facts[name]) for name in needed})
    rows = data.draw(st.lists(row, min_size=1, max_size=12))

    columns = {
        name: np.array([math.nan if r[name] is MISSING else float(r[name]) for r in rows])
        for name in needed
    }
    batch = evaluate_batch(lib, set_ids, columns)

    # Typed columns (bool, int64) where nothing is missing give the same outcome as floats.
    typed = {}
    for name, column in columns.items():
        kind = lib.facts[name].type
        if np.isnan(column).any():
            typed[name] = column
        elif kind == "boolean" and np.isin(column, (0.0, 1.0)).all():
            typed[name] = column == 1.0
        elif kind == "integer" and (column == np.floor(column)).all():
            typed[name] = column.astype(np.int64)
        else:
            typed[name] = column
    again = evaluate_batch(lib, set_ids, typed)
    assert (again.valid == batch.valid).all() and (again.meets == batch.meets).all()
    assert (again.status[batch.valid] == batch.status[batch.valid]).all()
    assert (again.error_fact == batch.error_fact).all()

    for i, r in enumerate(rows):
        facts = {k: v for k, v in r.items() if v is not MISSING}
        try:
            single = evaluate(lib, profile, facts)
        except FactError as exc:
            assert not batch.valid[i]
            assert batch.error_fact_name(i) == exc.fact
            assert int(batch.error_kind[i]) == exc.kind
            assert not batch.meets[i]
            continue
        assert batch.valid[i], (batch.error_fact_name(i), int(batch.error_kind[i]))
        assert bool(batch.meets[i]) is single["meets"]
        items = {it["id"]: it["status"] for c in single["criteria"] for it in c["items"]}
        assert {k: STATUS_NAMES[int(batch.status[i, n])]
                for n, k in enumerate(batch.item_ids)} == items
        assert dict(zip(batch.criterion_ids, map(bool, batch.criteria_met[i]), strict=True)) == {
            c["id"]: c["met"] for c in single["criteria"]}
        if lib.scoring:
            assert round(float(batch.score[i]), 2) == single["score"]
            assert bool(batch.veto_failed[i]) is bool(single["veto_failed"])
