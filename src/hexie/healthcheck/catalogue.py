"""Health-check catalogues: parsing, checking and the compiled form the check reads.

A catalogue file is checked like a standard library (hexie.standards.library): first against a
JSON schema (shape and types), then for meaning (known areas, unique item ids, every cited law in
the file's whitelist, facts that exist in the shared dictionary). Every error names the file, the
path inside it and the problem. Format and scoring: docs/decisions.md D26.
"""

import hashlib
import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from hexie.standards.library import LibraryError, load_facts, read_yaml, schema_check

CATALOGUE_DIR = Path(__file__).parent / "catalogues"
KINDS = ("enterprise", "construction_project", "industrial_park", "town", "industry")
SIZES = ("large", "medium", "small", "micro")
LEVELS = ("red", "yellow")
ANSWERS = ("yes", "no", "na")
OPS = ("==", ">=", "<=", ">", "<")
# 第十条, 第八十二条 …; the 2021 guidance is numbered by part and paragraph: 一（二）.
ARTICLE = r"^(第[一二三四五六七八九十百零]+条|[一二三四五六七八九十]+（[一二三四五六七八九十]+）)$"


class CatalogueError(LibraryError):
    """A problem in a catalogue file: ``file``, ``path`` and ``problem`` (as LibraryError)."""


_BASIS = {
    "type": "object", "additionalProperties": False, "required": ["law", "article", "requires"],
    "properties": {
        "law": {"type": "string", "minLength": 1},
        "article": {"type": "string", "pattern": ARTICLE},
        "requires": {"type": "string", "minLength": 4},
    },
}
_PREFILL = {
    "type": "object", "additionalProperties": False, "required": ["fact"],
    "properties": {
        "fact": {"type": "string"},
        "op": {"enum": list(OPS)},
        "other": {"type": "string"},
        "value": {"type": "number"},
    },
}
_ITEM = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "area", "question", "evidence", "risk", "legal_basis", "advice"],
    "properties": {
        "id": {"type": "string", "pattern": r"^HC-[A-Z]{2}-\d{2}$"},
        "area": {"type": "string"},
        "question": {"type": "string", "minLength": 4},
        "evidence": {"type": "string", "minLength": 2},
        "risk": {"enum": list(LEVELS)},
        "allow_na": {"type": "boolean"},
        "applies_to": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "kinds": {"type": "array", "minItems": 1, "items": {"enum": list(KINDS)}},
                "sizes": {"type": "array", "minItems": 1, "items": {"enum": list(SIZES)}},
                "platform": {"type": "boolean"},
            },
        },
        "legal_basis": {"type": "array", "minItems": 1, "items": _BASIS},
        "advice": {"type": "string", "minLength": 4},
        "prefill": _PREFILL,
    },
}
SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "version", "title", "issuer", "effective", "source", "laws", "areas",
                 "scoring", "remediation_days", "items"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$"},
        "version": {"type": "integer", "minimum": 1},
        "title": {"type": "string", "minLength": 1},
        "issuer": {"type": "string", "minLength": 1},
        "effective": {"type": "string", "format": "date"},
        "source": {"type": "string", "minLength": 1},
        "laws": {"type": "object", "minProperties": 1,
                 "additionalProperties": {"type": "string", "minLength": 2}},
        "areas": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["code", "name"],
            "properties": {"code": {"type": "string", "pattern": r"^[A-Z]{2}$"},
                           "name": {"type": "string", "minLength": 1}},
        }},
        "scoring": {
            "type": "object", "additionalProperties": False,
            "required": ["weights", "yellow_from", "red_from", "red_item_forces_red"],
            "properties": {
                "weights": {"type": "object", "additionalProperties": False,
                            "required": list(LEVELS),
                            "properties": {lv: {"type": "integer", "minimum": 1}
                                           for lv in LEVELS}},
                "yellow_from": {"type": "number", "minimum": 0, "maximum": 100},
                "red_from": {"type": "number", "minimum": 0, "maximum": 100},
                "red_item_forces_red": {"type": "boolean"},
            },
        },
        "remediation_days": {"type": "object", "additionalProperties": False,
                             "required": list(LEVELS),
                             "properties": {lv: {"type": "integer", "minimum": 1}
                                            for lv in LEVELS}},
        "items": {"type": "array", "minItems": 1, "items": _ITEM},
    },
}


