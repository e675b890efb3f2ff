"""Publicity's channels, limits and public texts: versioned YAML in ``data/policy/``, loaded
into dated ``PolicyVersion`` rows and resolved by date and region (``hexie.core.policies``).

The notice period is the recognition policy's (``hexie.recognition.policy``); see D22.
"""

import datetime
from dataclasses import dataclass

from hexie.core import policies
from hexie.regions import codes

NAME = "publicity"
_INT = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string", "minLength": 1}
SCHEMA = {
    "type": "object",
    "required": ["source", "rules", "objection", "public"],
    "properties": {
        "source": _TEXT,
        "rules": {"type": "object", "required": ["publish", "objection"],
                  "properties": {"publish": _TEXT, "objection": _TEXT}},
        "objection": {"type": "object",
                      "required": ["channels", "content_max_chars", "contact_max_chars",
                                   "finding_max_chars", "answer_max_chars"],
                      "properties": {
                          "channels": {"type": "array", "minItems": 1, "items": {
                              "type": "object", "required": ["code", "label"]}},
                          "content_max_chars": _INT, "contact_max_chars": _INT,
                          "finding_max_chars": _INT, "answer_max_chars": _INT}},
        "public": {"type": "object", "required": ["page_size", "contact_text"],
                   "properties": {"page_size": _INT, "contact_text": _TEXT,
                                  "regions": {"type": ["object", "null"],
                                              "additionalProperties": _TEXT}}},
    },
}


@dataclass(frozen=True)
class Policy:
    version: str
    source: str
    publish_rule: str
    objection_rule: str
    channels: dict[str, str]
    content_max_chars: int
    contact_max_chars: int
    finding_max_chars: int
    answer_max_chars: int
    page_size: int
    contact_text: str
    region_contact_text: dict[str, str]
    policy_id: int | None = None  # the PolicyVersion row this was read from

    def contact_for(self, region_code: str, *, office: str, starts_on, ends_on) -> str:
        """How to object to a notice of ``region_code`` (the longest configured prefix wins)."""
        matches = [p for p in self.region_contact_text if codes.is_within(region_code, p)]
        text = self.region_contact_text[max(matches, key=len)] if matches else self.contact_text
        return text.format(office=office, starts_on=f"{starts_on:%Y-%m-%d}",
                           ends_on=f"{ends_on:%Y-%m-%d}")


def parse(data: dict) -> Policy:
    objection = data["objection"]
    public = data["public"]
    return Policy(
        version=str(data["version"]),
        source=data["source"],
        publish_rule=data["rules"]["publish"],
        objection_rule=data["rules"]["objection"],
        channels={c["code"]: c["label"] for c in objection["channels"]},
        content_max_chars=int(objection["content_max_chars"]),
        contact_max_chars=int(objection["contact_max_chars"]),
        finding_max_chars=int(objection["finding_max_chars"]),
        answer_max_chars=int(objection["answer_max_chars"]),
        page_size=int(public["page_size"]),
        contact_text=public["contact_text"],
        region_contact_text={str(k): v for k, v in (public.get("regions") or {}).items()},
    )


def current(on: datetime.date | None = None, region: str | None = None) -> Policy:
    """The version in force on ``on`` (default today) for the region code ``region``
    (default: the province-wide version)."""
    return policies.typed(NAME, parse, on, region)
