"""Benchmark: evaluate a synthetic province against the baseline standard.

1,000,000 enterprises (mixed sizes, 1% platforms) and 100,000 each of construction projects,
industrial parks, towns and industries, evaluated by the vectorised batch evaluator, compared
with the naive way — calling the single-unit evaluator in a loop — on a sample of 20,000
enterprises, extrapolated to the million (and said so). One core (no threads are used).

    .venv/bin/python benchmarks/evaluate_bench.py [--enterprises 1000000] [--others 100000]
        [--repeats 3] [--sample 20000] [--quick] [--no-write]

Writes its figures into docs/benchmarks.md between the evaluate markers.
"""

import argparse
import datetime
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from hexie.standards.batch import evaluate_table  # noqa: E402
from hexie.standards.evaluator import UnitProfile, evaluate  # noqa: E402
from hexie.standards.library import LIBRARY_DIR, compile_library, read_yaml  # noqa: E402

BEGIN, END = "<!-- evaluate:begin -->", "<!-- evaluate:end -->"


def baseline():
    path = LIBRARY_DIR / "zj-baseline-v1.yaml"
    return compile_library(read_yaml(path), path)


def synthetic_facts(lib, set_ids_list, n, rng) -> dict[str, np.ndarray]:
    """Plausible facts, mostly compliant, with a few percent of shortfalls on every rule."""
    names = sorted({f for set_ids in set_ids_list for f in lib.facts_for(set_ids)})
    facts = {name: lib.facts[name] for name in names}
    columns: dict[str, np.ndarray] = {}
    independent = [n_ for n_ in names if not facts[n_].at_most]
    dependent = [n_ for n_ in names if facts[n_].at_most]
    for name in independent:
        fact = facts[name]
        if fact.type == "boolean":
            columns[name] = rng.random(n) < 0.97  # bool: 1 byte a value
        elif fact.type == "integer":
            if "coordinators" in name:
                columns[name] = rng.integers(0, 5, n).astype(np.int32)
            else:
                columns[name] = np.maximum(1, rng.lognormal(3.5, 1.2, n)).astype(np.int32)
        elif name == "satisfaction_percent":
            columns[name] = np.round(rng.uniform(80, 100, n), 2)
        else:
            columns[name] = np.round(rng.uniform(1e4, 1e6, n), 2)
    while dependent:  # a fact bounded by another comes after it (chains are allowed)
        name = next(d for d in dependent if facts[d].at_most in columns)
        dependent.remove(name)
        partner = columns[facts[name].at_most]
        if facts[name].type == "integer":
            shortfall = (rng.random(n) < 0.04) * rng.integers(1, 3, n)
            columns[name] = np.maximum(0, partner - shortfall).astype(np.int32)
        else:
            columns[name] = np.round(partner * rng.uniform(0.5, 0.95, n), 2)
    return columns


def province(lib, enterprises: int, others: int, seed: int = 2026):
    rng = np.random.default_rng(seed)
    sizes = rng.choice(["large", "medium", "small", "micro"], enterprises,
                       p=[0.01, 0.06, 0.33, 0.60]).astype(object)
    platforms = rng.random(enterprises) < 0.01
    kinds = np.full(enterprises, "enterprise", dtype=object)
    other_kinds = ["construction_project", "industrial_park", "town", "industry"]
    kinds = np.concatenate([kinds, np.repeat(np.array(other_kinds, dtype=object), others)])
    sizes = np.concatenate([sizes, np.full(others * 4, None, dtype=object)])
    platforms = np.concatenate([platforms, np.zeros(others * 4, dtype=bool)])
    set_ids_list = [("EL",), ("ES",), ("EL", "EP"), ("ES", "EP"), ("CP",), ("PT",), ("IN",)]
    columns = synthetic_facts(lib, set_ids_list, len(kinds), rng)
    return kinds, sizes, platforms, columns


def run_batch(lib, kinds, sizes, platforms, columns):
    start = time.perf_counter()
    results = evaluate_table(lib, kinds, sizes, platforms, columns)
    elapsed = time.perf_counter() - start
    meets = sum(int(r.meets.sum()) for _, r in results)
    return elapsed, meets