@dataclass(frozen=True)
class Basis:
    law: str  # the whitelist key
    title: str  # the law's full title from the whitelist
    article: str
    requires: str

    def as_dict(self) -> dict:
        return {"law": self.law, "title": self.title, "article": self.article,
                "requires": self.requires}


@dataclass(frozen=True)
class Item:
    id: str
    area: str
    question: str
    evidence: str
    risk: str
    allow_na: bool
    kinds: tuple[str, ...]
    sizes: tuple[str, ...]
    platform_only: bool
    legal_basis: tuple[Basis, ...]
    advice: str
    prefill: dict | None

    def applies(self, kind: str, size: str, platform: bool) -> bool:
        """Kinds and platform by the unit's kind; sizes only narrow enterprises, and an
        enterprise of unknown size gets the item (better asked than missed)."""
        if self.kinds and kind not in self.kinds:
            return False
        if self.platform_only and not (kind == "enterprise" and platform):
            return False
        if self.sizes and kind == "enterprise" and size and size not in self.sizes:
            return False
        return True

    def suggest(self, facts: dict) -> str | None:
        """'yes'/'no' from self-assessment facts, or None when the facts do not say."""
        rule = self.prefill
        if not rule or not facts:
            return None
        left = facts.get(rule["fact"])
        if left is None or isinstance(left, str):
            return None
        if "op" not in rule:
            return "yes" if left is True else "no" if left is False else None
        right = facts.get(rule["other"]) if "other" in rule else rule.get("value")
        if right is None or isinstance(right, str | bool) or isinstance(left, bool):
            return None
        ok = {"==": left == right, ">=": left >= right, "<=": left <= right,
              ">": left > right, "<": left < right}[rule["op"]]
        return "yes" if ok else "no"


@dataclass(frozen=True)
class Scoring:
    weights: dict[str, int]
    yellow_from: Fraction
    red_from: Fraction
    red_item_forces_red: bool

    def level(self, risk: Fraction, red_failed: bool) -> str:
        """Both thresholds inclusive ("以上", DOMAIN.md §3)."""
        if red_failed and self.red_item_forces_red:
            return "red"
        if risk >= self.red_from:
            return "red"
        if risk >= self.yellow_from:
            return "yellow"
        return "green"


@dataclass(frozen=True)
class Result:
    risk: Fraction  # 0–100
    level: str
    failed: tuple[Item, ...]
    areas: dict[str, dict]  # code -> {"name", "answered", "compliant", "share" (0–1 or None)}


@dataclass(frozen=True)
class Catalogue:
    id: str
    version: int
    title: str
    laws: dict[str, str]
    areas: dict[str, str]  # code -> name, in file order
    items: tuple[Item, ...]
    scoring: Scoring
    remediation_days: dict[str, int]

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def applicable(self, kind: str, size: str, platform: bool) -> list[Item]:
        return [i for i in self.items if i.applies(kind, size, platform)]

    def evaluate(self, items: list[Item], answers: dict[str, str]) -> Result:
        """Score the answered ``items``: weight of 否 over weight of 是 and 否, ×100."""
        weights = self.scoring.weights
        total = failed_weight = 0
        failed = []
        areas = {code: {"name": name, "answered": 0, "compliant": 0, "share": None}
                 for code, name in self.areas.items()}
        for item in items:
            answer = answers.get(item.id)
            if answer not in ("yes", "no"):
                continue
            weight = weights[item.risk]
            total += weight
            area = areas[item.area]
            area["answered"] += weight
            if answer == "no":
                failed_weight += weight
                failed.append(item)
            else:
                area["compliant"] += weight
        for area in areas.values():
            if area["answered"]:
                area["share"] = area["compliant"] / area["answered"]
        risk = Fraction(100 * failed_weight, total) if total else Fraction(0)
        red_failed = any(i.risk == "red" for i in failed)
        return Result(risk, self.scoring.level(risk, red_failed), tuple(failed), areas)


