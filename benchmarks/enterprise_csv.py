"""Cut a ``hexie seed --csv`` file for the benchmarks.

    python benchmarks/enterprise_csv.py SEED.csv ENTERPRISES.csv N [--prefix ALL.csv]

ENTERPRISES.csv gets the header and the first N enterprise rows (the import benchmark's file).
With ``--prefix``, ALL.csv gets every row of SEED.csv up to and including the N-th enterprise
row: the same N enterprises with the other kinds interleaved as generated (the list benchmark's
table, so ids are not sorted by kind). Rows are written with the dialect of
``seed.write_csv``, i.e. unchanged. Exits with status 3 when SEED.csv holds fewer than N
enterprise rows.
"""

import argparse
import csv
import sys


def split(source, target, rows: int, prefix=None) -> tuple[int, int]:
    """Returns (enterprise rows written, rows written to ``prefix``)."""
    kept = total = 0
    with open(source, encoding="utf-8", newline="") as fh, \
            open(target, "w", encoding="utf-8", newline="") as out, \
            open(prefix or "/dev/null", "w", encoding="utf-8", newline="") as everything:
        reader = csv.reader(fh)
        header = next(reader)
        writer, all_writer = csv.writer(out), csv.writer(everything)
        writer.writerow(header)
        all_writer.writerow(header)
        kind = header.index("kind")
        for values in reader:
            if kept == rows:
                break
            if prefix:
                all_writer.writerow(values)
                total += 1
            if values[kind] == "enterprise":
                writer.writerow(values)
                kept += 1
    return kept, total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("rows", type=int)
    parser.add_argument("--prefix", help="also write every row up to the N-th enterprise here")
    args = parser.parse_args(argv)
    kept, total = split(args.source, args.target, args.rows, args.prefix)
    print(f"{kept} enterprise rows -> {args.target}" + (
        f"; {total} rows of all kinds -> {args.prefix}" if args.prefix else ""))
    return 0 if kept == args.rows else 3


if __name__ == "__main__":
    sys.exit(main())
