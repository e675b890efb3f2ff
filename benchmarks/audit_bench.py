"""Audit log benchmark (issue 10): "the audit page filters 10,000,000 events by unit or actor in
≤ 200 ms p95". One command:

    .venv/bin/python benchmarks/audit_bench.py [--rows 10000000] [--requests 30] [--json OUT]

1. Drops and creates the PostgreSQL database ``hexie_bench_audit`` (``--db``, must start with
   ``hexie_bench``), migrates it and loads the real divisions (as benchmarks/run.py does).
   ``--keep-table`` keeps a database whose audit table already holds ``--rows`` events.
2. Fills ``core_auditevent`` with ``--rows`` events through one PostgreSQL ``COPY`` (psycopg),
   its secondary indexes dropped first and rebuilt after (each timed), then ``VACUUM ANALYZE``.
   The spread: ``--units`` unit ids, each in a fixed town of the province; ``--actors`` actors,
   each working in one county; ~30 actions over 9 object types; ``--days`` of timestamps rising
   with the id (the chain order is the time order). ``prev_hash``/``hash`` are plausible
   (each row's ``prev_hash`` is the previous row's ``hash``, 64 hex digits) but are not the
   canonical event hashes of ``hexie.core.audit``: ``hexie audit verify`` would refuse this
   table. INSERT is allowed by the append-only trigger; nothing is updated.
3. Times the real pages in this process with Django's test Client (middleware, session, scope,
   form, queries, template), signed in as a county office and as the province office:
   ``/audit/`` and ``/api/v1/audit-events/`` filtered by unit, by actor, by action + 30 days,
   ``--requests`` timed requests each (after 3 untimed), a different unit/actor/window per
   request. p50/p95 per scenario.
4. Anchor: the SQL one request runs on the audit table, captured with CaptureQueriesContext and
   replayed alone on a raw psycopg cursor (same requests' parameters): the floor under the page.
5. Naive baselines on the same URLs: the page with an exact ``COUNT(*)`` (Django's Paginator,
   what D17's capped count avoids), and the filters without their indexes (dropped, timed over
   fewer requests, rebuilt).

No test asserts a timing. Results go to ``--json`` and are written up by hand in
docs/benchmarks.md ("Audit log at 10 million events").
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
TABLE = "core_auditevent"

# (action, object_type, weight): about 30 actions over the object types services record.
ACTIONS = [
    ("unit.create", "units.unit", 6), ("unit.update", "units.unit", 10),
    ("unit.import", "units.unit", 8), ("unit.override_size", "units.unit", 1),
    ("unit.deactivate", "units.unit", 1), ("unit.reactivate", "units.unit", 0.3),
    ("campaign.pledge", "campaigns.pledge", 8), ("campaign.letter_sent", "campaigns.letter", 10),
    ("campaign.record", "campaigns.record", 4), ("campaign.cultivate", "campaigns.plan", 1),
    ("assessment.submit", "assessments.selfassessment", 6),
    ("assessment.return", "assessments.selfassessment", 1),
    ("assessment.score", "assessments.selfassessment", 3),
    ("recognition.apply", "recognition.application", 4),
    ("recognition.assign", "recognition.application", 3),
    ("recognition.review", "recognition.application", 4),
    ("recognition.decide", "recognition.application", 2),
    ("recognition.revoke", "recognition.application", 0.2),
    ("publicity.publish", "publicity.notice", 1),
    ("publicity.objection", "publicity.notice", 0.3),
    ("healthcheck.organise", "healthcheck.check", 1),
    ("healthcheck.report", "healthcheck.check", 2),
    ("survey.open", "surveys.round", 0.5), ("survey.close", "surveys.round", 0.5),
    ("monitoring.flag", "monitoring.alert", 2), ("monitoring.handle", "monitoring.alert", 2),
    ("documents.upload", "documents.document", 5), ("documents.replace", "documents.document", 1),
    ("accounts.grant", "accounts.membership", 0.5), ("accounts.invite", "accounts.invitation", 0.5),
]
# Small before/after pairs in the shape services store (tabs, newlines and backslashes are
# avoided: they are written raw into COPY's text format).
CHANGES = [
    ("\\N", '{"name": "杭州某某科技有限公司", "status": "active"}'),
    ('{"phone": "0571-8800 1234"}', '{"phone": "0571-8800 5678"}'),
    ('{"status": "draft"}', '{"status": "submitted", "updated_at": "2026-05-01T10:00:00"}'),
    ('{"employees": 180}', '{"employees": 260, "size": "medium"}'),
    ('{"score": null}', '{"score": 86, "comment": "材料齐全，现场核查通过"}'),
    ("\\N", '{"title": "2026 年度倡议书", "sent": 1}'),
    ('{"state": "open"}', '{"state": "closed", "reason": "按期关闭"}'),
]


def log(message):
    stamp = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


def percentile(values, p):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary(values):
    return {"n": len(values), "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 95), 1), "max_ms": round(max(values), 1)}


def admin(args, dbname="postgres"):
    return psycopg.connect(f"{args.pg}/{dbname}", autocommit=True)


# --- 1. Database --------------------------------------------------------------------------

def prepare_database(args) -> bool:
    """Create the database (unless kept). True when the table must be filled."""
    with admin(args) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              [args.db]).fetchone() is not None
        if exists and args.keep_table:
            log(f"database {args.db}: kept (--keep-table)")
            return False
        log(f"database {args.db}: drop and create")
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{args.db}\" TEMPLATE template0 ENCODING 'UTF8' "
                     "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    return True


def setup_django(args):
    os.environ["DATABASE_URL"] = f"{args.pg}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexie.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # DEBUG off serves static files from a manifest, as in production: a private one.
    os.environ["STATIC_ROOT"] = str(ROOT / "var" / "bench" / "audit-static")
    import django

    django.setup()


def migrate_and_divisions(fresh: bool):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if fresh:
        from hexie.regions.loader import load_divisions

        log(f"divisions: {load_divisions()}")


# --- 2. Fill ------------------------------------------------------------------------------

def secondary_indexes(conn):
    """(name, create statement, drop statement) of every index but the primary key."""
    rows = conn.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid), c.conname, "
        "       pg_get_constraintdef(c.oid) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname",
        [TABLE]).fetchall()
    out = []
    for name, indexdef, conname, condef in rows:
        if conname:
            out.append((name, f"ALTER TABLE {TABLE} ADD CONSTRAINT {conname} {condef}",
                        f"ALTER TABLE {TABLE} DROP CONSTRAINT {conname}"))
        else:
            out.append((name, indexdef, f"DROP INDEX {name}"))
    return out


def towns_and_counties(conn):
    towns = [r[0] for r in conn.execute(
        "SELECT code FROM regions_division WHERE length(code) = 9 ORDER BY code").fetchall()]
    counties = sorted({t[:6] for t in towns})
    return towns, counties


def generate(args, towns, counties, chunk_rows=500_000):
    """COPY text of the events, chunk by chunk (bytes)."""
    rng = np.random.default_rng(args.seed)
    n_towns, n_counties = len(towns), len(counties)
    county_index = {c: i for i, c in enumerate(counties)}
    town_county = np.array([county_index[t[:6]] for t in towns])
    # Units are spread over the towns; each actor works in one county.
    unit_town = rng.integers(0, n_towns, size=args.units + 1)
    per_county = max(1, args.actors // n_counties)
    actor_names = [f"office{i // n_counties:02d}_{counties[i % n_counties]}"
                   for i in range(per_county * n_counties)]
    weights = np.array([w for _, _, w in ACTIONS], dtype=float)
    weights /= weights.sum()
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=args.days)
    span = args.days * 86400.0
    prev = "0" * 64
    salt = f"bench{args.seed}".encode()
    for first in range(1, args.rows + 1, chunk_rows):
        n = min(chunk_rows, args.rows + 1 - first)
        ids = np.arange(first, first + n)
        secs = (ids - 1) / args.rows * span + rng.uniform(0, 1, size=n)
        units = rng.integers(1, args.units + 1, size=n)
        actions = rng.choice(len(ACTIONS), size=n, p=weights)
        objects = rng.integers(1, 5_000_000, size=n)
        towns_of = unit_town[units]
        actors = town_county[towns_of] + n_counties * rng.integers(0, per_county, size=n)
        changes = rng.integers(0, len(CHANGES), size=n)
        ips = rng.integers(1, 255, size=(n, 2))
        no_region = rng.random(size=n) < 0.01
        lines = []
        append = lines.append
        for k in range(n):
            i = int(ids[k])
            action, otype, _ = ACTIONS[actions[k]]
            if otype == "units.unit":
                oid = str(units[k])
                repr_ = f"单位 {oid}"
            else:
                oid = str(objects[k])
                repr_ = f"{otype.split('.')[1]} #{oid}"
            region = "" if no_region[k] else towns[towns_of[k]]
            at = start + datetime.timedelta(seconds=float(secs[k]))
            before, after = CHANGES[changes[k]]
            h = hashlib.sha256(salt + prev.encode()).hexdigest()
            append(f"{i}\t{at.isoformat()}\t{1000 + actors[k]}\t{actor_names[actors[k]]}\t"
                   f"{action}\t{otype}\t{oid}\t{repr_}\t{region}\t{before}\t{after}\t"
                   f"10.{ips[k, 0]}.{ips[k, 1]}.1\t{prev}\t{h}\n")
            prev = h
        yield "".join(lines).encode()


def fill(args, results):
    with admin(args, args.db) as conn:
        towns, counties = towns_and_counties(conn)
        log(f"{len(towns)} towns in {len(counties)} counties")
        conn.execute(f"TRUNCATE {TABLE}")
        indexes = secondary_indexes(conn)
        for _, _, drop in indexes:
            conn.execute(drop)
        log(f"COPY {args.rows:,} events (indexes dropped: {', '.join(n for n, _, _ in indexes)})")
        started = time.perf_counter()
        cpu0 = time.process_time()
        columns = ("id, at, actor_id, actor_username, action, object_type, object_id, "
                   "object_repr, region_code, before, after, ip, prev_hash, hash")
        with conn.cursor() as cur, cur.copy(f"COPY {TABLE} ({columns}) FROM STDIN") as copy:
            done = 0
            for block in generate(args, towns, counties):
                copy.write(block)
                done += block.count(b"\n")
                if done % 2_000_000 == 0 or done == args.rows:
                    log(f"  {done:,} rows, {time.perf_counter() - started:.0f} s")
        copy_s = time.perf_counter() - started
        results["fill"] = {"rows": args.rows, "copy_s": round(copy_s, 1),
                           "rows_per_s": round(args.rows / copy_s),
                           "generator_cpu_s": round(time.process_time() - cpu0, 1),
                           "indexes": {}}
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), %s)",
                     [args.rows])
        for name, create, _ in indexes:
            t0 = time.perf_counter()
            conn.execute(create)
            results["fill"]["indexes"][name] = round(time.perf_counter() - t0, 1)
            log(f"  index {name}: {results['fill']['indexes'][name]} s")
        t0 = time.perf_counter()
        conn.execute(f"VACUUM ANALYZE {TABLE}")
        conn.execute("ANALYZE")
        results["fill"]["vacuum_analyze_s"] = round(time.perf_counter() - t0, 1)
        results["fill"]["table_size"] = conn.execute(
            f"SELECT pg_size_pretty(pg_table_size('{TABLE}')), "
            f"pg_size_pretty(pg_indexes_size('{TABLE}'))").fetchone()
        log(f"filled in {copy_s:.0f} s; vacuum analyze "
            f"{results['fill']['vacuum_analyze_s']} s; sizes {results['fill']['table_size']}")


# --- 3–5. Measure -------------------------------------------------------------------------

def office(username, role, region):
    from hexie.accounts.models import Membership, User

    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
    if not Membership.objects.filter(user=user, role=role, region_id=region).exists():
        Membership(user=user, role=role, region_id=region).save()
    return user


def pick_filters(args, county):
    """Per scope: units, actors and windows to filter by, drawn from the table itself."""
    from django.db import connection

    rng = random.Random(args.seed)
    like = f"{county}%" if county else "%"
    with connection.cursor() as cur:
        cur.execute(f"SELECT object_id FROM {TABLE} TABLESAMPLE SYSTEM (1) "
                    "WHERE object_type = 'units.unit' AND region_code LIKE %s LIMIT 2000",
                    [like])
        units = [int(r[0]) for r in cur.fetchall()]
        cur.execute(f"SELECT DISTINCT actor_username FROM {TABLE} TABLESAMPLE SYSTEM (1) "
                    "WHERE region_code LIKE %s LIMIT 500", [like])
        actors = [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT min(at), max(at) FROM {TABLE}")
        lo, hi = cur.fetchone()
    rng.shuffle(units)
    rng.shuffle(actors)
    windows = []
    prefixes = ["unit.", "recognition.", "campaign.", "assessment.", "documents."]
    for i in range(args.requests + 3):
        day = lo.date() + datetime.timedelta(days=rng.randrange(max(1, (hi - lo).days - 30)))
        windows.append((prefixes[i % len(prefixes)], day, day + datetime.timedelta(days=30)))
    return units, actors, windows


def urls(kind, filters, n, api=False):
    units, actors, windows = filters
    base = "/api/v1/audit-events/" if api else "/audit/"
    out = []
    for i in range(n):
        if kind == "unit":
            q = f"unit={units[i % len(units)]}"
        elif kind == "actor":
            q = f"actor={actors[i % len(actors)]}"
        else:
            prefix, start, end = windows[i % len(windows)]
            q = f"action={prefix}&date_from={start}&date_to={end}"
        out.append(f"{base}?{q}")
    return out


def time_requests(client, url_list):
    times = []
    for k, url in enumerate(url_list):
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        if k >= 3:
            times.append(elapsed)
    return times


def capture_sql(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return [q["sql"] for q in ctx.captured_queries if TABLE in q["sql"]]


def replay(args, statements_per_url):
    """Each request's audit-table SQL alone on a raw psycopg cursor; ms per request."""
    times = []
    with psycopg.connect(f"{args.pg}/{args.db}", autocommit=True) as conn:
        for k, statements in enumerate(statements_per_url):
            t0 = time.perf_counter()
            for sql in statements:
                conn.execute(sql.replace("%", "%%")).fetchall()
            if k >= 3:
                times.append((time.perf_counter() - t0) * 1000)
    return times