def content_hash(data: dict) -> str:
    body = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def compile_catalogue(data, file) -> Catalogue:
    """Check ``data`` (a parsed catalogue file) and return its compiled form."""
    if not isinstance(data, dict):
        raise CatalogueError(file, "", "文件内容应为一个体检目录（YAML 映射）")
    try:
        schema_check(data, SCHEMA, file)
    except LibraryError as exc:
        raise CatalogueError(exc.file, exc.path, exc.problem) from None
    laws = data["laws"]
    areas: dict[str, str] = {}
    for n, area in enumerate(data["areas"]):
        if area["code"] in areas:
            raise CatalogueError(file, f"areas[{n}].code", f"领域代码 {area['code']} 重复")
        areas[area["code"]] = area["name"]
    scoring = data["scoring"]
    if scoring["yellow_from"] > scoring["red_from"]:
        raise CatalogueError(file, "scoring.yellow_from", "黄色起点不能高于红色起点")
    facts = load_facts()
    items, seen = [], set()
    for n, raw in enumerate(data["items"]):
        where = f"items[{n}]"
        if raw["id"] in seen:
            raise CatalogueError(file, f"{where}.id", f"条目编号 {raw['id']} 重复")
        seen.add(raw["id"])
        if raw["area"] not in areas:
            raise CatalogueError(file, f"{where}.area", f"领域 {raw['area']} 未在 areas 中定义")
        if not raw["id"].startswith(f"HC-{raw['area']}-"):
            raise CatalogueError(file, f"{where}.id", f"条目编号应以 HC-{raw['area']}- 开头")
        basis = []
        for m, b in enumerate(raw["legal_basis"]):
            if b["law"] not in laws:
                raise CatalogueError(file, f"{where}.legal_basis[{m}].law",
                                     f"法律法规“{b['law']}”不在 laws 白名单中")
            basis.append(Basis(b["law"], laws[b["law"]], b["article"], b["requires"]))
        prefill = raw.get("prefill")
        if prefill:
            for key in ("fact", "other"):
                if key in prefill and prefill[key] not in facts:
                    raise CatalogueError(file, f"{where}.prefill.{key}",
                                         f"自评事实 {prefill[key]} 不存在（见 facts.yaml）")
            if "op" in prefill and ("other" in prefill) == ("value" in prefill):
                raise CatalogueError(file, f"{where}.prefill",
                                     "有 op 时须且只能给出 other 或 value 之一")
            if "op" not in prefill and facts[prefill["fact"]]["type"] != "boolean":
                raise CatalogueError(file, f"{where}.prefill.fact",
                                     f"没有 op 时事实 {prefill['fact']} 须为是/否（boolean）")
        applies = raw.get("applies_to") or {}
        items.append(Item(
            id=raw["id"], area=raw["area"], question=raw["question"],
            evidence=raw["evidence"], risk=raw["risk"], allow_na=raw.get("allow_na", False),
            kinds=tuple(applies.get("kinds", ())), sizes=tuple(applies.get("sizes", ())),
            platform_only=applies.get("platform", False), legal_basis=tuple(basis),
            advice=raw["advice"], prefill=prefill,
        ))
    return Catalogue(
        id=data["id"], version=data["version"], title=data["title"], laws=dict(laws),
        areas=areas, items=tuple(items),
        scoring=Scoring(dict(scoring["weights"]), Fraction(str(scoring["yellow_from"])),
                        Fraction(str(scoring["red_from"])), scoring["red_item_forces_red"]),
        remediation_days=dict(data["remediation_days"]),
    )


def read_catalogue(path: Path) -> tuple[dict, Catalogue]:
    try:
        data = read_yaml(path)
    except LibraryError as exc:
        raise CatalogueError(exc.file, exc.path, exc.problem) from None
    return data, compile_catalogue(data, path)


def catalogue_files(path: Path | None = None) -> list[Path]:
    path = Path(path or CATALOGUE_DIR)
    return [path] if path.is_file() else sorted(path.glob("*.yaml"))

