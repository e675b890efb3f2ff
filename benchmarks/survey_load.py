"""Survey answers over HTTP and the round result, one command, on PostgreSQL (issue 5's speed
targets: ≥ 300 answers/s with none lost or doubled; the result of a 10,000-answer round in
≤ 100 ms). Figures go to the surveys section of docs/benchmarks.md.

    .venv/bin/python benchmarks/survey_load.py [--answers 10000] [--runs 3] [--quick]

1. Drops and creates the PostgreSQL database ``hexie_bench_sv`` (``--db``; the name must start
   with ``hexie_bench_sv``) with benchmarks/run.py's helpers: migrate, collectstatic, divisions,
   the standard libraries; one medium enterprise of 20,000 workers and its unit admin.
2. Writes a settings module under var/bench/ that imports hexie.settings and raises
   HEXIE_SURVEY_RATE_LIMIT (flood control would otherwise refuse the load generator's one
   address after 60 answers: it is a per-address limit, D25); nothing else changes.
3. Worker trial: gunicorn on 127.0.0.1:PORT with each ``--configs`` entry (sync workers, or
   gthread workers × threads), a short run each; the fastest is used for the measured runs.
4. ``--runs`` times: a fresh round with ``--answers`` links (opened through the service, as
   the unit admin), then the load generator — ``--clients`` threads, each a keep-alive
   http.client connection to the loopback address (reconnecting when the server closes),
   taking tokens from one queue, stopping when the queue is empty or ``--timeout`` passes —
   POSTs one JSON answer per token to /s/api/answers/. Checks: accepted responses ==
   answer rows of the round == used links == N, then a second pass with the same tokens must be
   refused (409) every time and leave the counts unchanged.
5. The naive way in the same run: the same endpoint on Django's development server
   (``manage.py runserver --noreload``: one process, a thread per connection, HTTP/1.0-style
   close after every response) with the same load generator, on ``--naive-answers`` tokens.
6. The result of the first 10,000-answer round: selectors.compute_result (one aggregate query)
   ``--repeats`` times, median, against a Python loop over the rows computing the same numbers
   (asserted equal).
"""

import argparse
import http.client
import json
import os
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # benchmarks/run.py: database and child-process helpers

ROOT = bench.ROOT
DOC = bench.DOC
SECTION = "## Surveys: answers over HTTP and the round result (issue 5)"
BEGIN, END = "<!-- surveys:begin -->", "<!-- surveys:end -->"
SETTINGS_MODULE = "survey_bench_settings"


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--db", default="hexie_bench_sv")
    p.add_argument("--port", type=int, default=8107)
    p.add_argument("--answers", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--configs", default="sync:4,sync:3,gthread:2x4",
                   help="gunicorn worker setups to try: sync:W or gthread:WxT")
    p.add_argument("--trial-answers", type=int, default=2_000)
    p.add_argument("--naive-answers", type=int, default=2_000)
    p.add_argument("--repeats", type=int, default=21)
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per firing pass")
    p.add_argument("--quick", action="store_true", help="1,000 answers, 1 run, smoke test")
    p.add_argument("--output", type=Path, default=None)
    args = p.parse_args(argv)
    if not args.db.startswith("hexie_bench_sv"):
        p.error("--db must start with hexie_bench_sv")
    if args.quick:
        args.answers, args.runs, args.trial_answers, args.naive_answers = 1000, 1, 300, 300
        args.repeats = 5
        args.output = args.output or ROOT / "var" / "bench" / "surveys-quick.md"
    args.output = args.output or DOC
    args.work = ROOT / "var" / "bench" / "surveys"
    args.work.mkdir(parents=True, exist_ok=True)
    args.keep_table, args.lc_ctype = False, "C.UTF-8"
    return args


def env(args):
    e = bench.child_env(args)
    e["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    e["PYTHONPATH"] = os.pathsep.join([str(args.work), e.get("PYTHONPATH", "")]).strip(os.pathsep)
    return e


def write_settings(args):
    (args.work / f"{SETTINGS_MODULE}.py").write_text(
        '"""Benchmark settings: hexie.settings with the per-address flood limit raised (the load '
        'generator is one address)."""\n'
        "from hexie.settings import *  # noqa: F403\n\n"
        "HEXIE_SURVEY_RATE_LIMIT = 1_000_000_000\n")


def snippet(args, code, label):
    bench.log(label)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code], env=env(args),
        cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{label} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


SETUP = """
import io
from django.core.management import call_command
from hexie.accounts.models import Membership, User
from hexie.accounts.roles import Role
from hexie.units.models import Unit
call_command("standards", "load", stdout=io.StringIO())
unit = Unit.objects.create(kind="enterprise", name="压测满意度科技有限公司", region_id="330106002",
                           employees=20000, size="medium", size_derived="medium")
user = User.objects.create(username="bench-surveys")
Membership.objects.create(user=user, role=Role.UNIT_ADMIN, unit=unit)
print(unit.pk, user.pk)
"""

