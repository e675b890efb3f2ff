"""The campaign's periods and thresholds, read from the versioned YAML in ``data/``.

Code never holds these values (ARCHITECTURE.md "Rules are data"); each record made under a
policy keeps its ``version``.
"""

import datetime
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).parent / "data" / "campaign-policy-v1.yaml"


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

    def initiative_window(self, year: int) -> tuple[datetime.date, datetime.date]:
        return (datetime.date(year, *self.window_start), datetime.date(year, *self.window_end))

    def is_late(self, year: int, sent_on: datetime.date) -> bool:
        """Sent outside the window of the campaign year (before it or after it)."""
        start, end = self.initiative_window(year)
        return not start <= sent_on <= end

    def cultivation_class(self, code: str) -> CultivationClass | None:
        return next((c for c in self.cultivation_classes if c.code == code), None)


def _parse(data: dict) -> Policy:
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


@cache
def current() -> Policy:
    with POLICY_FILE.open(encoding="utf-8") as handle:
        return _parse(yaml.safe_load(handle))