def explain(args, sql):
    with psycopg.connect(f"{args.pg}/{args.db}", autocommit=True) as conn:
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%")).fetchall()
    return [r[0] for r in rows]


def measure(args, results):
    from django.core.paginator import Paginator
    from django.test import Client

    from hexie.accounts.roles import Role
    from hexie.core import audit_selectors

    with psycopg.connect(f"{args.pg}/{args.db}", autocommit=True) as conn:
        county = conn.execute(
            f"SELECT left(region_code, 6) c FROM {TABLE} TABLESAMPLE SYSTEM (1) "
            "WHERE region_code <> '' GROUP BY c ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    users = {"county": office("bench_county", Role.COUNTY_OFFICE, county),
             "province": office("bench_province", Role.PROVINCE_OFFICE, county[:2])}
    results["county"] = county
    n = args.requests + 3
    scenarios = {}
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        filters = pick_filters(args, county if who == "county" else "")
        for kind in ("unit", "actor", "action_time"):
            for api in (False, True):
                key = f"{who} {'api' if api else 'page'} {kind}"
                url_list = urls(kind, filters, n, api=api)
                scenarios[key] = (client, url_list)
    phases = {}
    for phase in args.phases:
        log(f"phase {phase}")
        out = phases.setdefault(phase, {})
        restore = None
        if phase == "exact_count":
            restore = audit_selectors.CappedPaginator
            audit_selectors.CappedPaginator = (
                lambda objects, per_page, cap: Paginator(objects, per_page))
        if phase == "without_index":
            with psycopg.connect(f"{args.pg}/{args.db}", autocommit=True) as conn:
                dropped = [ix for ix in secondary_indexes(conn)
                           if ix[0] not in ("core_auditevent_hash_key",)
                           and "hash" not in ix[0]]
                for _, _, drop in dropped:
                    conn.execute(drop)
                conn.execute(f"ANALYZE {TABLE}")
        try:
            for key, (client, url_list) in scenarios.items():
                if phase != "with_index" and " api " in key:
                    continue  # the API never counts; without indexes: the page is enough
                chosen = url_list if phase == "with_index" else url_list[: args.naive_requests + 3]
                times = time_requests(client, chosen)
                out[key] = summary(times)
                if phase == "with_index":
                    captured = [capture_sql(client, url) for url in chosen]
                    out[key]["queries_on_audit_table"] = len(captured[0])
                    out[key]["anchor"] = summary(replay(args, captured))
                    out[key]["explain"] = [explain(args, sql) for sql in captured[3]]
                    out[key]["sql"] = captured[3]
                log(f"  {key}: p50 {out[key]['p50_ms']} ms, p95 {out[key]['p95_ms']} ms"
                    + (f" (anchor p50 {out[key]['anchor']['p50_ms']} / p95 "
                       f"{out[key]['anchor']['p95_ms']} ms)" if "anchor" in out[key] else ""))
        finally:
            if restore is not None:
                audit_selectors.CappedPaginator = restore
            if phase == "without_index":
                with psycopg.connect(f"{args.pg}/{args.db}", autocommit=True) as conn:
                    for name, create, _ in dropped:
                        t0 = time.perf_counter()
                        conn.execute(create)
                        out.setdefault("_rebuild_s", {})[name] = round(
                            time.perf_counter() - t0, 1)
                    conn.execute(f"ANALYZE {TABLE}")
    results["phases"] = phases


