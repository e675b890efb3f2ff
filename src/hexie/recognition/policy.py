"""Recognition's periods and weights, read from the versioned YAML in ``data/``."""

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).parent / "data" / "recognition-policy-v1.yaml"


@dataclass(frozen=True)
class Weights:
    tripartite: Fraction
    third_party: Fraction


@dataclass(frozen=True)
class Policy:
    version: str
    source: str
    application_rule: str
    review_rule: str
    default_weights: Weights
    region_weights: dict[str, Weights]
    confirm_share: Fraction
    review_due_days: int
    notice_rule: str
    notice_period_days: int
    appeal_window_days: int
    reminder_lead_days: tuple[int, ...]
    appeal_rule: str = ""

    def weights_for(self, region_code: str) -> Weights:
        """The weights of the longest configured prefix of ``region_code``, else the default."""
        matches = [p for p in self.region_weights if region_code.startswith(p)]
        if not matches:
            return self.default_weights
        return self.region_weights[max(matches, key=len)]


def _weights(data: dict) -> Weights:
    w = Weights(Fraction(str(data["tripartite"])), Fraction(str(data["third_party"])))
    if w.tripartite <= 0 or w.third_party < 0 or w.tripartite + w.third_party != 1:
        raise ValueError(f"review weights must be positive and add up to 1: {data}")
    if w.tripartite < w.third_party:
        raise ValueError(f"the tripartite review leads (seed 四（三）): {data}")
    return w


def _check_leads(confirm_share: Fraction, weights: Weights, where: str) -> None:
    """The tripartite review leads (seed 四（三）"三方评审为主、社会评估为补充"): a unanimous
    tripartite confirmation reaches the bound whatever the third party says, and the third
    party alone never does (third_party < confirm_share <= tripartite)."""
    if not 0 < confirm_share <= 1:
        raise ValueError(f"confirm_share must lie in (0, 1]: {confirm_share}")
    if not weights.third_party < confirm_share <= weights.tripartite:
        raise ValueError(
            f"review weights {where} must satisfy third_party < confirm_share <= tripartite "
            f"(the tripartite review leads, seed 四（三）)"
        )


def parse(data: dict) -> Policy:
    review = data["review"]
    confirm_share = Fraction(str(review["confirm_share"]))
    default_weights = _weights(review["weights"]["default"])
    region_weights = {str(k): _weights(v)
                      for k, v in (review["weights"].get("regions") or {}).items()}
    _check_leads(confirm_share, default_weights, "default")
    for prefix, weights in region_weights.items():
        _check_leads(confirm_share, weights, prefix)
    return Policy(
        version=str(data["version"]),
        source=data["source"],
        application_rule=data["application"]["rule"],
        review_rule=review["rule"],
        default_weights=default_weights,
        region_weights=region_weights,
        confirm_share=confirm_share,
        review_due_days=int(review["due_days"]),
        notice_rule=data["notice"]["rule"],
        notice_period_days=int(data["notice"]["period_days"]),
        appeal_window_days=int(data["appeal"]["window_days"]),
        reminder_lead_days=tuple(int(d) for d in data["reminders"]["lead_days"]),
        appeal_rule=data["appeal"].get("rule", ""),
    )


@cache
def current() -> Policy:
    with POLICY_FILE.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
