"""The health check's working rules: versioned YAML in ``data/policy/``, loaded into dated
``PolicyVersion`` rows and resolved by date and region (``hexie.core.policies``); the catalogue
itself lives in ``catalogues/`` and is loaded into the database."""

import datetime
from dataclasses import dataclass

from hexie.core import policies

NAME = "healthcheck"
SUFFIXES = {"pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg"), "docx": (".docx",),
            "xlsx": (".xlsx",)}
SCHEMA = {
    "type": "object",
    "required": ["source", "first_year", "evidence_file", "catalogue"],
    "properties": {
        "source": {"type": "string", "minLength": 1},
        "first_year": {"type": "integer", "minimum": 2000},
        "evidence_file": {"type": "object", "required": ["max_bytes", "types"], "properties": {
            "max_bytes": {"type": "integer", "minimum": 1},
            "types": {"type": "array", "minItems": 1, "items": {"enum": sorted(SUFFIXES)}}}},
        "catalogue": {"type": "string", "minLength": 1},
    },
}


@dataclass(frozen=True)
class Policy:
    version: str
    first_year: int
    evidence_max_bytes: int
    evidence_types: tuple[str, ...]
    catalogue: str
    policy_id: int | None = None  # the PolicyVersion row this was read from

    def type_of(self, name: str) -> str | None:
        name = (name or "").lower()
        return next((t for t in self.evidence_types if name.endswith(SUFFIXES[t])), None)

    @property
    def accept(self) -> str:
        return ",".join(s for t in self.evidence_types for s in SUFFIXES[t])


def parse(data: dict) -> Policy:
    return Policy(
        version=str(data["version"]), first_year=int(data["first_year"]),
        evidence_max_bytes=int(data["evidence_file"]["max_bytes"]),
        evidence_types=tuple(data["evidence_file"]["types"]),
        catalogue=str(data["catalogue"]),
    )


def current(on: datetime.date | None = None, region: str | None = None) -> Policy:
    """The version in force on ``on`` (default today) for the region code ``region``
    (default: the province-wide version)."""
    return policies.typed(NAME, parse, on, region)
