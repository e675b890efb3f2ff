"""The health check's working rules, read from the versioned YAML in ``data/`` (the catalogue
itself lives in ``catalogues/`` and is loaded into the database)."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).parent / "data" / "healthcheck-policy-v1.yaml"
SUFFIXES = {"pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg"), "docx": (".docx",),
            "xlsx": (".xlsx",)}


@dataclass(frozen=True)
class Policy:
    version: str
    first_year: int
    evidence_max_bytes: int
    evidence_types: tuple[str, ...]
    catalogue: str

    def type_of(self, name: str) -> str | None:
        name = (name or "").lower()
        return next((t for t in self.evidence_types if name.endswith(SUFFIXES[t])), None)

    @property
    def accept(self) -> str:
        return ",".join(s for t in self.evidence_types for s in SUFFIXES[t])


@cache
def current() -> Policy:
    with POLICY_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return Policy(
        version=str(data["version"]), first_year=int(data["first_year"]),
        evidence_max_bytes=int(data["evidence_file"]["max_bytes"]),
        evidence_types=tuple(data["evidence_file"]["types"]),
        catalogue=str(data["catalogue"]),
    )
