"""The evidence-file policy of the self-assessment: versioned YAML in ``data/policy/``, loaded
into dated ``PolicyVersion`` rows and resolved by date and region (``hexie.core.policies``).

Code never holds these values (ARCHITECTURE.md "Rules are data")."""

import datetime
from dataclasses import dataclass

from hexie.core import policies

NAME = "assessments"
SCHEMA = {
    "type": "object",
    "required": ["source", "max_bytes", "max_files_per_item", "types"],
    "properties": {
        "source": {"type": "string", "minLength": 1},
        "max_bytes": {"type": "integer", "minimum": 1},
        "max_files_per_item": {"type": "integer", "minimum": 1},
        "types": {"type": "object", "minProperties": 1, "additionalProperties": {
            "type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^\\."}}},
    },
}


@dataclass(frozen=True)
class EvidencePolicy:
    version: str
    source: str
    max_bytes: int
    max_files_per_item: int
    types: dict[str, tuple[str, ...]]
    policy_id: int | None = None  # the PolicyVersion row this was read from

    def type_of(self, filename: str) -> str | None:
        """The type code whose name ending ``filename`` has, or None."""
        name = (filename or "").lower()
        return next((code for code, endings in self.types.items()
                     if any(name.endswith(e) for e in endings)), None)

    @property
    def accept(self) -> str:
        """The endings for a file input's ``accept`` attribute and for messages."""
        return ",".join(e for endings in self.types.values() for e in endings)


def parse(data: dict) -> EvidencePolicy:
    return EvidencePolicy(
        version=str(data["version"]), source=data["source"], max_bytes=int(data["max_bytes"]),
        max_files_per_item=int(data["max_files_per_item"]),
        types={code: tuple(endings) for code, endings in data["types"].items()},
    )


def current(on: datetime.date | None = None, region: str | None = None) -> EvidencePolicy:
    """The version in force on ``on`` (default today) for the region code ``region``
    (default: the province-wide version)."""
    return policies.typed(NAME, parse, on, region)