OPEN = """
import json, sys
from hexie.accounts.models import User
from hexie.surveys import services
from hexie.units.models import Unit
from django.utils import timezone
opened = services.open_round(User.objects.get(username="bench-surveys"),
                             Unit.objects.get(name="压测满意度科技有限公司"), links={n},
                             valid_days=14, year=timezone.localdate().year)
with open({path!r}, "w") as fh:
    json.dump({{"round": opened.round.pk, "tokens": opened.tokens,
               "codes": [c for c, _ in opened.round.dimensions]}}, fh)
print(opened.round.pk)
"""

RESULT = """
import json, time
from hexie.surveys import policy, selectors
from hexie.surveys.models import SurveyAnswer, SurveyRound
rnd = SurveyRound.objects.get(pk={round})

def naive():
    # every row into Python, the digits read one by one
    satisfied_levels = policy.current().satisfied_levels
    k = len(rnd.dimensions)
    per_dimension = [0] * k
    n = y = y2 = 0
    for answer in SurveyAnswer.objects.filter(round=rnd):
        n += 1
        s = 0
        for i, digit in enumerate(answer.levels):
            if int(digit) in satisfied_levels:
                per_dimension[i] += 1
                s += 1
        y += s
        y2 += s * s
    return selectors.result_from_counts(rnd, n, per_dimension, y, y2)

def timed(fn, repeats):
    out, times = None, []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return out, times

cold_t = time.perf_counter()
selectors.compute_result(rnd)
cold = (time.perf_counter() - cold_t) * 1000
fast, fast_times = timed(lambda: selectors.compute_result(rnd), {repeats})
slow, slow_times = timed(naive, max(3, {repeats} // 4))
assert fast == slow, (fast, slow)
print(json.dumps({{"n": fast["n"], "percent": fast["percent"], "ci": fast["ci"],
                  "design_effect": fast["design_effect"], "cold_ms": cold,
                  "fast_ms": fast_times, "naive_ms": slow_times}}))
"""


# --- servers ------------------------------------------------------------------------------

class Server:
    def __init__(self, args, cmd, label):
        self.args, self.label = args, label
        self.log = open(args.work / f"server-{label.replace(' ', '_').replace(':', '-')}.log", "w")
        self.proc = subprocess.Popen([str(c) for c in cmd], env=env(args), cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{label} exited at start; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/login/")
                conn.getresponse().read()
                conn.close()
                self.warm_up()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"{label} did not answer within 60 s")

    def pids(self) -> list[int]:
        """The server process and its workers."""
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)],
                             capture_output=True, text=True).stdout.split()
        return [self.proc.pid, *map(int, out)]

    def cpu(self) -> float:
        return sum(bench.cpu_seconds(p) or 0.0 for p in self.pids())

    def warm_up(self, requests=200):
        """Every worker loads its URLconf and opens its database connection before timing."""
        body = json.dumps({"token": "A" * 22, "answers": {}})
        for _ in range(requests):
            conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=30)
            conn.request("POST", "/s/api/answers/", body,
                         {"Content-Type": "application/json"})
            conn.getresponse().read()
            conn.close()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def gunicorn(args, config):
    kind, _, shape = config.partition(":")
    cmd = [Path(sys.executable).parent / "gunicorn", "hexie.wsgi:application",
           "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"]
    if kind == "gthread":
        workers, threads = shape.split("x")
        cmd += ["--worker-class", "gthread", "--workers", workers, "--threads", threads,
                "--keep-alive", "5"]
    else:
        cmd += ["--workers", shape]
    return Server(args, cmd, f"gunicorn {config}")


def devserver(args):
    return Server(args, [sys.executable, "manage.py", "runserver", "--noreload",
                         f"127.0.0.1:{args.port}"], "runserver")


# --- the load generator -------------------------------------------------------------------