def machine(args):
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh
                    if line.startswith("model name")), "unknown")
    with admin(args) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        pg = dict(conn.execute(
            "SELECT name, setting || coalesce(' ' || unit, '') FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'effective_cache_size', 'jit', 'autovacuum')"
        ).fetchall())
    return {"cpu": cpu, "cores": os.cpu_count(), "postgresql": version, "pg_settings": pg,
            "python": platform.python_version(),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load": [round(x, 2) for x in os.getloadavg()]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--actors", type=int, default=3000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--naive-requests", type=int, default=10)
    parser.add_argument("--phases", default="with_index,exact_count,without_index")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default=os.environ.get(
        "BENCH_PG", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--db", default="hexie_bench_audit")
    parser.add_argument("--keep-table", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.db.startswith("hexie_bench"):
        parser.error("--db must start with hexie_bench")
    args.phases = [p for p in args.phases.split(",") if p]
    results = {"machine": machine(args), "args": {k: str(v) for k, v in vars(args).items()}}
    fresh = prepare_database(args)
    setup_django(args)
    migrate_and_divisions(fresh)
    if fresh:
        fill(args, results)
    else:
        with admin(args, args.db) as conn:
            have = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        if have < args.rows:
            log(f"table holds {have:,} rows, fewer than {args.rows:,}: refilling")
            fill(args, results)
        else:
            with admin(args, args.db) as conn:
                conn.execute(f"ANALYZE {TABLE}")  # a migration may have changed statistics
    measure(args, results)
    results["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
        log(f"results in {args.json}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
