"""OpenFisca-style case files (tests/standards/cases/*.yaml), readable by a policy officer.

Each case is a unit, its facts (a named compliant base plus overrides) and the expected outcome
per criterion and item; every case also runs through the batch evaluator, which must agree.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml

from hexie.standards.batch import STATUS_NAMES, evaluate_batch
from hexie.standards.evaluator import FactError, UnitProfile, evaluate

CASES = Path(__file__).parent / "cases"
BASES = yaml.safe_load((CASES / "_bases.yaml").read_text(encoding="utf-8"))


def _cases():
    for path in sorted(CASES.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


def facts_of(case) -> dict:
    bases = case.get("base") or []
    facts = {}
    for name in [bases] if isinstance(bases, str) else bases:
        facts.update(BASES[name])
    facts.update(case.get("facts") or {})
    return facts


def test_the_cases_cover_every_set():
    units = [c.values[0]["unit"] for c in _cases()]
    kinds = {u["kind"] for u in units}
    assert kinds == {"enterprise", "construction_project", "industrial_park", "town", "industry"}
    assert {u.get("size") for u in units if u["kind"] == "enterprise"} >= {"large", "small"}


@pytest.mark.parametrize("case", list(_cases()))
def test_case(case, libraries):
    lib = libraries[case.get("standard", "zj-baseline")]
    unit = case["unit"]
    profile = UnitProfile(unit["kind"], unit.get("size"), unit.get("platform", False))
    facts = facts_of(case)
    expect = case["expect"]
    set_ids = lib.sets_for(profile.kind, profile.size, profile.platform)

    if "error" in expect:
        with pytest.raises(FactError) as refusal:
            evaluate(lib, profile, facts)
        assert refusal.value.fact == expect["error"]
        return

    result = evaluate(lib, profile, facts)
    if "meets" in expect:
        assert result["meets"] is expect["meets"]
    if "sets" in expect:
        assert result["sets"] == expect["sets"]
    criteria = {c["id"]: c for c in result["criteria"]}
    for criterion_id, met in (expect.get("criteria") or {}).items():
        assert criteria[criterion_id]["met"] is met, criteria[criterion_id]["reasons"]
    items = {i["id"]: i for c in result["criteria"] for i in c["items"]}
    for item_id, status in (expect.get("items") or {}).items():
        assert items[item_id]["status"] == status, items[item_id]["reason"]
    if "score" in expect:
        assert result["score"] == pytest.approx(expect["score"])
    if "veto_failed" in expect:
        assert result["veto_failed"] == expect["veto_failed"]

    # The batch evaluator gives the same outcome for the same row.
    columns = {name: np.array([float(facts[name])]) for name in facts if name in lib.facts}
    batch = evaluate_batch(lib, set_ids, columns)
    assert bool(batch.valid[0])
    assert bool(batch.meets[0]) is result["meets"]
    for k, item_id in enumerate(batch.item_ids):
        assert STATUS_NAMES[int(batch.status[0, k])] == items[item_id]["status"]