def fire(args, tokens, codes, seed=0, server=None):
    """POST one answer per token from ``args.clients`` threads; bounded by ``args.timeout``."""
    work: queue.SimpleQueue = queue.SimpleQueue()
    for i, token in enumerate(tokens):
        work.put((i, token))
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + args.timeout

    def client():
        conn = None
        local: dict[int, int] = {}
        while time.perf_counter() < deadline:
            try:
                i, token = work.get_nowait()
            except queue.Empty:
                break
            answers = {c: 5 - (i + j + seed) % 3 for j, c in enumerate(codes)}
            body = json.dumps({"token": token, "answers": answers})
            for attempt in range(2):
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                    conn.request("POST", "/s/api/answers/", body,
                                 {"Content-Type": "application/json"})
                    response = conn.getresponse()
                    response.read()
                    local[response.status] = local.get(response.status, 0) + 1
                    if response.will_close:
                        conn.close()
                        conn = None
                    break
                except (OSError, http.client.HTTPException) as exc:
                    if conn is not None:
                        conn.close()
                    conn = None
                    # Retry only a connection that failed before sending (a reused
                    # keep-alive socket the server had closed); a second failure is an error.
                    if attempt == 1 or not isinstance(exc, http.client.RemoteDisconnected
                                                      | ConnectionResetError
                                                      | BrokenPipeError):
                        with lock:
                            errors.append(repr(exc))
                        break
        if conn is not None:
            conn.close()
        with lock:
            for status, count in local.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    pg = bench.ServerCpu(args)
    pg.start()
    server_cpu = server.cpu() if server else 0.0
    client_cpu = sum(os.times()[:2])
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    client_cpu = sum(os.times()[:2]) - client_cpu
    server_cpu = (server.cpu() - server_cpu) if server else 0.0
    pg_cpu = pg.stop()
    accepted = statuses.get(201, 0)
    done = sum(statuses.values())
    return {"wall_s": wall, "statuses": statuses, "errors": errors, "sent": len(tokens),
            "rate": accepted / wall if wall else 0.0,
            "load_before": load_before, "load_after": os.getloadavg()[0],
            "cpu_s": {"app": server_cpu, "postgresql": pg_cpu, "client": client_cpu},
            "cpu_ms_per_request": (server_cpu + pg_cpu + client_cpu) * 1000 / done
            if done else None,
            "server_cpu_ms_per_request": (server_cpu + pg_cpu) * 1000 / done if done else None}


def counts(args, round_id):
    rows = bench.bench_sql(
        args,
        f"SELECT (SELECT COUNT(*) FROM surveys_surveyanswer WHERE round_id = {int(round_id)}), "
        f"(SELECT COUNT(*) FROM surveys_surveylink WHERE round_id = {int(round_id)} AND used)")
    return {"answers": rows[0][0], "used_links": rows[0][1]}


def open_round(args, n, tag):
    path = args.work / f"tokens-{tag}.json"
    snippet(args, OPEN.format(n=n, path=str(path)), f"open a round of {n:,} links ({tag})")
    data = json.loads(path.read_text())
    path.unlink()  # the tokens in clear live only for the run
    return data


def measured_pass(args, server, n, tag, *, second_pass=True):
    data = open_round(args, n, tag)
    bench.log(f"firing {n:,} answers ({tag})")
    first = fire(args, data["tokens"], data["codes"], server=server)
    after_first = counts(args, data["round"])
    out = {"round": data["round"], "first": first, "counts": after_first}
    ok = (first["statuses"].get(201, 0) == after_first["answers"] == after_first["used_links"]
          == n and not first["errors"])
    if second_pass:
        bench.log(f"second pass with the same {n:,} tokens ({tag})")
        second = fire(args, data["tokens"], data["codes"], seed=1, server=server)
        out["second"] = second
        out["counts_after_second"] = counts(args, data["round"])
        ok = ok and second["statuses"] == {409: n} and out["counts_after_second"] == after_first
    out["verified"] = ok
    bench.log(f"{tag}: {first['rate']:.0f} answers/s, CPU {first['cpu_s']} "
              f"({first['cpu_ms_per_request']:.2f} ms/answer), statuses {first['statuses']}, "
              f"errors {len(first['errors'])}, db {after_first}, verified {ok}")
    return out


# --- the report ---------------------------------------------------------------------------

def cpu_text(f) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in f["cpu_s"].items())


