"""Region codes (GB/T 2260 / statistical division codes) as strings: the one place that knows
how long each level's code is and how a code nests in the ones above it.

A division's code starts with the code of every division above it (DOMAIN.md §1), so "inside"
is a prefix test and "the county of" is a truncation. No other app slices a region code: they
call these helpers, and filter querysets through ``ScopedQuerySet`` (hexie.core.querysets).
"""

PROVINCE_LENGTH = 2
CITY_LENGTH = 4
COUNTY_LENGTH = 6
TOWN_LENGTH = 9
#: The code lengths of the levels, highest level first.
LENGTHS = (PROVINCE_LENGTH, CITY_LENGTH, COUNTY_LENGTH, TOWN_LENGTH)


def is_code(code) -> bool:
    """``code`` has the shape of a division code of some level (digits, a level's length)."""
    return isinstance(code, str) and code.isdigit() and len(code) in LENGTHS


def level_of(code: str) -> str | None:
    """The level name of ``code`` by its length ("province" … "town"), None when none fits."""
    from .models import LEVEL_BY_LENGTH

    level = LEVEL_BY_LENGTH.get(len(code or ""))
    return str(level) if level is not None else None


def province_of(code: str) -> str:
    return code[:PROVINCE_LENGTH]


def city_of(code: str) -> str:
    """The city code of ``code`` (``code`` itself for a province: nothing below it to cut)."""
    return code[:CITY_LENGTH]


def county_of(code: str) -> str:
    return code[:COUNTY_LENGTH]


def town_of(code: str) -> str:
    """The town code of ``code``; a county-level code (a county's industry) stays as it is."""
    return code[:TOWN_LENGTH]


def is_within(code: str, prefix: str) -> bool:
    """``code`` is ``prefix``'s division or one below it."""
    return code.startswith(prefix)


def ancestors(code: str) -> list[str]:
    """The codes of the divisions strictly above ``code``, highest first."""
    return [code[:n] for n in LENGTHS if n < len(code)]


def lineage(code: str) -> list[str]:
    """``code`` and the divisions above it, highest first (who is "over" a unit)."""
    return [code[:n] for n in LENGTHS if n <= len(code)]


def ancestors_of_all(codes) -> list[str]:
    """The codes strictly above any of ``codes`` (sorted, without duplicates)."""
    return sorted({a for code in codes for a in ancestors(code)})


def related(code: str, prefix: str) -> bool:
    """``code`` lies inside ``prefix`` or above it (one line of the tree)."""
    return code.startswith(prefix) or prefix.startswith(code)
