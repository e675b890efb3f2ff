"""The Django side of benchmarks/workflow_bench.py: one subcommand per step, each run as its
own process with DATABASE_URL (and REDIS_URL where a job is queued) in its environment.

    python benchmarks/workflow_steps.py setup --region 330106 --json OUT
    python benchmarks/workflow_steps.py send --campaign C [--town T]
    python benchmarks/workflow_steps.py naive-delivery --campaign C --sample K --json OUT
    python benchmarks/workflow_steps.py load-loop --base URL --cookie K=V --urls-file F --stop F
    python benchmarks/workflow_steps.py dashboard-data --campaign C --json OUT
    python benchmarks/workflow_steps.py dashboard-bench --campaign C --requests N --json OUT

Timing helpers (percentile, summary) and the benchmark users come from benchmarks/list_bench.py,
which sets Django up on import.
"""

import argparse
import datetime
import http.client
import json
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from list_bench import sql, summary, user_with
from run import cpu_seconds
from workflow_naive import naive_dashboard_counts, same_numbers

from hexie.accounts.roles import Role
from hexie.assessments.models import SelfAssessment
from hexie.campaigns import services
from hexie.campaigns.models import (
    CampaignYear,
    CongressKind,
    CongressPurpose,
    CongressRecord,
    CultivationPlanEntry,
    InitiativeLetter,
    LetterDelivery,
    Pledge,
)
from hexie.core import audit
from hexie.recognition.models import Application, Recognition
from hexie.site import dashboard
from hexie.standards.models import StandardLibrary
from hexie.units.models import Unit

OFFICE, TOWN_OFFICE = "wf_county", "wf_town"
BODY = "为深入推进高质量和谐劳动关系创建活动，现向辖区内各单位发出倡议。"

# The dashboard's data mix (shares of the units, then of the groups before them). Invented for
# the benchmark: the seed gives no figures. Cultivation classes follow campaign-policy-v1.yaml.
CLASS_MIX = (("key", 0.10), ("regular", 0.55), ("foundation", 0.25), (None, 0.10))
ASSESSED_SHARE = 0.10          # units with a self-assessment this year
DRAFT_ONLY_SHARE = 0.35        # of those: a draft only
SECOND_SUBMISSION_SHARE = 0.25  # of those that submitted: submitted twice
NEW_DRAFT_SHARE = 0.15         # of those that submitted: a new draft open again
MEETS_SHARE = 0.60             # latest submission meets the standard
APPLY_SHARE = 0.70             # of those meeting: applied
APP_MIX = (("submitted", 0.20), ("in_review", 0.30), ("passed", 0.35), ("failed", 0.10),
           ("appealed", 0.05))
REC_MIX = (("pending", 0.20), ("on_notice", 0.25), ("confirmed", 0.15), ("removed", 0.05),
           ("published", 0.35))
READ_SHARE_PER_20 = 7          # units with id % 20 < 7 signed the first full letter (35 %)


def office(region):
    return user_with(OFFICE, Role.COUNTY_OFFICE, region)


def write(path, data):
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))


# --- setup and delivery --------------------------------------------------------------------

def cmd_setup(args):
    user = office(args.region)
    year = timezone.localdate().year
    campaign = (CampaignYear.objects.filter(region_id=args.region, year=year).first()
                or services.open_campaign(user, args.region, year))
    client = Client()
    client.force_login(user)
    towns = sql("SELECT left(region_id, 9), count(*) FROM units_unit WHERE region_id LIKE %s "
                "AND length(region_id) = 9 GROUP BY 1 ORDER BY 2 DESC", [args.region + "%"])
    write(args.json, {
        "campaign": campaign.pk, "year": year, "office": user.pk,
        "cookie": f"{settings.SESSION_COOKIE_NAME}="
                  f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "units": Unit.objects.filter(region__code__startswith=args.region).count(),
        "towns": len(towns), "largest_town": towns[0][0], "largest_town_units": towns[0][1],
    })


def cmd_send(args):
    """Send a letter as the county office; the job is queued on commit (REDIS_URL set)."""
    campaign = CampaignYear.objects.get(pk=args.campaign)
    letter = services.send_initiative(office(campaign.region_id), campaign,
                                      title=args.title, body=BODY, town=args.town)
    print(json.dumps({"letter": letter.pk, "target": letter.target_count}), flush=True)