def render(args, machine, trial, best, runs, naive, result) -> str:
    rates = [r["first"]["rate"] for r in runs]
    median_rate = statistics.median(rates)
    mid = sorted(runs, key=lambda r: r["first"]["rate"])[len(runs) // 2]["first"]
    accepted = mid["statuses"].get(201, 1)
    cpu_app, cpu_pg, cpu_client = (mid["cpu_s"][k] * 1000 / accepted
                                   for k in ("app", "postgresql", "client"))
    cpu_total = cpu_app + cpu_pg + cpu_client
    fast = statistics.median(result["fast_ms"])
    slow = statistics.median(result["naive_ms"])
    lines = [BEGIN, "",
             f"Generated by `benchmarks/survey_load.py` on {machine['date']}: {machine['cpu']}, "
             f"{machine['cores']} cores, {machine['ram_gb']} GiB, PostgreSQL "
             f"{machine['postgresql']}, Python {machine['python']}, Django {machine['django']}. "
             f"Load average at start {machine['load_at_start']} (the machine is shared).", "",
             "| what | figure |", "|---|---|",
             f"| answers/s over HTTP, gunicorn `{best}`, median of {len(runs)} runs of "
             f"{args.answers:,} | **{median_rate:,.0f}** (runs: "
             f"{', '.join(f'{r:,.0f}' for r in rates)}; target ≥ 300) |",
             "| accepted = answer rows = used links = N, every run | "
             f"{'yes' if all(r['verified'] for r in runs) else '**NO**'} |",
             "| second pass with the same tokens: all refused (409), counts unchanged | "
             f"{'yes' if all(r.get('second', {}).get('statuses') == {409: args.answers} for r in runs) else '**NO**'} |",  # noqa: E501
             "| errors (connection failures) | "
             f"{sum(len(r['first']['errors']) + len(r.get('second', {}).get('errors', [])) for r in runs)} |",  # noqa: E501
             f"| CPU per answer, median run: app {cpu_app:.2f} + PostgreSQL {cpu_pg:.2f} + load "
             f"generator {cpu_client:.2f} = {cpu_total:.2f} ms | estimate if the 2 cores were "
             f"the benchmark's alone: {2000 / cpu_total:,.0f} answers/s |",
             f"| naive: same endpoint on `manage.py runserver`, {args.naive_answers:,} answers | "
             f"{naive['first']['rate']:,.0f} answers/s (verified: {naive['verified']}) |",
             f"| result of a {result['n']:,}-answer round, one aggregate query, median of "
             f"{len(result['fast_ms'])} | **{fast:.1f} ms** (first call {result['cold_ms']:.1f} "
             f"ms; target ≤ 100 ms) |",
             f"| naive: Python loop over the rows, median of {len(result['naive_ms'])} | "
             f"{slow:.1f} ms ({slow / fast:.1f}× slower) |", "",
             "Worker trial (" + f"{args.trial_answers:,} answers each): " + "; ".join(
                 f"`{c}` {t['first']['rate']:,.0f}/s" for c, t in trial.items()) +
             f". Used: `{best}`. Load generator: {args.clients} threads of keep-alive "
             "`http.client` connections on 127.0.0.1, in the benchmark's own process "
             "(it shares the 2 cores with gunicorn and PostgreSQL).", "",
             "Per run (wall time of the firing pass, load average before → after):", ""]
    for i, r in enumerate(runs, 1):
        f = r["first"]
        lines.append(f"- run {i}: {f['statuses'].get(201, 0):,} accepted in {f['wall_s']:.1f} s "
                     f"= {f['rate']:,.0f}/s; load {f['load_before']:.1f} → "
                     f"{f['load_after']:.1f}; CPU s {cpu_text(f)}; second pass "
                     f"{r['second']['statuses']} in {r['second']['wall_s']:.1f} s")
    lines += ["", f"Result of round {runs[0]['round']}: {result['percent']}% "
                  f"(95 % interval {result['ci']}, design effect {result['design_effect']}).",
              "", END]
    return "\n".join(lines)


def write_doc(path: Path, block: str):
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    elif SECTION in text:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{block}\n"
    path.write_text(text)


def main(argv=None) -> int:
    args = parse(argv)
    bench.create_database(args)
    write_settings(args)
    snippet(args, SETUP, "standards, the benchmark enterprise and its unit admin")
    machine = bench.machine_info(args)
    trial, server = {}, None
    try:
        for config in args.configs.split(","):
            server = gunicorn(args, config)
            trial[config] = measured_pass(args, server, args.trial_answers, f"trial {config}",
                                          second_pass=False)
            server.stop()
            server = None
        best = max(trial, key=lambda c: trial[c]["first"]["rate"])
        server = gunicorn(args, best)
        runs = [measured_pass(args, server, args.answers, f"run {i + 1}") for i in range(args.runs)]
        server.stop()
        server = devserver(args)
        naive = measured_pass(args, server, args.naive_answers, "naive runserver",
                              second_pass=False)
        server.stop()
        server = None
    finally:
        if server is not None:
            server.stop()
    out = snippet(args, RESULT.format(round=runs[0]["round"], repeats=args.repeats),
                  "result: aggregate query vs Python loop")
    result = json.loads(out.strip().splitlines()[-1])
    (args.work / "results.json").write_text(json.dumps(
        {"machine": machine, "trial": trial, "best": best, "runs": runs, "naive": naive,
         "result": result}, indent=1, default=str))
    block = render(args, machine, trial, best, runs, naive, result)
    write_doc(args.output, block)
    bench.log(f"written to {args.output}")
    print(block)
    ok = all(r["verified"] for r in runs) and naive["verified"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
