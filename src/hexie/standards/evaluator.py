"""Evaluate one unit's facts against a compiled library, with a reason per item.

Numbers are compared exactly: integer facts as integers, number facts (money, percentages) as
hundredths, thresholds as fractions, so 59.99% never rounds up to 60%. The batch evaluator
(batch.py) implements the same arithmetic on arrays; a hypothesis test holds them equal.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from .library import MAX_INTEGER, MAX_NUMBER, Item, Library

SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
NEGATED = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "==": "≠"}
MET, NOT_MET, NA = "met", "not_met", "not_applicable"

# Error kinds, in the order they are checked for one fact (the batch uses the same codes).
E_UNKNOWN, E_MISSING, E_TYPE, E_DECIMALS, E_MIN, E_MAX, E_POSITIVE, E_AT_MOST, E_ZERO = range(
    1, 10
)


class FactError(ValueError):
    """Invalid input: names the fact."""

    def __init__(self, fact: str, message: str, kind: int):
        self.fact, self.message, self.kind = fact, message, kind
        super().__init__(message)


@dataclass(frozen=True)
class UnitProfile:
    kind: str
    size: str | None = None
    platform: bool = False


def scale_of(fact_type: str) -> int:
    return 100 if fact_type == "number" else 1


def compare(left: int, op: str, right: int) -> bool:
    if op == ">=":
        return left >= right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    if op == "<":
        return left < right
    return left == right


def decimals_tolerance(hundredths: float) -> float:
    """How far value × 100 may sit from an integer and still be a two-decimal value: the
    multiplication's rounding error grows with the magnitude (a few units in the last place)."""
    return max(1e-6, 4 * math.ulp(abs(hundredths)))


def _label(lib: Library, name: str) -> str:
    return f"{name}（{lib.facts[name].label}）"


def _bound(value) -> Fraction:
    return Fraction(str(value))


def scaled_value(lib: Library, name: str, value) -> int:
    """Check one fact's value and return it as an exact integer (hundredths for numbers).
    Checks run in this order, in the batch evaluator too: type, magnitude, decimals, min, max,
    positive."""
    fact = lib.facts[name]
    if fact.type == "boolean":
        if not isinstance(value, bool):
            raise FactError(name, f"{_label(lib, name)} 应为 true 或 false", E_TYPE)
        return int(value)
    word = "整数" if fact.type == "integer" else "数字"
    if isinstance(value, bool) or not isinstance(value, int | float) or (
        fact.type == "integer" and not isinstance(value, int)
    ) or value != value or value in (float("inf"), float("-inf")):
        raise FactError(name, f"{_label(lib, name)} 应为{word}", E_TYPE)
    limit = MAX_INTEGER if fact.type == "integer" else MAX_NUMBER
    if value > limit:
        raise FactError(name, f"{_label(lib, name)} 不能大于 {limit}", E_MAX)
    if value < -limit:
        raise FactError(name, f"{_label(lib, name)} 不能小于 {-limit}", E_MIN)
    if fact.type == "integer":
        scaled = value
    else:
        hundredths = float(value) * 100
        if abs(hundredths - round(hundredths)) > decimals_tolerance(hundredths):
            raise FactError(name, f"{_label(lib, name)} 最多保留两位小数", E_DECIMALS)
        scaled = round(hundredths)
    s = scale_of(fact.type)
    if fact.min is not None and scaled < _bound(fact.min) * s:
        raise FactError(name, f"{_label(lib, name)} 不能小于 {fact.min:g}", E_MIN)
    if fact.max is not None and scaled > _bound(fact.max) * s:
        raise FactError(name, f"{_label(lib, name)} 不能大于 {fact.max:g}", E_MAX)
    if fact.positive and scaled <= 0:
        raise FactError(name, f"{_label(lib, name)} 必须大于 0", E_POSITIVE)
    return scaled


def check_facts(lib: Library, set_ids, facts: dict) -> dict[str, int]:
    """Validate the facts the sets need; return them scaled. Raises FactError naming the first
    problem, in a fixed order: unknown names, then each needed fact (sorted), then at_most."""
    unknown = sorted(n for n in facts if n not in lib.facts)
    if unknown:
        raise FactError(unknown[0], f"未知事实 {unknown[0]}", E_UNKNOWN)
    needed = lib.facts_for(set_ids)
    scaled = {}
    for name in needed:
        if name not in facts or facts[name] is None:
            raise FactError(name, f"缺少必填事实 {_label(lib, name)}", E_MISSING)
        scaled[name] = scaled_value(lib, name, facts[name])
    for name in needed:
        partner = lib.facts[name].at_most
        if partner:
            s_a, s_b = scale_of(lib.facts[name].type), scale_of(lib.facts[partner].type)
            if scaled[name] * s_b > scaled[partner] * s_a:
                raise FactError(
                    name, f"{_label(lib, name)} {facts[name]} 不能大于 "
                          f"{_label(lib, partner)} {facts[partner]}", E_AT_MOST)
    return scaled


