"""Evaluate a whole table of units at once, with the same rule definitions as evaluator.py.

Facts come as columns (NumPy float64 arrays, NaN = missing). Every check and comparison of the
single evaluator is repeated here on whole arrays, in the same order and with the same exact
integer arithmetic, so both give the same outcome for every row (tests/standards hold them
equal under hypothesis). Invalid rows are not errors here: they are flagged per row with the
fact and the kind of problem, since a province-wide run should not stop at one bad unit.
"""

from dataclasses import dataclass

import numpy as np

from .evaluator import (
    E_AT_MOST,
    E_DECIMALS,
    E_MAX,
    E_MIN,
    E_MISSING,
    E_POSITIVE,
    E_TYPE,
    E_ZERO,
    compare,
    scale_of,
)
from .library import MAX_INTEGER, MAX_NUMBER, Library

MET, NOT_MET, NA = 1, 0, 2  # item status codes
STATUS_NAMES = {MET: "met", NOT_MET: "not_met", NA: "not_applicable"}


@dataclass
class BatchResult:
    sets: tuple[str, ...]
    facts: tuple[str, ...]            # needed facts; error_fact indexes into this
    item_ids: tuple[str, ...]
    status: np.ndarray               # (rows, items) int8: MET / NOT_MET / NA (if valid)
    criterion_ids: tuple[str, ...]
    criteria_met: np.ndarray         # (rows, criteria) bool
    meets: np.ndarray                # (rows,) bool, False for invalid rows
    valid: np.ndarray                # (rows,) bool
    error_kind: np.ndarray           # (rows,) int8, 0 when valid
    error_fact: np.ndarray           # (rows,) int16, -1 when valid
    score: np.ndarray | None = None  # (rows,) float64 in a scored library
    veto_failed: np.ndarray | None = None  # (rows,) bool

    def error_fact_name(self, row: int) -> str | None:
        index = int(self.error_fact[row])
        return None if index < 0 else self.facts[index]


def evaluate_batch(lib: Library, set_ids: tuple[str, ...], columns: dict[str, np.ndarray]
                   ) -> BatchResult:
    """Evaluate rows that share one combination of sets (e.g. all large platform enterprises)."""
    needed = lib.facts_for(set_ids)
    n = len(next(iter(columns.values()))) if columns else 0
    error_kind = np.zeros(n, dtype=np.int8)
    error_fact = np.full(n, -1, dtype=np.int16)

    def flag(mask: np.ndarray, kind: int, fact_index: int) -> None:
        hit = mask & (error_kind == 0)
        error_kind[hit] = kind
        error_fact[hit] = fact_index

    scaled: dict[str, np.ndarray] = {}
    for index, name in enumerate(needed):
        fact = lib.facts[name]
        raw = columns.get(name)
        raw = np.full(n, np.nan) if raw is None else np.asarray(raw)
        if raw.dtype.kind == "b":  # a bool column: nothing missing, nothing to convert
            if fact.type != "boolean":
                flag(np.ones(n, dtype=bool), E_TYPE, index)
            scaled[name] = raw
            continue
        if raw.dtype.kind in "iu":  # an integer column: nothing missing, integral already
            x = raw.astype(np.int64, copy=False)
            missing = None
            safe = x
        else:
            x = raw.astype(np.float64, copy=False)
            missing = np.isnan(x)
            flag(missing, E_MISSING, index)
            safe = np.where(missing, 0.0, x)
        if fact.type == "boolean":
            flag((safe != 0) & (safe != 1), E_TYPE, index)
            scaled[name] = safe == 1
            continue
        if fact.type == "integer" and missing is not None:
            flag(safe != np.floor(safe), E_TYPE, index)
        limit = MAX_INTEGER if fact.type == "integer" else MAX_NUMBER
        flag(safe > limit, E_MAX, index)
        flag(safe < -limit, E_MIN, index)
        bounded = np.clip(safe, -limit, limit)
        if fact.type == "integer":
            values = bounded.astype(np.int64)
        else:
            hundredths = bounded * 100.0
            rounded = np.round(hundredths)
            tolerance = np.maximum(1e-6, 4 * np.spacing(np.abs(hundredths)))
            flag(np.abs(hundredths - rounded) > tolerance, E_DECIMALS, index)
            values = rounded.astype(np.int64)
        s = scale_of(fact.type)
        if fact.min is not None:
            low = _scaled_bound(fact.min, s)
            flag(values * low[1] < low[0], E_MIN, index)
        if fact.max is not None:
            high = _scaled_bound(fact.max, s)
            flag(values * high[1] > high[0], E_MAX, index)
        if fact.positive:
            flag(values <= 0, E_POSITIVE, index)
        scaled[name] = values
    for index, name in enumerate(needed):
        partner = lib.facts[name].at_most
        if partner:
            s_a, s_b = scale_of(lib.facts[name].type), scale_of(lib.facts[partner].type)
            flag(scaled[name] * s_b > scaled[partner] * s_a, E_AT_MOST, index)

    position = {name: i for i, name in enumerate(needed)}
    item_ids, statuses, criterion_ids, criteria_met = [], [], [], []
    score = np.zeros(n) if lib.scoring else None
    veto_failed = np.zeros(n, dtype=bool) if lib.scoring else None
    for set_id in set_ids:
        for criterion in lib.sets[set_id].criteria:
            met = np.ones(n, dtype=bool)
            for item in criterion.items:
                status = _item_status(lib, item, scaled, n, flag, position)
                item_ids.append(item.id)
                statuses.append(status)
                if not item.advisory:
                    met &= status != NOT_MET
                if score is not None:
                    score += np.where(status != NOT_MET, item.points, 0.0)
                    if item.veto:
                        veto_failed |= status == NOT_MET
            criterion_ids.append(criterion.id)
            criteria_met.append(met)
    valid = error_kind == 0
    criteria = np.column_stack(criteria_met) if criteria_met else np.ones((n, 0), dtype=bool)
    if score is not None:
        meets = (score >= lib.scoring.pass_score) & ~veto_failed
    else:
        meets = criteria.all(axis=1)
    return BatchResult(
        sets=tuple(set_ids), facts=needed, item_ids=tuple(item_ids),
        status=np.column_stack(statuses).astype(np.int8) if statuses else np.zeros((n, 0)),
        criterion_ids=tuple(criterion_ids), criteria_met=criteria, meets=meets & valid,
        valid=valid, error_kind=error_kind, error_fact=error_fact, score=score,
        veto_failed=veto_failed,
    )


