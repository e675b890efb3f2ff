"""The evidence-file policy of the self-assessment, read from the versioned YAML in ``data/``.

Code never holds these values (ARCHITECTURE.md "Rules are data")."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).parent / "data" / "evidence-policy-v1.yaml"


@dataclass(frozen=True)
class EvidencePolicy:
    version: str
    source: str
    max_bytes: int
    max_files_per_item: int
    types: dict[str, tuple[str, ...]]

    def type_of(self, filename: str) -> str | None:
        """The type code whose name ending ``filename`` has, or None."""
        name = (filename or "").lower()
        return next((code for code, endings in self.types.items()
                     if any(name.endswith(e) for e in endings)), None)

    @property
    def accept(self) -> str:
        """The endings for a file input's ``accept`` attribute and for messages."""
        return ",".join(e for endings in self.types.values() for e in endings)


@cache
def current() -> EvidencePolicy:
    with POLICY_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return EvidencePolicy(
        version=str(data["version"]), source=data["source"], max_bytes=int(data["max_bytes"]),
        max_files_per_item=int(data["max_files_per_item"]),
        types={code: tuple(endings) for code, endings in data["types"].items()},
    )
