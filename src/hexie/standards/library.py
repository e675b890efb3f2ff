"""Standard libraries: parsing, checking and the compiled form the evaluator reads.

A library file is checked twice: against a JSON schema (shape and types) and then for meaning
(unknown facts, duplicate identifiers, thresholds out of range, variants naming real items).
Every error names the file, the path inside it and the problem, so an office editing YAML can
find its mistake. The format is documented in docs/standards-format.md.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import jsonschema
import yaml

LIBRARY_DIR = Path(__file__).parent / "libraries"
FACTS_FILE = LIBRARY_DIR / "facts.yaml"
SET_IDS = ("EL", "ES", "EP", "CP", "PT", "IN")
OPS = (">=", ">", "<=", "<", "==")
ZERO = ("met", "not_met", "na", "invalid")
# Bounds that keep the batch evaluator's integer arithmetic exact in int64.
MAX_INTEGER = 2_000_000_000
MAX_NUMBER = 1_000_000_000_000

_ID = r"^[a-z0-9][a-z0-9-]*$"
_FACT = r"^[a-z][a-z0-9_]*$"
_FACT_SCHEMA = {
    "type": "object",
    "required": ["type", "label"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["boolean", "integer", "number"]},
        "label": {"type": "string", "minLength": 1},
        "min": {"type": "number"},
        "max": {"type": "number"},
        "positive": {"type": "boolean"},
        "at_most": {"type": "string", "pattern": _FACT},
        "unit": {"type": "string"},
    },
}
FACTS_SCHEMA = {
    "type": "object",
    "required": ["facts"],
    "additionalProperties": False,
    "properties": {
        "facts": {"type": "object", "propertyNames": {"pattern": _FACT},
                  "additionalProperties": _FACT_SCHEMA},
    },
}
_RULE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["op", "value"],
    "properties": {
        "fact": {"type": "string"},
        "rate": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
        "op": {"type": "string"},
        "value": {"type": "number"},
        "zero": {"type": "string"},
    },
}
_ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "label"],
    "properties": {
        "id": {"type": "string"},
        "label": {"type": "string", "minLength": 1},
        "rule": _RULE,
        "fact": {"type": "string"},
        "clause": {"type": "string"},
        "evidence": {"type": "string"},
        "advisory": {"type": "boolean"},
    },
}
_CRITERION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "summary", "clause", "items"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string", "minLength": 1},
        "summary": {"type": "string", "minLength": 1},
        "clause": {"type": "string", "minLength": 1},
        "items": {"type": "array", "minItems": 1, "items": _ITEM},
    },
}
LIBRARY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "version", "title", "issuer", "effective", "source"],
    "properties": {
        "id": {"type": "string", "pattern": _ID},
        "version": {"type": "integer", "minimum": 1},
        "title": {"type": "string", "minLength": 1},
        "issuer": {"type": "string", "minLength": 1},
        "effective": {"type": "string", "format": "date"},
        "source": {"type": "string", "minLength": 1},
        "parent": {"oneOf": [
            {"type": "null"},
            {"type": "object", "required": ["id", "version"], "additionalProperties": False,
             "properties": {"id": {"type": "string"}, "version": {"type": "integer"}}},
        ]},
        "example": {"type": "boolean"},
        "facts": {"type": "object", "propertyNames": {"pattern": _FACT},
                  "additionalProperties": _FACT_SCHEMA},
        "sets": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "title", "clause", "criteria"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "clause": {"type": "string"},
                "criteria": {"type": "array", "minItems": 1, "items": _CRITERION},
            },
        }},
        "scoring": {
            "type": "object", "additionalProperties": False, "required": ["pass_score"],
            "properties": {
                "pass_score": {"type": "number", "minimum": 0},
                "points": {"type": "object", "additionalProperties": {"type": "number",
                                                                      "minimum": 0}},
                "veto": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}


class LibraryError(ValueError):
    """A problem in a library file: ``file``, ``path`` (e.g. sets[0].criteria[5].items[1].rule)
    and ``problem``."""

    def __init__(self, file, path: str, problem: str):
        self.file, self.path, self.problem = str(file), path, problem
        super().__init__(f"{self.file}: {path or '（根）'}: {problem}")


def _path(parts) -> str:
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text


def schema_check(data, schema, file):
    """Refuse ``data`` that does not match the JSON ``schema`` with a LibraryError naming the
    first wrong path of ``file`` (used by every YAML this app and the health check load)."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise LibraryError(file, _path(first.absolute_path), f"结构不符：{first.message}")