def cmd_naive_delivery(args):
    """The naive delivery: per unit one ``LetterDelivery.objects.create``, one audit event and
    one progress update, each unit in its own transaction, on the first ``sample`` units."""
    campaign = CampaignYear.objects.get(pk=args.campaign)
    user = office(campaign.region_id)
    letter = InitiativeLetter.objects.create(
        campaign=campaign, title="倡议书（逐个送达）", body=BODY, sent_by=user,
        sent_at=timezone.now(), target_count=args.sample, status=InitiativeLetter.Status.SENDING)
    units = list(Unit.objects.filter(region__code__startswith=campaign.region_id)
                 .order_by("pk")[:args.sample])
    started = time.perf_counter()
    for unit in units:
        with transaction.atomic():
            delivery = LetterDelivery.objects.create(letter=letter, unit=unit,
                                                     delivered_at=timezone.now())
            audit.record(None, "campaigns.letter_delivered", delivery,
                         after=audit.snapshot(delivery), region_code=unit.region_id)
            InitiativeLetter.objects.filter(pk=letter.pk).update(
                delivered_count=F("delivered_count") + 1)
    seconds = time.perf_counter() - started
    InitiativeLetter.objects.filter(pk=letter.pk).update(status=InitiativeLetter.Status.SENT,
                                                        finished_at=timezone.now())
    write(args.json, {"letter": letter.pk, "units": len(units), "seconds": seconds,
                      "per_unit_ms": seconds * 1000 / len(units)})


