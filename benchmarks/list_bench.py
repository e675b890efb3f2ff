"""List page benchmark: the real ``/units/`` page through Django's test Client, as a county
office and as the province office, with region + kind + name-substring filters.

    DATABASE_URL=... DEBUG=false python benchmarks/list_bench.py --requests 200 --json OUT

Phase ``before`` runs every scenario with the page as it was before docs/decisions.md D17 (the
plain Paginator's exact COUNT, ``ORDER BY id DESC`` for every page, icontains on the name alone:
the functions are swapped in this process only; since D19 no index serves that icontains);
phase ``with_index`` runs them with the code as it is (capped count, the stored search columns
and the bigram-key GIN index of migration 0007, D19); phase ``without_index`` drops
``unit_name_bigrams_idx``, runs the very same URLs again, and recreates it (its build time is
reported too). Every request is timed whole (middleware, session,
both queries, template), and the time spent in SQL is split into the paginator's COUNT and the
page's SELECT with ``connection.execute_wrapper``. One representative request per scenario is
re-run under ``EXPLAIN (ANALYZE, BUFFERS)``.
"""

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexie.settings")
# The test Client talks to "testserver"; this is not the test runner, so allow it here.
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from hexie.accounts.models import Membership, User  # noqa: E402

SUFFIX = "有限公司"
NAME_INDEXES = {
    "unit_name_bigrams_idx": "CREATE INDEX unit_name_bigrams_idx ON units_unit "
                             "USING gin (name_bigrams)",
}


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary(values):
    if not values:
        return None
    return {"n": len(values), "p50": statistics.median(values), "p95": percentile(values, 95),
            "max": max(values), "mean": statistics.fmean(values)}


