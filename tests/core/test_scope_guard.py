"""A guard so hand-built scope filters do not come back (issue 9, point 2): outside
``regions`` (code lengths) and ``core`` (the scoped queryset), no code filters by a region-code
prefix, slices a region code or queries memberships outside ``accounts``."""

import re
from pathlib import Path

import hexie

SRC = Path(hexie.__file__).parent

# Slices that are not of region codes: an industry code's division, a town's name, a date.
NOT_REGION_SLICES = {"digits[:2]", "town_name[:2]", "start[:4]"}


def _sources(*skip: str):
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" in rel or rel.startswith(skip):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            yield f"{rel}:{n}", line


def test_no_hand_built_region_prefix_filters():
    pattern = re.compile(r"(region\w*|code)__startswith|\.q\(")
    found = [f"{where}: {line.strip()}" for where, line in _sources("regions/", "core/")
             if pattern.search(line)]
    assert found == [], "use Model.objects.in_scope/visible_to/within:\n" + "\n".join(found)


def test_no_region_code_slices_outside_regions():
    pattern = re.compile(r"[\w\]\)]+\[:(?:2|4|6|9)\]")
    found = [f"{where}: {line.strip()}" for where, line in _sources("regions/")
             for match in pattern.finditer(line) if match.group(0) not in NOT_REGION_SLICES]
    assert found == [], "use hexie.regions.codes (county_of, city_of …):\n" + "\n".join(found)


def test_no_membership_queries_outside_accounts():
    pattern = re.compile(r"\bMembership\b|memberships__")
    found = [f"{where}: {line.strip()}" for where, line in _sources("accounts/", "core/")
             if pattern.search(line)]
    assert found == [], "ask hexie.accounts.selectors:\n" + "\n".join(found)


def test_one_refusal_helper():
    """Services refuse through core.refusal, views answer NotPermitted with its forbid."""
    pattern = re.compile(r"PermissionDenied\(str\(exc|def _forbid|def _refuse(\(|_unless|_outside)")
    found = [f"{where}: {line.strip()}" for where, line in _sources("core/")
             if pattern.search(line)]
    assert found == [], "use hexie.core.refusal (refuse, refuse_unless, forbid):\n" + "\n".join(
        found)