def cmd_load_loop(args):
    """Request the pages in turn until the stop file appears (at least ``min_requests``);
    every request timed whole (connect once, keep-alive). A pause between requests, as a few
    polling browsers."""
    urls_file = Path(args.urls_file)
    while not urls_file.exists():  # started before the letter is sent; its URLs come after
        time.sleep(0.01)
    urls = urls_file.read_text().split()
    base = urlsplit(args.base)
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    headers = {"Cookie": args.cookie, "Host": base.netloc}
    for url in urls * args.warmup:  # untimed: every gunicorn worker loads its templates
        conn.request("GET", url, headers=headers)
        conn.getresponse().read()
    times = {url: [] for url in urls}
    errors = 0
    stop = Path(args.stop)
    i = 0
    started = time.perf_counter()
    while (i < args.min_requests or not stop.exists()) \
            and time.perf_counter() - started < args.max_seconds:
        url = urls[i % len(urls)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
            status = 0
        ms = (time.perf_counter() - t0) * 1000
        if status == 200:
            times[url].append(ms)
        else:
            errors += 1
        time.sleep(args.pause)
    every = [ms for values in times.values() for ms in values]
    write(args.json, {"all": summary(every), "errors": errors, "urls": urls,
                      "seconds": time.perf_counter() - started,
                      "by_url": {url: summary(values) for url, values in times.items()}})


# --- the dashboard's data --------------------------------------------------------------------

def pick(rng, mix):
    roll, acc = rng.random(), 0.0
    for value, share in mix:
        acc += share
        if roll < acc:
            return value
    return mix[-1][0]


def congress_rows(units, purpose, user, day):
    return CongressRecord.objects.bulk_create([
        CongressRecord(unit_id=u, purpose=purpose,
                       kind=CongressKind.WORKERS_REPRESENTATIVE_CONGRESS, held_on=day,
                       attendance_present=30, attendance_total=40, resolution="同意。",
                       minutes=f"congress/bench/{u}-{purpose}.pdf", minutes_name="minutes.pdf",
                       recorded_by=user) for u in units], batch_size=5000)


def cmd_dashboard_data(args):
    """Every unit of the county pledges (bulk), with a cultivation mix, self-assessments,
    applications and recognitions in various states; 35 % signed the first full letter."""
    rng = random.Random(args.seed)
    campaign = CampaignYear.objects.get(pk=args.campaign)
    user = office(campaign.region_id)
    year, day = campaign.year, datetime.date(campaign.year, 1, 15)
    started = time.perf_counter()
    units = list(Unit.objects.filter(region__code__startswith=campaign.region_id)
                 .exclude(pledges__year=year).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        records = congress_rows(units, CongressPurpose.PLEDGE, user, day)
        pledges = Pledge.objects.bulk_create([
            Pledge(unit_id=u, campaign=campaign, year=year, pledged_on=day, congress=c,
                   pledged_by=user) for u, c in zip(units, records, strict=True)],
            batch_size=5000)
        entries = []
        for p in pledges:
            klass = pick(rng, CLASS_MIX)
            if klass:
                entries.append(CultivationPlanEntry(
                    pledge=p, cultivation_class=klass, target_year=year + rng.randint(0, 3),
                    policy_version="1", assigned_by=user))
        CultivationPlanEntry.objects.bulk_create(entries, batch_size=5000)
        standard, _ = StandardLibrary.objects.get_or_create(
            library_id="bench-workflow", version=1, defaults={
                "title": "基准测试用标准库", "issuer": "benchmarks", "effective": day,
                "source": "benchmarks/workflow_steps.py", "content": {}, "sha256": "0" * 64})
        assessments, latest = [], []
        for p in pledges:
            if rng.random() >= ASSESSED_SHARE:
                continue

            def sa(state, seq=None, meets=None, p=p):
                row = SelfAssessment(unit_id=p.unit_id, pledge=p, year=year, standard=standard,
                                     state=state, sequence=seq, meets=meets,
                                     evidence_complete=meets, created_by=user)
                assessments.append(row)
                return row

            if rng.random() < DRAFT_ONLY_SHARE:
                sa("draft")
                continue
            meets = rng.random() < MEETS_SHARE
            if rng.random() < SECOND_SUBMISSION_SHARE:
                sa("submitted", 1, False)
                last = sa("submitted", 2, meets)
            else:
                last = sa("submitted", 1, meets)
            if rng.random() < NEW_DRAFT_SHARE:
                sa("draft")
            if meets:
                latest.append(last)
        SelfAssessment.objects.bulk_create(assessments, batch_size=5000)
        applying = [sa for sa in latest if rng.random() < APPLY_SHARE]
        app_records = congress_rows([sa.unit_id for sa in applying],
                                    CongressPurpose.APPLICATION, user, day)
        apps = Application.objects.bulk_create([
            Application(unit_id=sa.unit_id, pledge=sa.pledge, year=year, self_assessment=sa,
                        congress=c, state=pick(rng, APP_MIX), submitted_by=user)
            for sa, c in zip(applying, app_records, strict=True)], batch_size=5000)
        recs = Recognition.objects.bulk_create([
            Recognition(unit_id=a.unit_id, year=year, application=a,
                        region_id=campaign.region_id, state=pick(rng, REC_MIX),
                        recognised_on=day)
            for a in apps if a.state == Application.State.PASSED], batch_size=5000)
        first = (InitiativeLetter.objects.filter(campaign=campaign, filters__town="")
                 .order_by("pk").first())
        read = 0
        if first is not None:
            read = (LetterDelivery.objects.filter(letter=first)
                    .alias(slot=F("unit_id") % 20).filter(slot__lt=READ_SHARE_PER_20)
                    .update(read_at=timezone.now()))
    write(args.json, {"pledges": len(pledges), "cultivation_entries": len(entries),
                      "self_assessments": len(assessments), "applications": len(apps),
                      "recognitions": len(recs), "letters_read": read,
                      "seconds": time.perf_counter() - started})


# --- the dashboard page ----------------------------------------------------------------------

class Swap:
    """Within ``with``: the page computes its counts the naive way (this process only)."""

    def __enter__(self):
        self.saved = dashboard.dashboard_counts
        dashboard.dashboard_counts = naive_dashboard_counts

    def __exit__(self, *exc):
        dashboard.dashboard_counts = self.saved


def time_page(client, url, requests, warmup):
    """Each request timed whole; also the CPU time this process and its PostgreSQL backend
    spent per request (load-independent; the CPU of parallel query workers is not in it)."""
    for _ in range(warmup):
        assert client.get(url).status_code == 200
    backend = sql("SELECT pg_backend_pid()")[0][0]
    times = []
    cpu_python, cpu_backend = time.process_time(), cpu_seconds(backend)
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    cpu_python = (time.process_time() - cpu_python) * 1000 / requests
    cpu_backend = (cpu_seconds(backend) - cpu_backend) * 1000 / requests
    with CaptureQueriesContext(connection) as ctx:  # one more, untimed, to count queries
        client.get(url)
    return {"request_ms": summary(times), "queries": len(ctx.captured_queries),
            "bytes": len(response.content), "cpu_python_ms": cpu_python,
            "cpu_backend_ms": cpu_backend}


def outer_table(text):
    """The table after the outermost FROM of a SELECT (not one inside a subquery)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and text.startswith(" FROM ", i):
            return text[i + 6:].split()[0].strip('"')
    return "?"


def explain_dashboard(user, campaign):
    """EXPLAIN ANALYZE of every query of one dashboard_counts call."""
    with CaptureQueriesContext(connection) as ctx:
        dashboard.dashboard_counts(user, campaign)
    plans = []
    for q in ctx.captured_queries:
        rows = sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + q["sql"])
        plan = rows[0][0][0] if isinstance(rows[0][0], list) else json.loads(rows[0][0])[0]
        nodes, stack = [], [plan["Plan"]]
        while stack:
            node = stack.pop(0)
            nodes.append(node["Node Type"] + (f" ({node['Index Name']})"
                                              if node.get("Index Name") else ""))
            stack.extend(node.get("Plans", ()))
        table = outer_table(q["sql"])
        plans.append({"table": table, "execution_ms": plan["Execution Time"],
                      "nodes": nodes, "sql": q["sql"][:4000]})
    return plans


def cmd_dashboard_bench(args):
    campaign = CampaignYear.objects.get(pk=args.campaign)
    county = office(campaign.region_id)
    town = user_with(TOWN_OFFICE, Role.TOWN_OFFICE, args.town)
    url = f"/campaigns/{campaign.pk}/dashboard/"
    out = {"url": url, "scenarios": []}
    for name, user in (("county office", county), ("town office (largest town)", town)):
        client = Client()
        client.force_login(user)
        fast = time_page(client, url, args.requests, args.warmup)
        with Swap():
            naive = time_page(client, url, args.naive_requests, 1)
        # The selector alone, to split the page's time into counting and the rest.
        selector = []
        for _ in range(args.requests):
            fresh = type(user).objects.get(pk=user.pk)
            t0 = time.perf_counter()
            board = dashboard.dashboard_counts(fresh, campaign)
            selector.append((time.perf_counter() - t0) * 1000)
        equal = same_numbers(board, naive_dashboard_counts(fresh, campaign))
        out["scenarios"].append({
            "scenario": name, "fast": fast, "naive": naive, "selector_ms": summary(selector),
            "same_numbers": equal, "units": board.totals.counts["units"],
            "towns": len(board.by_town), "totals": dict(board.totals.counts),
            "plans": explain_dashboard(fresh, campaign) if name == "county office" else []})
        if not equal:
            raise SystemExit(f"{name}: the naive way counts differently")
    write(args.json, out)


def main(argv=None):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--region", required=True)
    p.add_argument("--json", required=True)
    p = sub.add_parser("send")
    p.add_argument("--campaign", type=int, required=True)
    p.add_argument("--title", default="和谐劳动关系创建活动倡议书")
    p.add_argument("--town", default="")
    p = sub.add_parser("naive-delivery")
    p.add_argument("--campaign", type=int, required=True)
    p.add_argument("--sample", type=int, required=True)
    p.add_argument("--json", required=True)
    p = sub.add_parser("load-loop")
    p.add_argument("--base", required=True)
    p.add_argument("--cookie", required=True)
    p.add_argument("--urls-file", required=True, help="waits for it; one URL a line")
    p.add_argument("--min-requests", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3, help="untimed rounds of the URLs")
    p.add_argument("--stop", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--pause", type=float, default=0.1)
    p.add_argument("--max-seconds", type=float, default=600)
    p = sub.add_parser("dashboard-data")
    p.add_argument("--campaign", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", required=True)
    p = sub.add_parser("dashboard-bench")
    p.add_argument("--campaign", type=int, required=True)
    p.add_argument("--town", required=True)
    p.add_argument("--requests", type=int, default=100)
    p.add_argument("--naive-requests", type=int, default=3)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--json", required=True)
    args = parser.parse_args(argv)
    {"setup": cmd_setup, "send": cmd_send, "naive-delivery": cmd_naive_delivery,
     "load-loop": cmd_load_loop, "dashboard-data": cmd_dashboard_data,
     "dashboard-bench": cmd_dashboard_bench}[args.cmd](args)


if __name__ == "__main__":
    main()