def _percent_text(num: int, den: int) -> str:
    value = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{value}%"


def _number_text(lib: Library, name: str, scaled: int) -> str:
    if lib.facts[name].type == "number":
        return str((Decimal(scaled) / 100).quantize(Decimal("0.01")))
    return str(scaled)


def _threshold_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01")))


def rate_holds(num: int, den: int, op: str, value: Fraction) -> bool:
    """num/den × 100 op value, exactly (num and den share one scale)."""
    return compare(num * 100 * value.denominator, op, value.numerator * den)


def evaluate_item(lib: Library, item: Item, scaled: dict[str, int]) -> tuple[str, str]:
    """(status, reason) for one item."""
    if item.fact:
        ok = bool(scaled[item.fact])
        return (MET if ok else NOT_MET), f"{item.label}：{'是' if ok else '否'}"
    rule = item.rule
    if rule.rate:
        num_name, den_name = rule.rate
        num, den = scaled[num_name], scaled[den_name]
        if den == 0:
            den_label = lib.facts[den_name].label
            if rule.zero == "invalid":
                raise FactError(den_name, f"{_label(lib, den_name)} 为 0，无法计算“{item.label}”",
                                E_ZERO)
            if rule.zero == "na":
                return NA, f"{item.label}：{den_label}为 0，不适用"
            status = MET if rule.zero == "met" else NOT_MET
            outcome = "视为达标" if status == MET else "未达标"
            return status, f"{item.label}：{den_label}为 0，{outcome}"
        ok = rate_holds(num, den, rule.op, rule.value)
        symbol = SYMBOL[rule.op] if ok else NEGATED[rule.op]
        counts = f"（{_number_text(lib, num_name, num)}/{_number_text(lib, den_name, den)}）"
        return (MET if ok else NOT_MET), (
            f"{item.label}：{_percent_text(num, den)} {symbol} {_threshold_text(rule.value)}%"
            f"{counts}"
        )
    s = scale_of(lib.facts[rule.fact].type)
    value = scaled[rule.fact]
    ok = compare(value * rule.value.denominator, rule.op, rule.value.numerator * s)
    symbol = SYMBOL[rule.op] if ok else NEGATED[rule.op]
    return (MET if ok else NOT_MET), (
        f"{item.label}：{_number_text(lib, rule.fact, value)} {symbol} "
        f"{_threshold_text(rule.value)}"
    )


def evaluate(lib: Library, unit: UnitProfile, facts: dict,
             evidence: set[str] | None = None) -> dict:
    """The full result for one unit: per criterion and item, overall ``meets``, evidence
    completeness beside it (never deciding it), and the score where the library has points."""
    try:
        set_ids = lib.sets_for(unit.kind, unit.size, unit.platform)
    except ValueError as exc:
        field = str(exc)
        raise FactError(field, "企业规模必须为 large、medium、small 或 micro" if field == "size"
                        else f"未知单位类型 {unit.kind}", E_TYPE) from None
    scaled = check_facts(lib, set_ids, facts)
    attached = set(evidence or ())
    criteria = []
    score = 0.0
    veto_failed = []
    all_met = True
    evidence_complete = True
    for set_id in set_ids:
        for criterion in lib.sets[set_id].criteria:
            items = []
            for item in criterion.items:
                status, reason = evaluate_item(lib, item, scaled)
                needs = bool(item.evidence)
                has = item.id in attached
                if needs and not has:
                    evidence_complete = False
                if status in (MET, NA):
                    score += item.points
                elif item.veto:
                    veto_failed.append(item.id)
                items.append({
                    "id": item.id, "label": item.label, "status": status, "reason": reason,
                    "advisory": item.advisory, "clause": item.clause, "evidence": item.evidence,
                    "evidence_attached": has if needs else None, "points": item.points,
                })
            failing = [i for i in items if i["status"] == NOT_MET and not i["advisory"]]
            met = not failing
            all_met &= met
            criteria.append({
                "id": criterion.id, "set": set_id, "title": criterion.title, "met": met,
                "reasons": [i["reason"] for i in (failing or items)], "items": items,
            })
    result = {
        "standard": lib.key, "sets": list(set_ids), "meets": all_met,
        "evidence_complete": evidence_complete, "criteria": criteria,
    }
    if lib.scoring:
        result["score"] = round(score, 2)
        result["pass_score"] = lib.scoring.pass_score
        result["veto_failed"] = veto_failed
        result["meets"] = score >= lib.scoring.pass_score and not veto_failed
    return result
