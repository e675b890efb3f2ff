"""The reminder policy (lead days before a deadline): versioned YAML in ``data/policy/``,
loaded into dated ``PolicyVersion`` rows and resolved by date (``hexie.core.policies``).
Notifications' own, so it reads no higher app's policy."""

import datetime
from dataclasses import dataclass

from hexie.core import policies

NAME = "notifications"
SCHEMA = {
    "type": "object",
    "required": ["source", "reminders"],
    "properties": {
        "source": {"type": "string", "minLength": 1},
        "reminders": {"type": "object", "required": ["rule", "lead_days"], "properties": {
            "rule": {"type": "string", "minLength": 1},
            "lead_days": {"type": "array", "minItems": 1, "uniqueItems": True,
                          "items": {"type": "integer", "minimum": 1}}}},
    },
}


@dataclass(frozen=True)
class Policy:
    version: str
    source: str
    reminder_rule: str
    reminder_lead_days: tuple[int, ...]
    policy_id: int | None = None  # the PolicyVersion row this was read from


def parse(data: dict) -> Policy:
    reminders = data["reminders"]
    return Policy(version=str(data["version"]), source=data["source"],
                  reminder_rule=reminders["rule"],
                  reminder_lead_days=tuple(int(d) for d in reminders["lead_days"]))


def current(on: datetime.date | None = None, region: str | None = None) -> Policy:
    """The version in force on ``on`` (default today) for the region code ``region``
    (default: the province-wide version)."""
    return policies.typed(NAME, parse, on, region)