def run_single_loop(lib, kinds, sizes, platforms, columns, sample: int):
    rows = np.arange(sample)
    names = list(columns)
    start = time.perf_counter()
    meets = 0
    for i in rows:
        profile = UnitProfile(kinds[i], sizes[i], bool(platforms[i]))
        needed = lib.facts_for(lib.sets_for(profile.kind, profile.size, profile.platform))
        facts = {}
        for name in names:
            if name in needed:
                value = columns[name][i]
                fact_type = lib.facts[name].type
                facts[name] = (bool(value) if fact_type == "boolean" else
                               int(value) if fact_type == "integer" else float(value))
        meets += evaluate(lib, profile, facts)["meets"]
    return time.perf_counter() - start, meets


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; Python "
            f"{platform.python_version()}, NumPy {np.__version__}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--others", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="50,000 + 5,000 each, 1 repeat")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.enterprises, args.others, args.repeats, args.sample = 50_000, 5_000, 1, 2_000

    lib = baseline()
    kinds, sizes, platforms, columns = province(lib, args.enterprises, args.others)
    ent = slice(0, args.enterprises)
    ent_cols = {k: v[ent] for k, v in columns.items()}

    million, whole, single = [], [], []
    for _ in range(args.repeats):
        million.append(run_batch(lib, kinds[ent], sizes[ent], platforms[ent], ent_cols))
        whole.append(run_batch(lib, kinds, sizes, platforms, columns))
        single.append(run_single_loop(lib, kinds, sizes, platforms, columns, args.sample))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    batch_s = statistics.median(t for t, _ in million)
    whole_s = statistics.median(t for t, _ in whole)
    single_s = statistics.median(t for t, _ in single)
    per_unit_single = single_s / args.sample
    extrapolated = per_unit_single * args.enterprises
    total_units = len(kinds)
    lines = [
        BEGIN,
        "## Standards: evaluating a province (issue 3)",
        "",
        f"Machine: {machine()}. Date: {datetime.date.today().isoformat()}. "
        f"Median of {args.repeats} runs, one core. Command: "
        "`.venv/bin/python benchmarks/evaluate_bench.py`.",
        "",
        "| what | units | median time | rate | target |",
        "|---|---:|---:|---:|---|",
        f"| batch evaluator, enterprises (EL/ES/EP by size and platform) | {args.enterprises:,} "
        f"| {batch_s:.2f} s | {args.enterprises / batch_s:,.0f} units/s | ≤ 5 s for 1,000,000 |",
        f"| batch evaluator, enterprises + {args.others:,} each of CP, park, town, IN | "
        f"{total_units:,} | {whole_s:.2f} s | {total_units / whole_s:,.0f} units/s | |",
        f"| single-unit evaluator in a loop (sample of {args.sample:,} enterprises) | "
        f"{args.sample:,} | {single_s:.2f} s | {args.sample / single_s:,.0f} units/s | |",
        f"| single-unit loop, **extrapolated** to {args.enterprises:,} enterprises | "
        f"{args.enterprises:,} | {extrapolated:,.0f} s | | |",
        "",
        f"Batch is **{extrapolated / batch_s:,.0f}×** faster than the loop (extrapolated from the "
        f"sample). Peak memory of the whole benchmark process (data for {total_units:,} units "
        f"plus results): **{peak_mib:,.0f} MiB** (target ≤ 1 GiB). Units meeting the standard: "
        f"{million[-1][1]:,} of the enterprises. Both evaluators are the same rule definitions; "
        "`tests/standards/test_batch_equals_single.py` holds them equal under hypothesis.",
        END,
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        path = ROOT / "docs" / "benchmarks.md"
        current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        if BEGIN in current and END in current:
            head, rest = current.split(BEGIN, 1)
            current = head + text + rest.split(END, 1)[1]
        else:
            current = current.rstrip("\n") + "\n\n" + text + "\n"
        path.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
