"""Recognition's periods and weights: versioned YAML in ``data/policy/``, loaded into dated
``PolicyVersion`` rows and resolved by date and region (``hexie.core.policies``)."""

import datetime
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from hexie.core import policies
from hexie.regions import codes

NAME = "recognition"
# The first version (tests read it to build variants).
POLICY_FILE = Path(__file__).parent / "data" / "policy" / "recognition-policy-v1.yaml"

_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_WEIGHTS = {"type": "object", "required": ["tripartite", "third_party"],
            "properties": {"tripartite": _SHARE, "third_party": _SHARE}}
_DAYS = {"type": "integer", "minimum": 1}
_RULE = {"type": "string", "minLength": 1}
SCHEMA = {
    "type": "object",
    "required": ["source", "application", "review", "notice", "appeal"],
    "properties": {
        "source": _RULE,
        "application": {"type": "object", "required": ["rule"], "properties": {"rule": _RULE}},
        "review": {"type": "object",
                   "required": ["rule", "weights", "confirm_share", "due_days"],
                   "properties": {
                       "rule": _RULE, "confirm_share": _SHARE, "due_days": _DAYS,
                       "weights": {"type": "object", "required": ["default"], "properties": {
                           "default": _WEIGHTS,
                           "regions": {"type": ["object", "null"],
                                       "additionalProperties": _WEIGHTS}}}}},
        "notice": {"type": "object", "required": ["rule", "period_days"],
                   "properties": {"rule": _RULE, "period_days": _DAYS}},
        "appeal": {"type": "object", "required": ["window_days"],
                   "properties": {"rule": _RULE, "window_days": _DAYS}},
    },
}


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
    appeal_rule: str = ""
    policy_id: int | None = None  # the PolicyVersion row this was read from

    def weights_for(self, region_code: str) -> Weights:
        """The weights of the longest configured prefix of ``region_code``, else the default."""
        matches = [p for p in self.region_weights if codes.is_within(region_code, p)]
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
        appeal_rule=data["appeal"].get("rule", ""),
    )


def current(on: datetime.date | None = None, region: str | None = None) -> Policy:
    """The version in force on ``on`` (default today) for the region code ``region``
    (default: the province-wide version)."""
    return policies.typed(NAME, parse, on, region)
