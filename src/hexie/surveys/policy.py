"""The survey policy (dimensions per set, the scale, the minimum sample, link validity, text
limits, flood control, concern categories): versioned YAML in ``data/policy/``, loaded into dated
``PolicyVersion`` rows and resolved by date and region (``hexie.core.policies``). Code never
holds these values; each round keeps the version it was opened under."""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings

from hexie.core import policies

NAME = "surveys"
_INT = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string", "minLength": 1}
_LIMIT = {"type": "object", "required": ["limit", "window_seconds"],
          "properties": {"limit": _INT, "window_seconds": _INT}}
SCHEMA = {
    "type": "object",
    "required": ["source", "dimension_sets", "surveyed_kinds", "levels", "satisfied_levels",
                 "minimum_sample", "link_validity_days", "max_links_per_round",
                 "comment_max_chars", "concern_max_chars", "max_body_bytes", "rate_limit",
                 "concern_categories"],
    "properties": {
        "source": _TEXT,
        "dimension_sets": {"type": "object", "minProperties": 1, "additionalProperties": {
            "type": "object", "required": ["rule", "expected_share", "dimensions"],
            "properties": {
                "rule": _TEXT,
                "expected_share": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                "dimensions": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["code", "label"]}}}}},
        "surveyed_kinds": {"type": "array", "items": {"type": "string"}},
        "levels": {"type": "array", "minItems": 2, "items": {
            "type": "object", "required": ["value", "label"],
            "properties": {"value": {"type": "integer"}, "label": _TEXT}}},
        "satisfied_levels": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
        "minimum_sample": {"type": "object", "required": ["z", "margin", "floor", "rule"],
                           "properties": {"z": {"type": "number", "exclusiveMinimum": 0},
                                          "margin": {"type": "number", "exclusiveMinimum": 0},
                                          "floor": _INT, "rule": _TEXT}},
        "link_validity_days": {"type": "object", "required": ["default", "min", "max"],
                               "properties": {"default": _INT, "min": _INT, "max": _INT}},
        "max_links_per_round": _INT,
        "comment_max_chars": _INT,
        "concern_max_chars": _INT,
        "max_body_bytes": _INT,
        "rate_limit": {"type": "object", "required": ["answers", "concerns"],
                       "additionalProperties": _LIMIT},
        "concern_categories": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["code", "label", "level"],
            "properties": {"level": {"enum": ["red", "yellow"]}}}},
    },
}


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str


@dataclass(frozen=True)
class DimensionSet:
    set_id: str
    rule: str
    expected_share: float
    dimensions: tuple[Dimension, ...]


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    level: str


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window_seconds: int


@dataclass(frozen=True)
class Policy:
    version: str
    source: str
    sets: dict[str, DimensionSet]
    surveyed_kinds: tuple[str, ...]
    levels: tuple[tuple[int, str], ...]
    satisfied_levels: frozenset[int]
    z: float
    margin: float
    floor: int
    minimum_rule: str
    validity_default: int
    validity_min: int
    validity_max: int
    max_links: int
    comment_max_chars: int
    concern_max_chars: int
    max_body_bytes: int
    rate_limits: dict[str, RateLimit]
    categories: tuple[Category, ...]
    policy_id: int | None = None  # the PolicyVersion row this was read from

    def minimum_sample(self, workforce: int, set_id: str) -> int:
        """Answers a round needs before it may feed a self-assessment (see the YAML)."""
        p = self.sets[set_id].expected_share
        n0 = self.z ** 2 * p * (1 - p) / self.margin ** 2
        n = n0 / (1 + (n0 - 1) / workforce)
        return min(workforce, max(self.floor, math.ceil(n - 1e-9)))

    def rate_limit(self, bucket: str) -> RateLimit:
        """The bucket's limit; the setting HEXIE_SURVEY_RATE_LIMIT overrides the count."""
        base = self.rate_limits[bucket]
        override = getattr(settings, "HEXIE_SURVEY_RATE_LIMIT", None)
        return RateLimit(int(override), base.window_seconds) if override else base

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    @property
    def level_values(self) -> frozenset[int]:
        return frozenset(v for v, _ in self.levels)


def parse(data: dict) -> Policy:
    sets = {
        set_id: DimensionSet(set_id, s["rule"], float(s["expected_share"]),
                             tuple(Dimension(d["code"], d["label"]) for d in s["dimensions"]))
        for set_id, s in data["dimension_sets"].items()
    }
    sample, validity = data["minimum_sample"], data["link_validity_days"]
    return Policy(
        version=str(data["version"]),
        source=data["source"],
        sets=sets,
        surveyed_kinds=tuple(data["surveyed_kinds"]),
        levels=tuple((int(lv["value"]), lv["label"]) for lv in data["levels"]),
        satisfied_levels=frozenset(int(v) for v in data["satisfied_levels"]),
        z=float(sample["z"]), margin=float(sample["margin"]), floor=int(sample["floor"]),
        minimum_rule=sample["rule"],
        validity_default=int(validity["default"]), validity_min=int(validity["min"]),
        validity_max=int(validity["max"]),
        max_links=int(data["max_links_per_round"]),
        comment_max_chars=int(data["comment_max_chars"]),
        concern_max_chars=int(data["concern_max_chars"]),
        max_body_bytes=int(data["max_body_bytes"]),
        rate_limits={k: RateLimit(int(v["limit"]), int(v["window_seconds"]))
                     for k, v in data["rate_limit"].items()},
        categories=tuple(Category(c["code"], c["label"], c["level"])
                         for c in data["concern_categories"]),
    )


def current(on: datetime.date | None = None, region: str | None = None) -> Policy:
    """The version in force on ``on`` (default today) for the region code ``region``
    (default: the province-wide version)."""
    return policies.typed(NAME, parse, on, region)


def for_round(rnd) -> Policy:
    """The version a round was opened under (its answers are read by the same rules); a round
    from before versions were stored reads today's province-wide version."""
    if getattr(rnd, "policy_id", None):
        return policies.typed(NAME, parse, pk=rnd.policy_id)
    return current()
