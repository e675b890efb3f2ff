"""Reads for the standards pages and API."""

from .evaluator import SYMBOL
from .library import Item, Library
from .models import StandardLibrary
from .services import compiled


def libraries():
    return StandardLibrary.objects.select_related("parent").order_by("library_id", "-version")


def rule_text(lib: Library, item: Item) -> str:
    """A reader's rendering of an item's rule, e.g. employees_with_contract / employees_total
    ≥ 100%."""
    if item.fact:
        return f"{lib.facts[item.fact].label}（{item.fact}）= 是"
    rule = item.rule
    value = float(rule.value)
    if rule.rate:
        num, den = rule.rate
        zero = {"met": "视为达标", "not_met": "视为未达标", "na": "不适用",
                "invalid": "视为无效输入"}[rule.zero]
        return f"{num} / {den} {SYMBOL[rule.op]} {value:g}%（分母为 0 时{zero}）"
    return f"{rule.fact} {SYMBOL[rule.op]} {value:g}"


def flatten(lib: Library) -> dict[str, dict]:
    """Every criterion and item as comparable rows keyed by identifier."""
    rows = {}
    for s in lib.sets.values():
        for c in s.criteria:
            rows[c.id] = {"type": "criterion", "title": c.title, "summary": c.summary,
                          "clause": c.clause}
            for i in c.items:
                rows[i.id] = {"type": "item", "title": i.label, "rule": rule_text(lib, i),
                              "advisory": i.advisory, "evidence": i.evidence,
                              "points": f"{i.points:g}", "veto": i.veto, "clause": i.clause}
    return rows


FIELD_LABELS = {"title": "名称", "summary": "概述", "clause": "条款", "rule": "规则",
                "advisory": "倡导性", "evidence": "证明材料", "points": "分值", "veto": "一票否决"}


def _shown(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def diff(a: StandardLibrary, b: StandardLibrary) -> list[dict]:
    """What changed from version ``a`` to ``b``: added, removed and changed rows."""
    left, right = flatten(compiled(a.pk)), flatten(compiled(b.pk))
    changes = []
    for key in sorted(set(left) | set(right)):
        if key not in left:
            changes.append({"id": key, "change": "added", "after": right[key]})
        elif key not in right:
            changes.append({"id": key, "change": "removed", "before": left[key]})
        elif left[key] != right[key]:
            fields = [f for f in right[key] if left[key].get(f) != right[key].get(f)]
            changes.append({"id": key, "change": "changed", "fields": [
                {"field": FIELD_LABELS.get(f, f), "before": _shown(left[key].get(f)),
                 "after": _shown(right[key].get(f))}
                for f in fields]})
    return changes