def sql(query, params=None):
    """Run one statement; without params the text is sent as is (captured SQL holds %)."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else None


def user_with(username, role, region):
    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
    if not Membership.objects.filter(user=user, role=role, region_id=region).exists():
        Membership(user=user, role=role, region_id=region).save()
    return user


def substrings(prefix, length, count, rng):
    """Substrings of real enterprise names under ``prefix``, taken from the distinctive part
    (the name without the trailing 有限公司)."""
    names = [n for (n,) in sql(
        "SELECT name FROM units_unit WHERE kind = 'enterprise' AND region_id LIKE %s "
        "ORDER BY id LIMIT 20000", [prefix + "%"])]
    picked = []
    for _ in range(count):
        name = rng.choice(names)
        core = name[:-len(SUFFIX)] if name.endswith(SUFFIX) and len(name) > len(SUFFIX) else name
        if len(core) < length:
            core = name
        start = rng.randrange(0, len(core) - length + 1)
        picked.append(core[start:start + length])
    return picked


class SqlTimer:
    """Sums the time of COUNT queries and other queries on units_unit during one request."""

    def __init__(self):
        self.count_ms = self.list_ms = self.other_ms = 0.0

    def __call__(self, execute, sql_text, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            if '"units_unit"' in sql_text and "COUNT(*)" in sql_text:
                self.count_ms += ms
            elif '"units_unit"' in sql_text:
                self.list_ms += ms
            else:
                self.other_ms += ms


COUNT_RE = re.compile(r'data-testid="result-count">\D*([\d,]+)(\+?)')


class OldPage:
    """Within ``with``: the list page as before D17 (exact COUNT, ORDER BY id DESC, the name
    test icontains alone), by swapping two module functions in this process."""

    def __enter__(self):
        from django.core.paginator import Paginator
        from django.db.models import Q

        from hexie.units import filters, selectors

        def unit_page(user, query, number, per_page):
            return Paginator(selectors.units_for(user, query), per_page).get_page(number)

        def search_conditions(text, codes, using="default"):
            return [Q(name__icontains=text) | codes]

        self.saved = [(selectors, "unit_page", selectors.unit_page),
                      (filters, "search_conditions", filters.search_conditions)]
        selectors.unit_page = unit_page
        filters.search_conditions = search_conditions
        return self

    def __exit__(self, *exc):
        for module, name, value in self.saved:
            setattr(module, name, value)


def build_scenarios(requests, rng, county, cities):
    """[(name, user key, [url, ...])]: the same URLs serve both phases."""
    out = []
    for length in (1, 2, 3, 4):
        subs = substrings(county, length, requests, rng)
        out.append((f"county office, kind + q ({length} chars)", "county",
                    [f"/units/?{urlencode({'kind': 'enterprise', 'q': s})}" for s in subs]))
    out.append(("county office, kind only (no q)", "county",
                ["/units/?kind=enterprise"] * requests))
    for length in (1, 2, 3, 4):
        urls = []
        per_city = {c: iter(substrings(c, length, requests, rng)) for c in cities}
        for _ in range(requests):
            city = rng.choice(cities)
            urls.append("/units/?" + urlencode(
                {"r1": city, "kind": "enterprise", "q": next(per_city[city])}))
        out.append((f"province office, r1=city + kind + q ({length} chars)", "province", urls))
    out.append(("province office, r1=city + kind (no q)", "province",
                [f"/units/?{urlencode({'r1': rng.choice(cities), 'kind': 'enterprise'})}"
                 for _ in range(requests)]))
    for length in (1, 2, 3):
        subs = substrings("33", length, requests, rng)
        out.append((f"province office, whole province, kind + q ({length} chars)", "province",
                    [f"/units/?{urlencode({'kind': 'enterprise', 'q': s})}" for s in subs]))
    out.append(("province office, whole province, kind only (no q)", "province",
                ["/units/?kind=enterprise"] * requests))
    return out


def explain(client, url):
    """EXPLAIN ANALYZE of the units_unit queries one request runs: plan nodes and times."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    plans = []
    for q in ctx.captured_queries:
        text = q["sql"]
        if '"units_unit"' not in text or not text.lstrip().upper().startswith("SELECT"):
            continue
        rows = sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + text)
        plan = rows[0][0][0] if isinstance(rows[0][0], list) else json.loads(rows[0][0])[0]
        nodes, indexes = [], []
        stack = [plan["Plan"]]
        while stack:
            node = stack.pop(0)
            nodes.append(node["Node Type"])
            if node.get("Index Name"):
                indexes.append(node["Index Name"])
            stack.extend(node.get("Plans", ()))
        text_plan = "\n".join(r[0] for r in sql("EXPLAIN (ANALYZE, COSTS OFF) " + text))
        plans.append({"kind": "count" if "COUNT(*)" in text else "page",
                      "execution_ms": plan["Execution Time"], "nodes": nodes,
                      "indexes": indexes, "text": text_plan})
    return plans


def run_phase(label, scenarios, clients, warmup):
    results = []
    for name, who, urls in scenarios:
        client = clients[who]
        for url in urls[:warmup]:
            client.get(url)  # warm the caches; not counted
        total, count_ms, list_ms, matches, capped = [], [], [], [], 0
        for url in urls:
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            m = COUNT_RE.search(response.content.decode())
            matches.append(int(m.group(1).replace(",", "")) if m else -1)
            capped += bool(m and m.group(2))
            total.append(elapsed)
            count_ms.append(timer.count_ms)
            list_ms.append(timer.list_ms)
        plans = explain(client, urls[0])
        results.append({
            "scenario": name, "phase": label, "example_url": urls[0],
            "request_ms": summary(total), "count_ms": summary(count_ms),
            "page_query_ms": summary(list_ms),
            "matches": {"min": min(matches), "median": statistics.median(matches),
                        "max": max(matches), "capped": capped},
            "plans": plans,
        })
        s = results[-1]["request_ms"]
        print(f"[{label}] {name}: p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms "
              f"(COUNT p95 {results[-1]['count_ms']['p95']:.1f} ms, "
              f"matches median {results[-1]['matches']['median']})", flush=True)
    return results


