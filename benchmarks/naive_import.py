"""The naive way, for comparison: save a CSV row by row through the ORM.

For each row: the same validator the bulk import uses, one query per unique key to refuse
duplicates (as ``services._uniqueness_errors`` does), then ``Unit.objects.create`` in autocommit.
No transaction around the file (so no all-or-nothing), no audit event; this is what a
straightforward implementation does, and it is only ever faster than what it lacks.

    DATABASE_URL=... python benchmarks/naive_import.py FILE [--validator-per-row] [--json OUT]

``--validator-per-row`` builds ``UnitValidator.from_database()`` for every row, as
``services.create_unit`` does; without it the validator is built once (the fairer baseline).
Prints (and with --json writes) rows, errors, seconds inside the loop.
"""

import argparse
import csv
import json
import os
import sys
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--validator-per-row", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexie.settings")
    import django

    django.setup()
    from hexie.units.models import Kind, Unit
    from hexie.units.validation import UnitValidator

    started = time.perf_counter()
    rows = errors = 0
    validator = None if args.validator_per_row else UnitValidator.from_database()
    with open(args.file, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        names = next(reader)
        for values in reader:
            rows += 1
            raw = dict(zip(names, values, strict=False))
            v = UnitValidator.from_database() if validator is None else validator
            cleaned, problems = v.clean(raw)
            if problems:
                errors += 1
                continue
            if cleaned.get("credit_code") and Unit.objects.filter(
                credit_code=cleaned["credit_code"]
            ).exists():
                errors += 1
                continue
            if cleaned.get("project_code") and Unit.objects.filter(
                project_code=cleaned["project_code"]
            ).exists():
                errors += 1
                continue
            if cleaned["kind"] == Kind.TOWN and Unit.objects.filter(
                kind=Kind.TOWN, region_id=cleaned["region_id"]
            ).exists():
                errors += 1
                continue
            Unit.objects.create(**cleaned, size=cleaned.get("size_derived", ""))
    seconds = time.perf_counter() - started
    result = {"rows": rows, "errors": errors, "seconds": seconds,
              "validator_per_row": args.validator_per_row}
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
