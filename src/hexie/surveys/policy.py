"""The survey policy, read from the versioned YAML in ``data/`` (dimensions per set, the scale,
the minimum sample, link validity, text limits, flood control, concern categories). Code never
holds these values; each round keeps the ``version`` it was opened under."""

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

POLICY_FILE = Path(__file__).parent / "data" / "survey-policy-v1.yaml"


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


def _parse(data: dict) -> Policy:
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


@cache
def current() -> Policy:
    with POLICY_FILE.open(encoding="utf-8") as handle:
        return _parse(yaml.safe_load(handle))
