"""Hexie benchmarks, one command: bulk import of enterprise rows and the unit list page, on
PostgreSQL, each against the naive way in the same run. Figures go to docs/benchmarks.md.

    .venv/bin/python benchmarks/run.py [--rows 1000000] [--repeats 3] [--quick]

What it does (details and caveats in docs/benchmarks.md):

1. Drops and creates the PostgreSQL database ``hexie_bench`` (``--db``; the name must start with
   ``hexie_bench``) with LC_CTYPE C.UTF-8, migrates it, loads the divisions, and checks that
   pg_trgm extracts trigrams from Chinese text there (and that it would not under LC_CTYPE C).
2. Writes ``hexie seed --csv`` rows and keeps the first N enterprise rows (benchmarks/
   enterprise_csv.py); for step 5 also the same rows with the other kinds interleaved as
   generated (every seed row up to the N-th enterprise).
3. Fast path: ``hexie units import FILE`` on an empty table, ``--repeats`` times; each run is a
   separate process, timed from spawn to exit (wall), with its own peak RSS and CPU time from
   ``os.wait4()`` (``ru_maxrss``) and the PostgreSQL backend's CPU sampled from /proc.
4. Naive path on a sample of the same file: benchmarks/naive_import.py (validator, one query per
   unique key, ``Unit.objects.create`` per row in autocommit), extrapolated to N.
5. Reloads the table with the N enterprises and the other kinds interleaved (so ids are not
   sorted by kind), VACUUM ANALYZEs, and runs benchmarks/list_bench.py: the real /units/ page
   with the name index and without it (dropped, then recreated).

Every child process gets DATABASE_URL in its environment (settings.py reads it at start).
``--quick`` (50,000 rows, 1 repeat, small samples) is a smoke test of the whole chain; it
writes var/bench/benchmarks-quick.md unless ``--output`` says otherwise.
"""

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
BIN = Path(sys.executable).parent
HEXIE = BIN / "hexie"
PYTHON = Path(sys.executable)
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- BEGIN GENERATED (benchmarks/run.py) -->", "<!-- END GENERATED -->"
LIST_BEGIN, LIST_END = "<!-- list:begin -->", "<!-- list:end -->"
ENTERPRISE_SHARE = 0.90  # seed.synthetic_rows: at least 90 % of the rows are enterprises
TRGM_PROBE = "杭州西湖科技"


# --- Helpers ------------------------------------------------------------------------------

def log(message):
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


def admin(args, dbname="postgres"):
    return psycopg.connect(f"{args.pg}/{dbname}", autocommit=True)


def db_url(args):
    return f"{args.pg}/{args.db}"


def child_env(args):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": db_url(args),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # DEBUG off serves static files from a manifest, as in production: a private one.
        "STATIC_ROOT": str(args.work / "static"),
    })
    return env


def cpu_seconds(pid):
    """utime + stime of a process from /proc (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerCpu(threading.Thread):
    """Samples the CPU time of the client backends connected to the benchmark database every
    0.2 s; ``seconds`` is the sum of each backend's last sample (a slight underestimate)."""

    def __init__(self, args):
        super().__init__(daemon=True)
        self.args = args
        self.last: dict[int, float] = {}
        self.stopping = threading.Event()

    def run(self):
        with admin(self.args) as conn:
            while not self.stopping.is_set():
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                    [self.args.db]).fetchall()
                for (pid,) in pids:
                    value = cpu_seconds(pid)
                    if value is not None:
                        self.last[pid] = value
                self.stopping.wait(0.2)

    def stop(self) -> float:
        self.stopping.set()
        self.join()
        return sum(self.last.values())


