"""Publicity's channels, limits and public texts, read from the versioned YAML in ``data/``.

The notice period is the recognition policy's (``hexie.recognition.policy``); see D22.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).parent / "data" / "publicity-policy-v1.yaml"


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

    def contact_for(self, region_code: str, *, office: str, starts_on, ends_on) -> str:
        """How to object to a notice of ``region_code`` (the longest configured prefix wins)."""
        matches = [p for p in self.region_contact_text if region_code.startswith(p)]
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


@cache
def current() -> Policy:
    with POLICY_FILE.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
