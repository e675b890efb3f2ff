"""The self-assessment form and its live evaluation, both built from the pinned library.

The form comes from ``standards.contract.template`` (which facts, their types, bounds and units)
grouped by set and criterion. The live evaluation checks each present value with the
evaluator's own ``scaled_value`` and, once every fact is filled in and valid, runs the
evaluator itself; before that it evaluates the items whose facts are all present, and lists the
facts still to fill."""

from dataclasses import dataclass, field

from hexie.standards.contract import template
from hexie.standards.evaluator import (
    MET,
    NA,
    NOT_MET,
    FactError,
    UnitProfile,
    evaluate,
    evaluate_item,
    scale_of,
    scaled_value,
)
from hexie.standards.library import Library

PENDING = "pending"


def unit_profile(profile: dict) -> UnitProfile:
    return UnitProfile(profile["kind"], profile.get("size") or None,
                       bool(profile.get("platform")))


def set_ids_of(lib: Library, profile: dict) -> tuple[str, ...]:
    unit = unit_profile(profile)
    return lib.sets_for(unit.kind, unit.size, unit.platform)


def evidence_items(lib: Library, profile: dict) -> dict[str, str]:
    """Item id → what evidence it asks for, for the items of the unit's sets that ask."""
    return {item.id: item.evidence for set_id in set_ids_of(lib, profile)
            for item in lib.sets[set_id].items if item.evidence}


@dataclass
class FactField:
    name: str
    type: str
    label: str
    unit: str = ""
    min: float | None = None
    max: float | None = None


@dataclass
class CriterionBlock:
    id: str
    title: str
    clause: str
    fields: list[FactField] = field(default_factory=list)
    evidence: list[tuple[str, str, str]] = field(default_factory=list)  # (item id, label, asks)


@dataclass
class SetBlock:
    id: str
    title: str
    criteria: list[CriterionBlock] = field(default_factory=list)


def form_sections(lib: Library, profile: dict) -> list[SetBlock]:
    """Set → criterion → the facts first read there and the items asking for evidence. A fact
    read by several criteria appears once, under the first; a bound partner (``at_most``) that
    no item reads sits just before the fact it bounds."""
    spec = template(lib, profile["kind"], profile.get("size") or None,
                    bool(profile.get("platform")))
    placed: set[str] = set()

    def make(name):
        s = spec["facts"][name]
        placed.add(name)
        return FactField(name, s["type"], s["label"], s.get("unit", ""), s.get("min"),
                         s.get("max"))

    blocks = []
    for set_id in spec["sets"]:
        std = lib.sets[set_id]
        block = SetBlock(set_id, std.title)
        for criterion in std.criteria:
            cb = CriterionBlock(criterion.id, criterion.title, criterion.clause)
            for item in criterion.items:
                for name in item.facts:
                    if name in placed:
                        continue
                    partner = lib.facts[name].at_most
                    if partner and partner not in placed and partner in spec["facts"]:
                        cb.fields.append(make(partner))
                    cb.fields.append(make(name))
                if item.evidence:
                    cb.evidence.append((item.id, item.label, item.evidence))
            block.criteria.append(cb)
        blocks.append(block)
    return blocks


def parse_value(lib: Library, name: str, raw):
    """A form string as the JSON value the evaluator expects; None when empty. A string that
    is not a number is given back unchanged, so the evaluator's type message names it."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text == "":
        return None
    fact = lib.facts[name]
    if fact.type == "boolean":
        return {"true": True, "false": False}.get(text, text)
    try:
        return int(text)
    except ValueError:
        pass
    try:  # "12.5" for an integer fact stays a float: the evaluator says it must be an integer
        return float(text)
    except ValueError:
        return text


def check_present(lib: Library, set_ids, facts: dict) -> tuple[dict[str, int], dict[str, str],
                                                                list[str]]:
    """(scaled values, errors by fact, missing fact names): every present value checked by the
    evaluator's rules, unknown names refused, ``at_most`` pairs checked where both are valid."""
    errors: dict[str, str] = {}
    known = lib.facts_for(set_ids)
    for name in facts:
        if name not in known:
            errors[name] = f"未知事实 {name}（不属于本单位适用的创建标准）"
    scaled: dict[str, int] = {}
    missing = []
    for name in known:
        value = facts.get(name)
        if value is None:
            missing.append(name)
            continue
        try:
            scaled[name] = scaled_value(lib, name, value)
        except FactError as exc:
            errors[name] = exc.message
    for name in known:
        partner = lib.facts[name].at_most
        if partner and name in scaled and partner in scaled:
            s_a, s_b = scale_of(lib.facts[name].type), scale_of(lib.facts[partner].type)
            if scaled[name] * s_b > scaled[partner] * s_a:
                errors[name] = (f"{name}（{lib.facts[name].label}）{facts[name]} 不能大于 "
                                f"{partner}（{lib.facts[partner].label}）{facts[partner]}")
    return scaled, errors, missing


def criterion_status(criterion: dict) -> str:
    """met / not_met / not_applicable (every item not applicable) / pending."""
    statuses = {i["status"] for i in criterion["items"]}
    if PENDING in statuses and criterion.get("met") is not False:
        return PENDING
    if statuses == {NA}:
        return NA
    return MET if criterion["met"] else NOT_MET


def decorate(result: dict) -> dict:
    """Add each criterion's display status to an evaluator result (a copy)."""
    result = dict(result)
    result["criteria"] = [dict(c, status=criterion_status(c)) for c in result["criteria"]]
    return result


def live(lib: Library, profile: dict, facts: dict, evidence_ids: set[str]) -> dict:
    """What the form shows beside itself: ``complete`` with the evaluator's own result once
    every fact is valid, otherwise the items that can already be judged, the errors by fact
    and the facts still to fill."""
    set_ids = set_ids_of(lib, profile)
    scaled, errors, missing = check_present(lib, set_ids, facts)
    if not errors and not missing:
        try:
            result = evaluate(lib, unit_profile(profile), facts, evidence_ids)
        except FactError as exc:  # a zero denominator the rule calls invalid
            errors[exc.fact] = exc.message
        else:
            return decorate(result) | {"complete": True, "errors": {}, "missing": []}
    criteria = []
    evidence_complete = True
    for set_id in set_ids:
        for criterion in lib.sets[set_id].criteria:
            items = []
            for item in criterion.items:
                status, reason = PENDING, f"{item.label}：待填写"
                if all(n in scaled for n in item.facts):
                    try:
                        status, reason = evaluate_item(lib, item, scaled)
                    except FactError as exc:
                        errors.setdefault(exc.fact, exc.message)
                has = item.id in evidence_ids
                if item.evidence and not has:
                    evidence_complete = False
                items.append({"id": item.id, "label": item.label, "status": status,
                              "reason": reason, "advisory": item.advisory,
                              "clause": item.clause, "evidence": item.evidence,
                              "evidence_attached": has if item.evidence else None})
            failing = [i for i in items if i["status"] == NOT_MET and not i["advisory"]]
            criteria.append({"id": criterion.id, "set": set_id, "title": criterion.title,
                             "met": False if failing else (
                                 None if any(i["status"] == PENDING for i in items) else True),
                             "reasons": [i["reason"] for i in (failing or items)],
                             "items": items})
    labels = {name: lib.facts[name].label for name in missing}
    return decorate({"standard": lib.key, "sets": list(set_ids), "meets": None,
                     "evidence_complete": evidence_complete, "criteria": criteria}) | {
        "complete": False, "errors": errors, "missing": [(n, labels[n]) for n in missing],
    }