def measure(args, cmd, label, log_name):
    """Run ``cmd`` as a child; wall time spawn→exit, its rusage via wait4, server CPU."""
    out_path = args.work / f"{log_name}.log"
    monitor = ServerCpu(args)
    monitor.start()
    load_before = os.getloadavg()[0]
    with open(out_path, "w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], env=child_env(args), cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    server = monitor.stop()
    output = out_path.read_text(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed (exit {proc.returncode}):\n{output[-3000:]}")
    return {"label": label, "wall_s": wall, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "server_cpu_s": server,
            "load_before": load_before, "load_after": os.getloadavg()[0],
            "output": output.strip()[-500:]}


def run(args, cmd, label):
    log(label)
    result = subprocess.run([str(c) for c in cmd], env=child_env(args), cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{label} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout


def django_snippet(args, code, label):
    return run(args, [PYTHON, "-c",
                      "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                      "'hexie.settings'); django.setup()\n" + code], label)


def bench_sql(args, *statements):
    with admin(args, args.db) as conn:
        rows = None
        for statement in statements:
            cur = conn.execute(statement)
            rows = cur.fetchall() if cur.description else None
        return rows


# --- Steps --------------------------------------------------------------------------------

def machine_info(args):
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem_kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    with admin(args) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = dict(conn.execute(
            "SELECT name, setting || coalesce(' ' || unit, '') FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size', "
            "'synchronous_commit', 'effective_cache_size', 'jit')").fetchall())
    import django

    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "postgresql": version, "pg_settings": settings,
            "python": platform.python_version(), "django": django.get_version(),
            "psycopg": psycopg.__version__, "os": platform.platform(),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_at_start": [round(x, 2) for x in os.getloadavg()]}


def database_exists(args) -> bool:
    with admin(args) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [args.db]).fetchone() is not None


def create_database(args):
    if args.keep_table and database_exists(args):
        log(f"database {args.db}: kept (--keep-table); migrate")
        run(args, [HEXIE, "migrate", "-v0"], "migrate")
        run(args, [HEXIE, "collectstatic", "--noinput", "-v0"], "collectstatic (DEBUG is off)")
        return
    log(f"database {args.db}: drop and create (LC_CTYPE {args.lc_ctype})")
    with admin(args) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{args.db}\" TEMPLATE template0 ENCODING 'UTF8' "
                     f"LC_COLLATE '{args.lc_ctype}' LC_CTYPE '{args.lc_ctype}'")
    run(args, [HEXIE, "migrate", "-v0"], "migrate")
    run(args, [HEXIE, "collectstatic", "--noinput", "-v0"], "collectstatic (DEBUG is off)")
    django_snippet(args, "from hexie.regions.loader import load_divisions\n"
                         "print(load_divisions())", "load divisions")


def locale_probe(args):
    """pg_trgm's trigrams of a Chinese string in the benchmark database, and in a throwaway
    database with LC_CTYPE 'C' (where non-ASCII characters are not "alphanumeric")."""
    out = {}
    with admin(args, args.db) as conn:
        out["bench_ctype"] = conn.execute(
            "SELECT datctype FROM pg_database WHERE datname = current_database()").fetchone()[0]
        out["bench_show_trgm"] = conn.execute(
            "SELECT show_trgm(%s)::text", [TRGM_PROBE]).fetchone()[0]
    probe = args.db + "_probe_c"
    with admin(args) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{probe}"')
        conn.execute(f"CREATE DATABASE \"{probe}\" TEMPLATE template0 ENCODING 'UTF8' "
                     "LC_COLLATE 'C' LC_CTYPE 'C'")
    try:
        with admin(args, probe) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            out["c_show_trgm"] = conn.execute(
                "SELECT show_trgm(%s)::text", [TRGM_PROBE]).fetchone()[0]
    finally:
        with admin(args) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{probe}"')
    useful = out["bench_show_trgm"] not in ("{}", "", None)
    out["useful"] = useful
    log(f"show_trgm('{TRGM_PROBE}') under {out['bench_ctype']}: {out['bench_show_trgm']}; "
        f"under C: {out['c_show_trgm']}")
    if not useful:
        log("note: pg_trgm extracts no trigrams from Chinese here (name search no longer "
            "uses it since D19)")
    return out


def prepare_csv(args):
    """The first ``rows`` enterprise rows of a seed file, plus its other kinds."""
    generated = math.ceil(args.rows / ENTERPRISE_SHARE) + 1000
    seed_csv = args.work / f"seed-{args.seed}-{generated}.csv"
    target = args.work / f"enterprises-{args.seed}-{args.rows}.csv"
    mixed = args.work / f"all-kinds-{args.seed}-{args.rows}.csv"
    if not seed_csv.exists():
        run(args, [HEXIE, "seed", "--units", generated, "--seed", args.seed, "--csv",
                   seed_csv.with_suffix(".tmp")], f"hexie seed --units {generated} --csv")
        seed_csv.with_suffix(".tmp").rename(seed_csv)
    run(args, [PYTHON, BENCH / "enterprise_csv.py", seed_csv, target, args.rows,
               "--prefix", mixed], f"keep the first {args.rows} enterprise rows")
    sample = args.work / f"naive-{args.seed}-{args.naive_rows}.csv"
    with open(target, encoding="utf-8") as src, open(sample, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i > args.naive_rows:
                break
            dst.write(line)
    return {"seed_rows": generated, "file": target, "mixed": mixed, "sample": sample,
            "file_mb": round(target.stat().st_size / 1024 / 1024, 1)}


def empty_units(args):
    # TRUNCATE is allowed on the append-only audit table (its trigger is FOR EACH ROW).
    bench_sql(args, "TRUNCATE units_unit, core_auditevent CASCADE", "CHECKPOINT")


def fast_import(args, csv):
    runs = []
    for i in range(args.repeats):
        empty_units(args)
        log(f"fast path {i + 1}/{args.repeats}: hexie units import ({args.rows} rows)")
        r = measure(args, [HEXIE, "units", "import", csv["file"]], "hexie units import",
                    f"import-{i + 1}")
        count = bench_sql(args, "SELECT count(*) FROM units_unit")[0][0]
        if count != args.rows:
            raise SystemExit(f"imported {count} rows, expected {args.rows}")
        r["rows_per_s"] = args.rows / r["wall_s"]
        log(f"  {r['wall_s']:.1f} s = {r['rows_per_s']:,.0f} rows/s, peak RSS "
            f"{r['peak_rss_mb']:.0f} MB, CPU python {r['user_s'] + r['sys_s']:.1f} s / "
            f"server {r['server_cpu_s']:.1f} s, load {r['load_before']:.1f}")
        runs.append(r)
    return runs


def naive_import(args, csv):
    out = []
    for per_row, rows in ((False, args.naive_rows), (True, args.naive_rows_per_row)):
        empty_units(args)
        sample = csv["sample"]
        if rows != args.naive_rows:
            sample = args.work / f"naive-{args.seed}-{rows}.csv"
            with open(csv["sample"], encoding="utf-8") as src, \
                    open(sample, "w", encoding="utf-8") as dst:
                for i, line in enumerate(src):
                    if i > rows:
                        break
                    dst.write(line)
        result_json = args.work / f"naive-{int(per_row)}.json"
        cmd = [PYTHON, BENCH / "naive_import.py", sample, "--json", result_json]
        if per_row:
            cmd.append("--validator-per-row")
        log(f"naive path ({rows} rows, validator {'per row' if per_row else 'once'})")
        r = measure(args, cmd, "naive_import.py", f"naive-{int(per_row)}")
        r.update(json.loads(result_json.read_text()))
        if r["errors"]:
            raise SystemExit(f"naive import had {r['errors']} errors")
        r["rows_per_s"] = r["rows"] / r["seconds"]
        r["extrapolated_s"] = args.rows / r["rows_per_s"]
        log(f"  {r['rows']} rows in {r['seconds']:.1f} s = {r['rows_per_s']:,.0f} rows/s; "
            f"{args.rows} rows would take {r['extrapolated_s'] / 60:.0f} min")
        out.append(r)
    return out


def mixed_rows(csv) -> int:
    with open(csv["mixed"], encoding="utf-8") as fh:
        return sum(1 for _ in fh) - 1  # seed.write_csv quotes no newlines


def list_benchmark(args, csv):
    expected = mixed_rows(csv)
    have = bench_sql(args, "SELECT count(*) FROM units_unit")[0][0]
    if args.keep_table and have == expected:
        log(f"list table: kept ({have} rows, --keep-table)")
    else:
        empty_units(args)
        r = measure(args, [HEXIE, "units", "import", csv["mixed"]], "hexie units import",
                    "import-mixed")
        log(f"list table: {csv['mixed'].name} imported in {r['wall_s']:.0f} s")
    # Autovacuum may be off (it is on the benchmark server): statistics for every table,
    # the divisions included (the page joins them).
    bench_sql(args, "VACUUM ANALYZE units_unit", "ANALYZE")
    out_json = args.work / "list.json"
    log(f"list benchmark: {args.requests} requests per scenario, phases {args.list_phases}")
    r = measure(args, [PYTHON, BENCH / "list_bench.py", "--requests", args.requests,
                       "--warmup", args.warmup, "--count-repeats", args.count_repeats,
                       "--seed", args.seed, "--phases", args.list_phases, "--json", out_json],
                "list_bench.py", "list")
    print(r["output"])
    return json.loads(out_json.read_text())


# --- Report -------------------------------------------------------------------------------

def fmt(x, digits=0):
    return f"{x:,.{digits}f}"


def render(results) -> str:
    m, a = results["machine"], results["args"]
    lines = [BEGIN, "",
             f"Generated by `{results['command']}` on {m['date']}.", "",
             "### Machine", "",
             "| | |", "|---|---|",
             f"| CPU | {m['cpu']} ({m['cores']} cores) |",
             f"| RAM | {m['ram_gb']} GB |",
             f"| PostgreSQL | {m['postgresql']} (" + ", ".join(
                 f"{k}={v}" for k, v in sorted(m["pg_settings"].items())) + ") |",
             f"| Python / Django / psycopg | {m['python']} / {m['django']} / {m['psycopg']} |",
             f"| OS | {m['os']} |",
             f"| Load average at start / end | {m['load_at_start'][0]} / "
             f"{results['load_at_end']} (other work on the machine; 2.0 = both cores busy) |",
             ""]
    probe = results.get("locale")
    if probe:
        lines += ["### pg_trgm and the database locale", "",
                  "| Database LC_CTYPE | `show_trgm('杭州西湖科技')` |", "|---|---|",
                  f"| {probe['bench_ctype']} (benchmark database) | `{probe['bench_show_trgm']}` |",
                  f"| C (throwaway probe database) | `{probe['c_show_trgm']}` |", ""]
    imp = results.get("import")
    if imp:
        walls = [r["wall_s"] for r in imp]
        med = statistics.median(walls)
        rate = a["rows"] / med
        rss = max(r["peak_rss_mb"] for r in imp)
        lines += ["### Import: enterprise rows from CSV into PostgreSQL", "",
                  f"File: {results['csv']['file_mb']} MB, {fmt(a['rows'])} enterprise rows "
                  f"(first {fmt(a['rows'])} enterprise rows of `hexie seed --units "
                  f"{results['csv']['seed_rows']} --seed {a['seed']} --csv`). Each fast-path "
                  "run is a fresh `hexie units import FILE` process on an empty table "
                  "(`TRUNCATE units_unit, core_auditevent`), timed from spawn to exit.", "",
                  "| Run | Wall (s) | Rows/s | Peak RSS (MB) | CPU import process (s) "
                  "| CPU PostgreSQL backend (s) | Load before |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for i, r in enumerate(imp, 1):
            lines.append(f"| {i} | {r['wall_s']:.1f} | {fmt(r['rows_per_s'])} | "
                         f"{r['peak_rss_mb']:.0f} | {r['user_s'] + r['sys_s']:.1f} | "
                         f"{r['server_cpu_s']:.1f} | {r['load_before']:.1f} |")
        lines += ["", "| | N | Repeats | Median wall (s) | Rows/s (median) | Peak RSS (MB, max) "
                  "| Ratio vs naive | Target | Met? |",
                  "|---|---:|---:|---:|---:|---:|---:|---|---|",
                  f"| Fast path (`hexie units import`) | {fmt(a['rows'])} | {a['repeats']} | "
                  f"{med:.1f} | {fmt(rate)} | {rss:.0f} | "
                  + (f"{rate / results['naive'][0]['rows_per_s']:.0f}× / "
                     f"{rate / results['naive'][1]['rows_per_s']:.0f}×"
                     if results.get("naive") else "—")
                  + f" | ≥ 50,000 rows/s, ≤ 400 MB | rows/s: {'yes' if rate >= 50000 else 'NO'}"
                  f"; memory: {'yes' if rss <= 400 else 'NO'} |"]
        for r in results.get("naive", ()):
            name = ("Naive, validator built per row (as `services.create_unit`)"
                    if r["validator_per_row"] else "Naive, validator built once")
            lines.append(
                f"| {name} | {fmt(r['rows'])} sample, extrapolated to {fmt(a['rows'])} | 1 | "
                f"{r['extrapolated_s']:.0f} (extrapolated) | {fmt(r['rows_per_s'])} | "
                f"{r['peak_rss_mb']:.0f} | 1× | | |")
        lines += ["", "Ratio vs naive: fast-path rows/s ÷ naive rows/s (validator once / "
                  "validator per row). Naive rows/s is measured inside its loop (process start "
                  "excluded) on a sample of the same file, then extrapolated linearly.", ""]
    if results.get("list"):
        lines += [render_list(results), ""]
    lines += ["Raw figures: `" + str(results["json"]) + "`.", "", END]
    return "\n".join(lines)


PHASES = (
    ("before", "Before D17: the page as it was (exact COUNT, every page `ORDER BY id DESC`, "
               "icontains on the name alone, which no index serves since D19), same data"),
    ("with_index", "Now: count capped (D17), stored search columns and one bigram-key GIN "
                   "index for every search of 2 or more characters (D19)"),
    ("without_index", "Naive: the code as now without the name index (`unit_name_bigrams_idx` "
                      "dropped)"),
)


def render_list(results) -> str:
    """The list's part of the generated section, between its own markers, so that a run of
    the list step alone (``--steps list``) replaces just this part."""
    m, a, lst = results["machine"], results["args"], results["list"]
    cap = lst.get("count_cap")
    lines = [LIST_BEGIN,
             "### Unit list: `/units/` with region + kind + name substring", "",
             f"Run: `{results['command']}` on {m['date']}; load average at start / end "
             f"{m['load_at_start'][0]} / {results['load_at_end']} (2.0 = both cores busy).", "",
             f"{fmt(lst['units'])} units ({fmt(lst['enterprises'])} enterprises). County "
             f"office of {lst['county']} (the county with the most enterprises: "
             f"{fmt(lst['county_enterprises'])}); province office with `r1` = a random "
             f"city. {lst['requests']} timed requests per scenario after {lst['warmup']} "
             "untimed ones; each request is timed whole through Django's test Client "
             "(middleware, session, both queries, template; no network). COUNT = the "
             "paginator's `SELECT COUNT(*)`, page = the page's SELECT … LIMIT 50. Search texts "
             "are cut from the distinctive part of real names (not from 有限公司); every phase "
             "gets the very same URLs."
             + (f" Count cap now: {fmt(cap)} (`UNIT_LIST_COUNT_CAP`); \"capped\" = requests "
                f"whose page said \"共 {fmt(cap)}+ 个单位\"." if cap else ""), ""]
    phases = lst["phases"]
    if "before" in phases and "with_index" in phases:
        lines += ["#### Before → now, same URLs, same run", "",
                  "| Scenario | before p50 / p95 (ms) | now p50 / p95 (ms) | now ≤ 100 ms p95? |",
                  "|---|---:|---:|---|"]
        now = {s["scenario"]: s for s in phases["with_index"]}
        for b in phases["before"]:
            n = now.get(b["scenario"])
            if not n:
                continue
            bt, nt = b["request_ms"], n["request_ms"]
            lines.append(f"| {b['scenario']} | {bt['p50']:.1f} / {bt['p95']:.1f} | "
                         f"{nt['p50']:.1f} / {nt['p95']:.1f} | "
                         f"{'yes' if nt['p95'] <= 100 else 'NO'} |")
        lines.append("")
    for phase, title in PHASES:
        rows = phases.get(phase)
        if not rows:
            continue
        lines += [f"#### {title}", "",
                  "| Scenario | p50 (ms) | p95 (ms) | max (ms) | COUNT p50 / p95 (ms) "
                  "| page query p50 / p95 (ms) | matches (median) | capped | ≤ 100 ms p95? |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for s in rows:
            t, c, p = s["request_ms"], s["count_ms"], s["page_query_ms"]
            lines.append(
                f"| {s['scenario']} | {t['p50']:.1f} | {t['p95']:.1f} | {t['max']:.1f} | "
                f"{c['p50']:.1f} / {c['p95']:.1f} | {p['p50']:.1f} / {p['p95']:.1f} | "
                f"{fmt(s['matches']['median'])} | {s['matches'].get('capped', 0)} | "
                f"{'yes' if t['p95'] <= 100 else 'NO'} |")
        lines.append("")
    builds = lst.get("index_build_seconds")
    if isinstance(builds, dict):
        lines += ["Recreating the name indexes on " + fmt(lst["units"]) + " rows: " + "; ".join(
            f"`{name}` {sec:.1f} s ({lst['index_size'][name]})"
            for name, sec in builds.items()) + ".", ""]
    if lst.get("count_alternatives"):
        lines += ["#### The COUNT on big result sets: exact, capped and estimated", "",
                  "Measured on the querysets the page builds with the code as now "
                  f"({a['count_repeats']} runs each). Capped = `COUNT(*)` over at most 10,001 "
                  "rows (`qs[:10001].count()`; the page now counts at most cap + 1); estimate = "
                  "the planner's row estimate from `EXPLAIN` (not executed, not used).", "",
                  "| Result set | exact COUNT p50 / p95 (ms) | capped p50 / p95 (ms) "
                  "| estimate p50 / p95 (ms) | exact / capped / estimated rows |",
                  "|---|---:|---:|---:|---:|"]
        for c in lst["count_alternatives"]:
            e, k, x = c["ms"]["exact"], c["ms"]["capped_10001"], c["ms"]["estimate"]
            v = c["values"]
            lines.append(
                f"| {c['case']} | {e['p50']:.1f} / {e['p95']:.1f} | {k['p50']:.1f} / "
                f"{k['p95']:.1f} | {x['p50']:.1f} / {x['p95']:.1f} | {fmt(v['exact'])} / "
                f"{fmt(v['capped_10001'])} / {fmt(v['estimate'])} |")
        lines.append("")
    lines += ["#### Query plans (EXPLAIN ANALYZE of the first URL of each scenario)", "",
              "| Phase | Scenario | Query | Execution (ms) | Indexes used | Nodes |",
              "|---|---|---|---:|---|---|"]
    for phase, rows in phases.items():
        for s in rows:
            for plan in s["plans"]:
                lines.append(
                    f"| {phase} | {s['scenario']} | {plan['kind']} | "
                    f"{plan['execution_ms']:.1f} | "
                    f"{', '.join(dict.fromkeys(plan['indexes'])) or '—'} | "
                    f"{' → '.join(dict.fromkeys(plan['nodes']))} |")
    lines += ["", "Raw figures of this run: `" + str(results["json"]) + "`.", "", LIST_END]
    return "\n".join(lines)


def write_list_doc(path: Path, block: str):
    """Replace only the list's part of the generated section (``--steps list``): between its
    markers, or, in a section written before they existed, from its heading up to the line
    with the raw figures. Only the generated section is searched; the rest of it (machine,
    import) and everything around it stay as they were."""
    text = path.read_text()
    if BEGIN not in text or END not in text:
        write_doc(path, "\n".join([BEGIN, "", block, "", END]))
        return
    head, rest = text.split(BEGIN, 1)
    section, tail = rest.split(END, 1)
    heading = "### Unit list: `/units/` with region + kind + name substring"
    if LIST_BEGIN in section and LIST_END in section:
        before, after = section.split(LIST_BEGIN, 1)
        section = before + block + after.split(LIST_END, 1)[1]
    elif heading in section:
        before, after = section.split(heading, 1)
        section = before + block + "\n\n" + after[after.index("Raw figures: "):]
    else:
        section = section.rstrip("\n") + "\n\n" + block + "\n\n"
    path.write_text(head + BEGIN + section + END + tail)


def write_doc(path: Path, generated: str):
    if path.exists():
        text = path.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            path.write_text(head + generated + tail)
            return
        path.write_text(text.rstrip() + "\n\n" + generated + "\n")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Benchmarks\n\n## Latest figures\n\n" + generated + "\n")


# --- Main ---------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Hexie import and list benchmarks")
    parser.add_argument("--rows", type=int, help="enterprise rows (default 1,000,000)")
    parser.add_argument("--repeats", type=int, help="fast-path import runs (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 50,000 rows, 1 repeat, small samples")
    parser.add_argument("--naive-rows", type=int, help="naive sample (default 20,000)")
    parser.add_argument("--naive-rows-per-row", type=int,
                        help="naive sample with the validator built per row (default 2,000)")
    parser.add_argument("--requests", type=int, help="timed requests per scenario (200)")
    parser.add_argument("--warmup", type=int, help="untimed requests per scenario (10)")
    parser.add_argument("--count-repeats", type=int,
                        help="runs of each COUNT alternative (20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", default="import,naive,list")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG",
                                                       "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--db", default="hexie_bench")
    parser.add_argument("--lc-ctype", default="C.UTF-8")
    parser.add_argument("--keep-table", action="store_true",
                        help="reuse --db and its units table when the table already holds the "
                             "list's rows (only migrate); default: drop and rebuild")
    parser.add_argument("--list-phases", default="before,with_index,without_index",
                        help="list_bench.py phases")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {"rows": (1_000_000, 50_000), "repeats": (3, 1), "naive_rows": (20_000, 2_000),
                "naive_rows_per_row": (2_000, 100), "requests": (200, 10), "warmup": (10, 2),
                "count_repeats": (20, 3)}
    for name, (full, small) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    if not args.db.startswith("hexie_bench"):
        parser.error("--db must start with hexie_bench")
    args.naive_rows = min(args.naive_rows, args.rows)
    args.naive_rows_per_row = min(args.naive_rows_per_row, args.naive_rows)
    if args.output is None:
        args.output = args.work / "benchmarks-quick.md" if quick else DOC
    args.work.mkdir(parents=True, exist_ok=True)
    steps = set(args.steps.split(","))

    started = time.perf_counter()
    results = {"command": " ".join(["benchmarks/run.py", *(argv if argv is not None
                                                          else sys.argv[1:])]),
               "args": {k: (str(v) if isinstance(v, Path) else v)
                        for k, v in vars(args).items()},
               "machine": machine_info(args)}
    log(f"{results['machine']['cpu']}, {results['machine']['cores']} cores, "
        f"PostgreSQL {results['machine']['postgresql']}, load {os.getloadavg()[0]:.1f}")
    create_database(args)
    results["locale"] = locale_probe(args)
    csv = prepare_csv(args)
    results["csv"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in csv.items()}
    if "naive" in steps:
        results["naive"] = naive_import(args, csv)
    if "import" in steps:
        results["import"] = fast_import(args, csv)
    if "list" in steps:
        results["list"] = list_benchmark(args, csv)
    results["load_at_end"] = round(os.getloadavg()[0], 2)
    results["total_s"] = time.perf_counter() - started
    name = "results-quick.json" if quick else (
        "results.json" if "import" in steps else "results-list.json")
    results["json"] = (args.work / name).relative_to(ROOT) if args.work.is_relative_to(
        ROOT) else args.work / name
    (args.work / name).write_text(json.dumps(results, ensure_ascii=False, indent=1,
                                             default=str))
    if "import" not in steps and "list" in steps and args.output.exists():
        write_list_doc(args.output, render_list(results))
    else:
        generated = render(results)
        if "list" not in steps and args.output.exists():  # keep the last list figures
            old = args.output.read_text()
            if LIST_BEGIN in old and LIST_END in old:
                block = LIST_BEGIN + old.split(LIST_BEGIN, 1)[1].split(LIST_END, 1)[0] + LIST_END
                generated = generated.replace("Raw figures: `", block + "\n\nRaw figures: `", 1)
        write_doc(args.output, generated)
    log(f"done in {results['total_s'] / 60:.1f} min; figures in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