def count_alternatives(users, rng, cities, repeats=20):
    """What the paginator's exact COUNT costs on the big result sets, against two bounded
    alternatives (not used by the page; a proposal): COUNT over at most 10,001 rows, and the
    planner's estimate (EXPLAIN, no execution)."""
    from django.http import QueryDict

    from hexie.units.selectors import units_for

    cases = [("province office, whole province, kind only", "province", "kind=enterprise"),
             ("province office, r1=city, kind only", "province",
              f"r1={cities[0]}&kind=enterprise"),
             ("county office, kind only", "county", "kind=enterprise")]
    two = substrings("33", 2, 1, rng)[0]
    cases.append(("province office, whole province, kind + q (2 chars)", "province",
                  urlencode({"kind": "enterprise", "q": two})))
    out = []
    for name, who, query in cases:
        qs = units_for(users[who], QueryDict(query)).order_by()
        timings = {"exact": [], "capped_10001": [], "estimate": []}
        values = {}
        for _ in range(repeats):
            for key, fn in (("exact", qs.count),
                            ("capped_10001", lambda qs=qs: qs[:10001].count()),
                            ("estimate", lambda qs=qs: json.loads(qs.explain(format="json"))[0]
                             ["Plan"]["Plan Rows"])):
                started = time.perf_counter()
                values[key] = fn()
                timings[key].append((time.perf_counter() - started) * 1000)
        out.append({"case": name, "query": query, "values": values,
                    "ms": {k: summary(v) for k, v in timings.items()}})
        print(f"[count] {name}: " + ", ".join(
            f"{k} {values[k]} in p50 {summary(v)['p50']:.1f} ms" for k, v in timings.items()),
            flush=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--count-repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--phases", default="before,with_index,without_index")
    parser.add_argument("--json", required=True)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        raise SystemExit("list_bench needs PostgreSQL (DATABASE_URL)")
    assert not settings.DEBUG, "run with DEBUG off"
    rng = random.Random(args.seed)

    # The county with the most enterprises (the heaviest county office) and every city.
    county = sql("SELECT substr(region_id, 1, 6) c FROM units_unit WHERE kind = 'enterprise' "
                 "GROUP BY c ORDER BY count(*) DESC, c LIMIT 1")[0][0]
    cities = [c for (c,) in sql("SELECT code FROM regions_division WHERE level = 'city' "
                                "ORDER BY code")]
    clients, users = {}, {}
    for key, role, region in (("county", "county_office", county),
                              ("province", "province_office", "33")):
        client = Client()
        users[key] = user_with(f"bench-{key}", role, region)
        client.force_login(users[key])
        clients[key] = client
    scenarios = build_scenarios(args.requests, rng, county, cities)
    out = {"county": county, "requests": args.requests, "warmup": args.warmup,
           "count_cap": settings.UNIT_LIST_COUNT_CAP,
           "units": sql("SELECT count(*) FROM units_unit")[0][0],
           "enterprises": sql("SELECT count(*) FROM units_unit WHERE kind = 'enterprise'")[0][0],
           "county_enterprises": sql("SELECT count(*) FROM units_unit WHERE kind = 'enterprise' "
                                     "AND region_id LIKE %s", [county + "%"])[0][0],
           "show_trgm": sql("SELECT show_trgm('杭州西湖科技')::text")[0][0],
           "phases": {}}
    out["count_alternatives"] = count_alternatives(users, rng, cities, args.count_repeats)
    for phase in args.phases.split(","):
        if phase == "before":
            with OldPage():
                out["phases"][phase] = run_phase(phase, scenarios, clients, args.warmup)
        elif phase == "with_index":
            out["phases"][phase] = run_phase(phase, scenarios, clients, args.warmup)
        elif phase == "without_index":
            for name in NAME_INDEXES:
                sql(f"DROP INDEX IF EXISTS {name}")
            try:
                out["phases"][phase] = run_phase(phase, scenarios, clients, args.warmup)
            finally:
                out["index_build_seconds"] = {}
                for name, create in NAME_INDEXES.items():
                    started = time.perf_counter()
                    sql(create)
                    out["index_build_seconds"][name] = time.perf_counter() - started
                    print(f"recreated {name} in {out['index_build_seconds'][name]:.1f} s",
                          flush=True)
        else:
            raise SystemExit(f"unknown phase {phase}")
    out["index_size"] = {name: sql("SELECT pg_size_pretty(pg_relation_size(%s))", [name])[0][0]
                         for name in NAME_INDEXES}
    with open(args.json, "w") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
