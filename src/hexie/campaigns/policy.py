"""The campaign's periods and thresholds: versioned YAML in ``data/policy/``, loaded into
dated ``PolicyVersion`` rows and resolved by date and region (``hexie.core.policies``).

Code never holds these values (ARCHITECTURE.md "Rules are data"); each record made under a
policy keeps its version.
"""

import datetime
from dataclasses import dataclass
from fractions import Fraction

from hexie.core import policies

NAME = "campaigns"
_MONTH_DAY = {"type": "object", "required": ["month", "day"], "properties": {
    "month": {"type": "integer", "minimum": 1, "maximum": 12},
    "day": {"type": "integer", "minimum": 1, "maximum": 31}}}
_QUORUM = {"type": "object", "required": ["numerator", "denominator", "rule"], "properties": {
    "numerator": {"type": "integer", "minimum": 1},
    "denominator": {"type": "integer", "minimum": 1},
    "rule": {"type": "string", "minLength": 1}}}
SCHEMA = {
    "type": "object",
    "required": ["source", "initiative_window", "first_year", "congress_quorum", "minutes_file",
                 "cultivation_classes", "target_year_horizon"],
    "properties": {
        "source": {"type": "string", "minLength": 1},
        "initiative_window": {"type": "object", "required": ["start", "end", "rule"],
                              "properties": {"start": _MONTH_DAY, "end": _MONTH_DAY,
                                             "rule": {"type": "string", "minLength": 1}}},
        "first_year": {"type": "integer", "minimum": 2000},
        "congress_quorum": {"type": "object", "additionalProperties": _QUORUM},
        "minutes_file": {"type": "object", "required": ["max_bytes", "types"], "properties": {
            "max_bytes": {"type": "integer", "minimum": 1},
            "types": {"type": "array", "items": {"type": "string"}, "minItems": 1}}},
        "cultivation_classes": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["code", "label"],
            "properties": {"code": {"type": "string"}, "label": {"type": "string"}}}},
        "target_year_horizon": {"type": "integer", "minimum": 0},
    },
}


@dataclass(frozen=True)
class Quorum:
    share: Fraction
    rule: str

    def reached(self, present: int, total: int) -> bool:
        """``present`` out of ``total`` reaches the share; the bound counts ("以上")."""
        return total > 0 and Fraction(present, total) >= self.share


@dataclass(frozen=True)
class CultivationClass:
    code: str
    label: str
    note: str


@dataclass(frozen=True)
class Policy:
    version: str
    source: str
    window_start: tuple[int, int]
    window_end: tuple[int, int]
    window_rule: str
    first_year: int
    quorum: dict[str, Quorum]
    minutes_max_bytes: int
    minutes_types: tuple[str, ...]
    cultivation_classes: tuple[CultivationClass, ...]
    target_year_horizon: int
    policy_id: int | None = None  # the PolicyVersion row this was read from

    def initiative_window(self, year: int) -> tuple[datetime.date, datetime.date]:
        return (datetime.date(year, *self.window_start), datetime.date(year, *self.window_end))

    def is_late(self, year: int, sent_on: datetime.date) -> bool:
        """Sent outside the window of the campaign year (before it or after it)."""
        start, end = self.initiative_window(year)
        return not start <= sent_on <= end

    def cultivation_class(self, code: str) -> CultivationClass | None:
        return next((c for c in self.cultivation_classes if c.code == code), None)


def parse(data: dict) -> Policy:
    window = data["initiative_window"]
    return Policy(
        version=str(data["version"]),
        source=data["source"],
        window_start=(window["start"]["month"], window["start"]["day"]),
        window_end=(window["end"]["month"], window["end"]["day"]),
        window_rule=window["rule"],
        first_year=int(data["first_year"]),
        quorum={kind: Quorum(Fraction(q["numerator"], q["denominator"]), q["rule"])
                for kind, q in data["congress_quorum"].items()},
        minutes_max_bytes=int(data["minutes_file"]["max_bytes"]),
        minutes_types=tuple(data["minutes_file"]["types"]),
        cultivation_classes=tuple(CultivationClass(c["code"], c["label"], c.get("note", ""))
                                  for c in data["cultivation_classes"]),
        target_year_horizon=int(data["target_year_horizon"]),
    )


def current(on: datetime.date | None = None, region: str | None = None) -> Policy:
    """The version in force on ``on`` (default today) for the region code ``region``
    (default: the province-wide version)."""
    return policies.typed(NAME, parse, on, region)