def read_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except OSError as exc:
        raise LibraryError(path, "", f"无法读取文件：{exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise LibraryError(path, where, f"YAML 格式错误：{getattr(exc, 'problem', exc)}") from exc
    # dates in YAML become date objects; the schema (and the hash) want text
    if isinstance(data, dict) and isinstance(data.get("effective"), datetime.date):
        data["effective"] = data["effective"].isoformat()
    return data


# --- Compiled form ------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    label: str
    min: float | None = None
    max: float | None = None
    positive: bool = False
    at_most: str | None = None
    unit: str = ""


@dataclass(frozen=True)
class Rule:
    op: str
    value: Fraction            # exact threshold (percent for a rate)
    fact: str | None = None
    rate: tuple[str, str] | None = None
    zero: str = "invalid"

    @property
    def facts(self) -> tuple[str, ...]:
        return self.rate if self.rate else (self.fact,)


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    criterion: str
    rule: Rule | None = None
    fact: str | None = None    # a qualitative item: this boolean fact, true = met
    clause: str = ""
    evidence: str = ""
    advisory: bool = False
    points: float = 0.0
    veto: bool = False

    @property
    def facts(self) -> tuple[str, ...]:
        return self.rule.facts if self.rule else (self.fact,)


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    summary: str
    clause: str
    set_id: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class StandardSet:
    id: str
    title: str
    clause: str
    criteria: tuple[Criterion, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for c in self.criteria for i in c.items)


@dataclass(frozen=True)
class Scoring:
    pass_score: float
    total: float


@dataclass
class Library:
    id: str
    version: int
    title: str
    issuer: str
    effective: str
    source: str
    example: bool
    parent: tuple[str, int] | None
    facts: dict[str, Fact]
    sets: dict[str, StandardSet]
    scoring: Scoring | None = None
    _items: dict[str, Item] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def sets_for(self, kind: str, size: str | None, platform: bool) -> tuple[str, ...]:
        """DOMAIN.md §2: which sets apply to a unit."""
        if kind == "enterprise":
            if size in ("large", "medium"):
                sets = ["EL"]
            elif size in ("small", "micro"):
                sets = ["ES"]
            else:
                raise ValueError("size")
            if platform:
                sets.append("EP")
            return tuple(sets)
        mapping = {"construction_project": ("CP",), "industrial_park": ("PT",),
                   "town": ("PT",), "industry": ("IN",)}
        if kind not in mapping:
            raise ValueError("kind")
        return mapping[kind]

    def facts_for(self, set_ids) -> tuple[str, ...]:
        """Every fact the sets' items read, in a fixed order (the order errors are checked)."""
        names = []
        for set_id in set_ids:
            for item in self.sets[set_id].items:
                for name in item.facts:
                    if name not in names:
                        names.append(name)
        # a fact's at_most partner is needed to check it
        for name in list(names):
            partner = self.facts[name].at_most
            if partner and partner not in names:
                names.append(partner)
        return tuple(sorted(names))


def load_facts(path: Path = FACTS_FILE) -> dict[str, dict]:
    data = read_yaml(path)
    schema_check(data, FACTS_SCHEMA, path)
    return data["facts"]


def _compile_facts(raw: dict[str, dict], file, where: str) -> dict[str, Fact]:
    facts = {name: Fact(name=name, **spec) for name, spec in raw.items()}
    for name, fact in facts.items():
        if fact.at_most and fact.at_most not in facts:
            raise LibraryError(file, f"{where}.{name}.at_most", f"未知事实 {fact.at_most}")
        if fact.type == "boolean" and (fact.min is not None or fact.max is not None
                                       or fact.positive or fact.at_most):
            raise LibraryError(file, f"{where}.{name}", "布尔事实不能设置数值界限")
        if fact.min is not None and fact.max is not None and fact.min > fact.max:
            raise LibraryError(file, f"{where}.{name}", "min 大于 max")
    return facts


def compile_library(data: dict, file, *, shared_facts: dict[str, dict] | None = None,
                    parent: "Library | None" = None) -> Library:
    """Check ``data`` (a parsed library file) and build the compiled library. A variant is
    compiled on top of its already-compiled ``parent``."""
    schema_check(data, LIBRARY_SCHEMA, file)
    parent_ref = data.get("parent")
    if parent_ref:
        if parent is None:
            raise LibraryError(file, "parent", f"上级标准库 {parent_ref['id']} 第 "
                                               f"{parent_ref['version']} 版尚未载入")
        if (parent.id, parent.version) != (parent_ref["id"], parent_ref["version"]):
            raise LibraryError(file, "parent", "上级标准库与载入的版本不符")
        if data.get("sets") or data.get("facts"):
            raise LibraryError(file, "sets", "派生标准库只能增加计分（scoring），不能改写条目")
        return _compile_variant(data, file, parent)
    if not data.get("sets"):
        raise LibraryError(file, "sets", "缺少标准集合（sets）")
    if "scoring" in data:
        raise LibraryError(file, "scoring", "计分只能在派生标准库中设定（需要 parent）")

    facts = _compile_facts(shared_facts if shared_facts is not None else load_facts(), FACTS_FILE,
                           "facts")
    own = _compile_facts(data.get("facts") or {}, file, "facts")
    for name in own:
        if name in facts:
            raise LibraryError(file, f"facts.{name}", "与共享事实词典重名")
    facts |= own

    seen: set[str] = set()
    sets: dict[str, StandardSet] = {}
    items: dict[str, Item] = {}
    used: set[str] = set()

    def unique(identifier, where):
        if identifier in seen:
            raise LibraryError(file, where, f"标识 {identifier} 重复")
        seen.add(identifier)

    for si, s in enumerate(data["sets"]):
        where = f"sets[{si}]"
        if s["id"] not in SET_IDS:
            known = "、".join(SET_IDS)
            raise LibraryError(file, f"{where}.id", f"未知标准集合 {s['id']}（应为 {known}）")
        unique(s["id"], f"{where}.id")
        criteria = []
        for ci, c in enumerate(s["criteria"]):
            cwhere = f"{where}.criteria[{ci}]"
            if not re.fullmatch(rf"{s['id']}-\d{{2}}", c["id"]):
                raise LibraryError(file, f"{cwhere}.id", f"条目标识 {c['id']} 应形如 {s['id']}-01")
            unique(c["id"], f"{cwhere}.id")
            compiled_items = []
            for ii, it in enumerate(c["items"]):
                iwhere = f"{cwhere}.items[{ii}]"
                if not re.fullmatch(rf"{c['id']}\.\d+", it["id"]):
                    raise LibraryError(file, f"{iwhere}.id",
                                       f"指标标识 {it['id']} 应形如 {c['id']}.1")
                unique(it["id"], f"{iwhere}.id")
                item = _compile_item(it, c["id"], facts, file, iwhere)
                used.update(item.facts)
                compiled_items.append(item)
                items[item.id] = item
            criteria.append(Criterion(c["id"], c["title"], c["summary"], c["clause"], s["id"],
                                      tuple(compiled_items)))
        sets[s["id"]] = StandardSet(s["id"], s["title"], s["clause"], tuple(criteria))
    for name in own:
        if name not in used:
            raise LibraryError(file, f"facts.{name}", "定义了但没有任何指标使用")
    return Library(
        id=data["id"], version=data["version"], title=data["title"], issuer=data["issuer"],
        effective=data["effective"], source=data["source"], example=data.get("example", False),
        parent=None, facts=facts, sets=sets, _items=items,
    )


def _compile_item(it: dict, criterion: str, facts: dict[str, Fact], file, where) -> Item:
    has_rule, has_fact = "rule" in it, "fact" in it
    if has_rule == has_fact:
        raise LibraryError(file, where, "指标必须有且只有 rule 或 fact 之一")
    if has_fact:
        fact = facts.get(it["fact"])
        if fact is None:
            raise LibraryError(file, f"{where}.fact", f"未知事实 {it['fact']}")
        if fact.type != "boolean":
            raise LibraryError(file, f"{where}.fact",
                               f"定性指标需要布尔事实，{it['fact']} 是 {fact.type}")
        return Item(it["id"], it["label"], criterion, fact=it["fact"],
                    clause=it.get("clause", ""), evidence=it.get("evidence", ""),
                    advisory=it.get("advisory", False))
    raw = it["rule"]
    rwhere = f"{where}.rule"
    if ("fact" in raw) == ("rate" in raw):
        raise LibraryError(file, rwhere, "规则必须有且只有 fact 或 rate 之一")
    if raw["op"] not in OPS:
        raise LibraryError(file, f"{rwhere}.op", f"未知运算符 {raw['op']}（应为 {' '.join(OPS)}）")
    zero = raw.get("zero", "invalid")
    if zero not in ZERO:
        known = "、".join(ZERO)
        raise LibraryError(file, f"{rwhere}.zero", f"未知零分母处理 {zero}（应为 {known}）")
    if not it.get("clause"):
        raise LibraryError(file, f"{where}.clause", "定量指标必须注明所依据的条款")
    value = Fraction(str(raw["value"]))
    if value.denominator not in (1, 2, 4, 5, 10, 20, 25, 50, 100):
        raise LibraryError(file, f"{rwhere}.value", "阈值最多保留两位小数")
    names = raw["rate"] if "rate" in raw else [raw["fact"]]
    for k, name in enumerate(names):
        fact = facts.get(name)
        path = f"{rwhere}.rate[{k}]" if "rate" in raw else f"{rwhere}.fact"
        if fact is None:
            raise LibraryError(file, path, f"未知事实 {name}")
        if fact.type == "boolean":
            raise LibraryError(file, path, f"定量规则不能使用布尔事实 {name}")
    if "rate" in raw:
        if facts[names[0]].type != facts[names[1]].type:
            raise LibraryError(file, f"{rwhere}.rate", "比率的分子和分母必须是同一类型的事实")
        if not 0 <= value <= 100:
            raise LibraryError(file, f"{rwhere}.value", f"比率阈值 {raw['value']} 超出 0–100")
        rule = Rule(raw["op"], value, rate=(names[0], names[1]), zero=zero)
    else:
        fact = facts[names[0]]
        low = fact.min if fact.min is not None else (0 if fact.positive else None)
        if (low is not None and value < Fraction(str(low))) or (
            fact.max is not None and value > Fraction(str(fact.max))
        ):
            raise LibraryError(file, f"{rwhere}.value",
                               f"阈值 {raw['value']} 超出事实 {names[0]} 的取值范围")
        if "zero" in raw:
            raise LibraryError(file, f"{rwhere}.zero", "只有比率规则才有零分母处理")
        rule = Rule(raw["op"], value, fact=names[0])
    return Item(it["id"], it["label"], criterion, rule=rule, clause=it["clause"],
                evidence=it.get("evidence", ""), advisory=it.get("advisory", False))


def _compile_variant(data: dict, file, parent: Library) -> Library:
    scoring = data.get("scoring")
    if not scoring:
        raise LibraryError(file, "scoring", "派生标准库必须设定计分（scoring）")
    points = scoring.get("points") or {}
    veto = scoring.get("veto") or []
    items = dict(parent._items)
    for item_id in points:
        if item_id not in items:
            raise LibraryError(file, f"scoring.points.{item_id}", f"上级标准库中没有指标 {item_id}")
    for k, item_id in enumerate(veto):
        if item_id not in items:
            raise LibraryError(file, f"scoring.veto[{k}]", f"上级标准库中没有指标 {item_id}")
    total = float(sum(points.values()))
    if scoring["pass_score"] > total:
        raise LibraryError(file, "scoring.pass_score",
                           f"及格分 {scoring['pass_score']} 高于总分 {total:g}")
    new_items = {
        i: Item(**{**item.__dict__, "points": float(points.get(i, 0)), "veto": i in veto})
        for i, item in items.items()
    }
    sets = {
        sid: StandardSet(s.id, s.title, s.clause, tuple(
            Criterion(c.id, c.title, c.summary, c.clause, c.set_id,
                      tuple(new_items[i.id] for i in c.items))
            for c in s.criteria))
        for sid, s in parent.sets.items()
    }
    return Library(
        id=data["id"], version=data["version"], title=data["title"], issuer=data["issuer"],
        effective=data["effective"], source=data["source"], example=data.get("example", False),
        parent=(parent.id, parent.version), facts=parent.facts, sets=sets,
        scoring=Scoring(float(scoring["pass_score"]), total), _items=new_items,
    )


def content_hash(data: dict, facts: dict | None) -> str:
    """Identity of a version: the library file's content plus the shared facts it was built
    with (a changed dictionary is a changed standard)."""
    body = json.dumps({"library": data, "facts": facts}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()
