"""The scripting contract shared by the CLI and the API (keep it stable).

Request:  {"unit": {"kind", "size", "platform"}, "facts": {...}, "standard": optional,
           "evidence": optional [item ids with evidence attached]}
Response: {"standard", "sets", "meets", "evidence_complete", "criteria": [{"id", "met",
           "reasons", "items": [...]}], "score"/"pass_score"/"veto_failed" when scored}
"""

from .evaluator import FactError, UnitProfile, evaluate
from .library import Library
from .services import StandardNotFound, compiled, resolve

KINDS = ("enterprise", "construction_project", "industrial_park", "town", "industry")
SIZES = ("large", "medium", "small", "micro")


class ContractError(ValueError):
    """Invalid input; ``field`` names what was wrong (a fact name, or unit.kind …)."""

    def __init__(self, message: str, field: str = ""):
        self.message, self.field = message, field
        super().__init__(message)


def library_for(reference: str | None) -> Library:
    try:
        return compiled(resolve(reference).pk)
    except StandardNotFound:
        name = reference or "（默认）"
        raise ContractError(f"标准库 {name} 不存在或尚未载入", "standard") from None


def profile(unit) -> UnitProfile:
    if not isinstance(unit, dict):
        raise ContractError("unit 应为对象：{\"kind\": …, \"size\": …, \"platform\": …}", "unit")
    kind = unit.get("kind")
    if kind not in KINDS:
        raise ContractError(f"unit.kind 应为 {'、'.join(KINDS)} 之一", "unit.kind")
    size = unit.get("size")
    if kind == "enterprise" and size not in SIZES:
        raise ContractError(f"企业的 unit.size 应为 {'、'.join(SIZES)} 之一", "unit.size")
    platform = unit.get("platform", False)
    if not isinstance(platform, bool):
        raise ContractError("unit.platform 应为 true 或 false", "unit.platform")
    return UnitProfile(kind, size if kind == "enterprise" else None, platform)


def evaluate_request(body) -> dict:
    if not isinstance(body, dict):
        raise ContractError("请求应为 JSON 对象", "")
    unknown = sorted(set(body) - {"unit", "facts", "standard", "evidence"})
    if unknown:
        raise ContractError(f"无法识别的字段：{'、'.join(unknown)}", unknown[0])
    standard = body.get("standard")
    if standard is not None and not isinstance(standard, str):
        raise ContractError("standard 应为标准库标识，如 zj-baseline 或 zj-baseline@1", "standard")
    lib = library_for(standard)
    unit = profile(body.get("unit"))
    facts = body.get("facts")
    if not isinstance(facts, dict):
        raise ContractError("facts 应为对象：{事实名: 值}", "facts")
    evidence = body.get("evidence", [])
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise ContractError("evidence 应为已附证明材料的指标标识列表", "evidence")
    try:
        return evaluate(lib, unit, facts, set(evidence))
    except FactError as exc:
        raise ContractError(exc.message, exc.fact) from None


def template(lib: Library, kind: str, size: str | None = None, platform: bool = False) -> dict:
    """Every fact the self-assessment form needs for such a unit."""
    unit = profile({"kind": kind, "size": size, "platform": platform})
    set_ids = lib.sets_for(unit.kind, unit.size, unit.platform)
    used: dict[str, list[str]] = {}
    for set_id in set_ids:
        for criterion in lib.sets[set_id].criteria:
            for item in criterion.items:
                for name in item.facts:
                    used.setdefault(name, [])
                    if criterion.id not in used[name]:
                        used[name].append(criterion.id)
    facts = {}
    for name in lib.facts_for(set_ids):
        fact = lib.facts[name]
        facts[name] = {"type": fact.type, "label": fact.label, "criteria": used.get(name, [])}
        for key in ("min", "max", "at_most", "unit"):
            if getattr(fact, key) not in (None, ""):
                facts[name][key] = getattr(fact, key)
        if fact.positive:
            facts[name]["positive"] = True
    return {"standard": lib.key, "sets": list(set_ids), "facts": facts}
