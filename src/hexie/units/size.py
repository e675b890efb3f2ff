"""Enterprise size (大中小微) by the 2017 national classification; thresholds are data."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from django.db import models
from django.utils.translation import gettext_lazy as _

from .industry import IndustryCode

_DATA = Path(__file__).parent / "data" / "enterprise_size_2017.yaml"
WAN = Decimal(10000)  # Y and Z thresholds are in 万元


class Size(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


TIERS = (Size.LARGE, Size.MEDIUM, Size.SMALL)
ORDER = {Size.LARGE: 0, Size.MEDIUM: 1, Size.SMALL: 2, Size.MICRO: 3}


@dataclass(frozen=True)
class SizeRule:
    name: str
    sections: frozenset[str]
    divisions: tuple[str, ...]
    thresholds: dict  # indicator -> (large, medium, small)

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(self.thresholds)

    def tier(self, indicator: str, value) -> str:
        large, medium, small = self.thresholds[indicator]
        for tier, bound in zip(TIERS, (large, medium, small), strict=True):
            if value >= bound:
                return tier
        return Size.MICRO

    def classify(self, employees, revenue_yuan, assets_yuan) -> str:
        """The lowest tier any listed indicator reaches (every bound is inclusive)."""
        values = {
            "X": employees,
            "Y": None if revenue_yuan is None else Decimal(revenue_yuan) / WAN,
            "Z": None if assets_yuan is None else Decimal(assets_yuan) / WAN,
        }
        worst = Size.LARGE
        for indicator in self.thresholds:
            value = values[indicator]
            if value is None:
                raise ValueError(f"missing indicator {indicator}")
            tier = self.tier(indicator, value)
            if ORDER[tier] > ORDER[worst]:
                worst = tier
        return worst


@cache
def rules() -> tuple[SizeRule, ...]:
    with open(_DATA, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return tuple(
        SizeRule(
            name=r["name"],
            sections=frozenset(r.get("sections", ())),
            divisions=tuple(str(d) for d in r.get("divisions", ())),
            thresholds={k: tuple(v) for k, v in r["thresholds"].items()},
        )
        for r in data["rules"]
    )


@cache
def rule_for(industry: IndustryCode) -> SizeRule | None:
    """The rule for an industry code: the longest matching division prefix, else the section's
    rule. A bare section letter whose divisions are split across rules is ambiguous (None)."""
    best, best_len = None, 0
    if industry.digits:
        for rule in rules():
            for prefix in rule.divisions:
                if industry.digits.startswith(prefix) and len(prefix) > best_len:
                    best, best_len = rule, len(prefix)
        if best is not None:
            return best
    for rule in rules():
        if industry.section in rule.sections:
            if not industry.digits and _section_split(industry.section):
                return None
            return rule
    return None


@cache
def _section_split(section: str) -> bool:
    """True when some rule names divisions inside ``section`` (so the letter alone is not
    enough to choose a rule)."""
    from .industry import parse

    for rule in rules():
        for prefix in rule.divisions:
            if parse(prefix).section == section:
                return True
    return False


def classify(industry: IndustryCode, employees, revenue_yuan, assets_yuan) -> str:
    """The derived size, or "" when the classification does not cover the industry."""
    rule = rule_for(industry)
    if rule is None:
        return ""
    return rule.classify(employees, revenue_yuan, assets_yuan)