def _scaled_bound(bound, scale: int) -> tuple[int, int]:
    """A bound × scale as an exact fraction (numerator, denominator)."""
    from fractions import Fraction

    value = Fraction(str(bound)) * scale
    return value.numerator, value.denominator


def _item_status(lib, item, scaled, n, flag, position) -> np.ndarray:
    if item.fact:
        return np.where(scaled[item.fact], MET, NOT_MET).astype(np.int8)
    rule = item.rule
    p, q = rule.value.numerator, rule.value.denominator
    if rule.rate:
        num, den = scaled[rule.rate[0]], scaled[rule.rate[1]]
        zero = den == 0
        holds = compare(num * (100 * q), rule.op, den * p)
        status = np.where(holds, MET, NOT_MET).astype(np.int8)
        if rule.zero == "invalid":
            flag(zero, E_ZERO, position[rule.rate[1]])
        else:
            status[zero] = {"met": MET, "not_met": NOT_MET, "na": NA}[rule.zero]
        return status
    s = scale_of(lib.facts[rule.fact].type)
    holds = compare(scaled[rule.fact] * q, rule.op, np.full(n, p * s, dtype=np.int64))
    return np.where(holds, MET, NOT_MET).astype(np.int8)


def evaluate_table(lib: Library, kinds, sizes, platforms, columns: dict[str, np.ndarray]):
    """Evaluate a mixed table (any kinds, sizes, platform flags): rows are grouped by the sets
    that apply, each group evaluated at once. Returns [(row indices, BatchResult)]."""
    kinds, sizes = np.asarray(kinds, dtype=object), np.asarray(sizes, dtype=object)
    platforms = np.asarray(platforms, dtype=bool)
    groups: dict[tuple[str, ...], list[int]] = {}
    keys = {}
    for row, profile in enumerate(zip(kinds, sizes, platforms, strict=True)):
        if profile not in keys:
            keys[profile] = lib.sets_for(profile[0], profile[1], bool(profile[2]))
        groups.setdefault(keys[profile], []).append(row)
    results = []
    for set_ids, rows in groups.items():
        index = np.asarray(rows)
        needed = lib.facts_for(set_ids)  # copy only the columns this group reads
        sub = {name: np.asarray(col)[index] for name, col in columns.items() if name in needed}
        results.append((index, evaluate_batch(lib, set_ids, sub)))
    return results
