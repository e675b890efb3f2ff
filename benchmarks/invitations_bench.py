"""Issue 10's invitation speed target, one command, on PostgreSQL: 10,000 unit-admin
invitations alongside an import in ≤ 30 s in the background job.

    PYTHONPATH=src .venv/bin/python benchmarks/invitations_bench.py [--units 10000]
        [--sample 500] [--db hexie_bench_inv]

1. Drops and creates the database (``--db``, must start with ``hexie_bench``), migrates it and
   loads the divisions, in this process.
2. The job: ``units.tasks.run_import_job`` on a CSV of ``--units`` enterprises with contact
   columns and "同时生成单位经办人邀请" on, as a county office; timed from start to the job's
   end (import, invitations, contact rows, the XLSX list, audit). Its invitation step alone
   (``units.invitations.invite_imported``: tokens, one bulk_create, one audit event, contact
   rows, the list file) is timed inside the same run, and the XLSX writing within it. The
   same import without invitations (another ``--units`` units) gives the job's cost without
   them.
3. Naive: ``invite()`` (one INSERT and one audit event per invitation, each in its own
   transaction) on ``--sample`` units, extrapolated to ``--units``.
4. Anchor: ``COPY`` of ``--units`` rows of the invitation's shape into a bare table (no index,
   no constraint) on the same connection — the floor for writing the rows at all.

Prints the figures and ratios and writes them to var/bench/invitations.json.
"""

import argparse
import io
import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 30


def setup_database(name: str) -> str:
    import psycopg

    if not name.startswith("hexie_bench"):
        sys.exit("--db must start with hexie_bench")
    base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                     "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    return f"{base}/{name}"


def csv_file(path: Path, start: int, count: int, contacts: bool) -> Path:
    from hexie.units import credit_code as cc

    header = ["单位类型", "单位名称", "统一社会信用代码", "所在区划代码", "行业代码", "职工人数",
              "营业收入（元）", "资产总额（元）", "是否平台企业"]
    if contacts:
        header += ["联系人姓名", "联系电话", "电子邮箱"]
    lines = [",".join(header)]
    for i in range(start, start + count):
        row = ["企业", f"基准邀请企业{i}有限公司", cc.make("91330106", f"B{i:07d}"), "330106002",
               "C1711", "350", "50000000", "", "否"]
        if contacts:
            row += [f"联系人{i}", f"138{i:08d}", f"contact{i}@example.com"]
        lines.append(",".join(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_job(user, path: Path, invite: bool) -> tuple[float, object]:
    from django.core.files.base import ContentFile

    from hexie.units.models import ImportJob
    from hexie.units.tasks import run_import_job

    job = ImportJob(created_by=user, original_name=path.name, invite=invite)
    job.file.save(path.name, ContentFile(path.read_bytes()), save=False)
    job.save()
    started = time.perf_counter()
    run_import_job(job.pk, "https://hexie.example.gov.cn/")
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != "succeeded":
        sys.exit(f"job failed: {job.errors[:3]}")
    return elapsed, job


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--db", default="hexie_bench_inv")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = setup_database(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexie.settings")
    work = ROOT / "var" / "bench" / "invitations"
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MEDIA_ROOT", str(work / "media"))
    os.environ.setdefault("HEXIE_PRIVATE_ROOT", str(work / "private"))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from hexie.accounts.invitations import invite
    from hexie.accounts.models import Invitation, Membership, User
    from hexie.accounts.roles import Role
    from hexie.regions.loader import load_divisions
    from hexie.units import invitations as unit_invitations
    from hexie.units.models import Unit

    print("migrating …", flush=True)
    call_command("migrate", verbosity=0)
    load_divisions()
    user = User.objects.create(username="bench_county")
    Membership.objects.create(user=user, role=Role.COUNTY_OFFICE, region_id="330106")
    n = args.units

    # 2. the job, with and without invitations
    timings = {}
    original = unit_invitations.invite_imported

    def timed(*a, **k):
        started = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            timings["invite_step"] = time.perf_counter() - started

    writer = unit_invitations.write_invitation_list

    def timed_writer(*a, **k):
        started = time.perf_counter()
        try:
            return writer(*a, **k)
        finally:
            timings["xlsx"] = time.perf_counter() - started

    unit_invitations.invite_imported = timed
    unit_invitations.write_invitation_list = timed_writer
    plain_s, _ = run_job(user, csv_file(work / "plain.csv", 0, n, False), invite=False)
    job_s, job = run_job(user, csv_file(work / "invite.csv", n, n, True), invite=True)
    unit_invitations.invite_imported = original
    unit_invitations.write_invitation_list = writer
    assert job.invitations == n == Invitation.objects.count(), job.invitations
    print(f"job with invitations: {job_s:.2f} s (import only {plain_s:.2f} s; invitation "
          f"step {timings['invite_step']:.2f} s)", flush=True)

    # 3. naive: invite() per unit, on a sample
    sample = list(Unit.objects.order_by("id")[: args.sample])
    started = time.perf_counter()
    for unit in sample:
        invite(user, Role.UNIT_ADMIN, unit=unit, display_name="联系人",
                                email="naive@example.com", base_url="https://x/")
    naive_sample_s = time.perf_counter() - started
    naive_s = naive_sample_s * n / len(sample)
    print(f"naive: {naive_sample_s:.2f} s for {len(sample)} → {naive_s:.1f} s for {n}",
          flush=True)

    # 4. anchor: COPY of the same shape into a bare table
    expires = "2026-12-09T00:00:00+00:00"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_invitation (token_hash varchar(64), username "
            "varchar(150), email varchar(254), display_name varchar(64), role varchar(32), "
            "region_id varchar(12), unit_id bigint, organisation_id bigint, region_code "
            "varchar(12), created_by_id bigint, created_at timestamptz, expires_at timestamptz)")
    unit_ids = list(Unit.objects.values_list("id", flat=True)[:n])
    started = time.perf_counter()
    data = io.StringIO()
    for i, unit_id in enumerate(unit_ids):
        data.write(f"{secrets.token_hex(32)}\t\tcontact{i}@example.com\t联系人{i}\tunit_admin\t"
                   f"\\N\t{unit_id}\t\\N\t330106002\t{user.pk}\t{expires}\t{expires}\n")
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.connection.cursor().copy(
                "COPY bench_invitation FROM STDIN") as copy:
            copy.write(data.getvalue())
    anchor_s = time.perf_counter() - started

    step = timings["invite_step"]
    result = {
        "units": n, "job_with_invitations_s": round(job_s, 3),
        "job_without_invitations_s": round(plain_s, 3), "invitation_step_s": round(step, 3),
        "of_which_xlsx_s": round(timings["xlsx"], 3),
        "naive_s_extrapolated": round(naive_s, 1), "naive_sample": len(sample),
        "naive_sample_s": round(naive_sample_s, 3), "anchor_copy_s": round(anchor_s, 3),
        "naive_over_bulk": round(naive_s / step, 1), "bulk_over_anchor": round(step / anchor_s, 1),
        "target_s": TARGET_S, "target_met": job_s <= TARGET_S,
    }
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "bench" / "invitations.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
