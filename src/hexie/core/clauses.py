"""The seed's clause references from one file (``data/clauses.yaml``), so a clause string is
never retyped: ``cite("4.3")`` is "浙人社发〔2023〕17号 四（三）"."""

import re
from functools import cache
from pathlib import Path

import yaml

CLAUSES_FILE = Path(__file__).parent / "data" / "clauses.yaml"
PLACEHOLDER = re.compile(r"\{cite:([^{}]+)\}")


@cache
def _data() -> dict:
    # A file shipped with the code, not policy: it changes only with a release.
    with CLAUSES_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def document() -> str:
    """The seed's document number: 浙人社发〔2023〕17号."""
    return _data()["document"]


def title() -> str:
    """The seed's number and title: 浙人社发〔2023〕17号《……实施方案》."""
    return f"{_data()['document']}{_data()['title']}"


def clause(key: str) -> str:
    """The clause's own label (四（三）); KeyError names an unknown key."""
    try:
        return _data()["clauses"][key]
    except KeyError:
        raise KeyError(f"unknown seed clause {key!r} (core/data/clauses.yaml)") from None


def cite(key: str | None = None) -> str:
    """The document number, followed by the clause when ``key`` is given."""
    if key is None or key == "seed":
        return document()
    if key == "title":
        return title()
    return f"{document()} {clause(key)}"


def expand(text: str) -> str:
    """Replace every ``{cite:KEY}`` in ``text``; other braces (format fields) stay."""
    return PLACEHOLDER.sub(lambda m: cite(m.group(1).strip()), text)
