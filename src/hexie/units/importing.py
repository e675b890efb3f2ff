"""Bulk import of the registry from CSV or XLSX: all rows or none.

One streaming pass validates every row with the shared validator, checks duplicates within the
file (sets) and against the database (one indexed query per chunk), and, while no error has been
seen, writes each chunk (COPY on PostgreSQL, executemany elsewhere) inside one transaction. Any
error means a rollback and a row-by-row report; the whole file is still read so the report is
complete. Memory stays flat: rows are never held beyond two chunks.

On PostgreSQL a chunk's database work (its duplicate query and its COPY) runs in one helper
thread on the same connection and transaction while this thread validates the next chunk, so
the server's index maintenance overlaps the Python validation instead of alternating with it
(docs/benchmarks.md). Chunks are still checked and written strictly in order, one at a time, and
the report lists the errors in the same order as a sequential pass would.
"""

import codecs
import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from hexie.accounts.roles import UNITS_IMPORT
from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.models import AuditEvent
from hexie.core.scoping import Scope, scope_for

from . import credit_code as cc
from .models import Kind, Unit
from .validation import COLUMNS, LABELS, UnitValidator

CHUNK = 5000
MAX_REPORTED_ERRORS = 1000

HEADER_ALIASES: dict[str, str] = {label: name for name, label in COLUMNS}
HEADER_ALIASES |= {name: name for name, _ in COLUMNS}
HEADER_ALIASES |= {
    "类型": "kind", "名称": "name", "信用代码": "credit_code", "区划代码": "region_code",
    "所在区划": "region_code", "行业": "industry", "营业收入": "revenue_yuan",
    "资产总额": "assets_yuan", "平台企业": "platform", "从业人员": "employees",
}

# Columns written per row, in this order (COPY and INSERT alike).
DB_COLUMNS = (
    "kind", "name", "region_id", "credit_code", "industry", "industry_section", "employees",
    "revenue_yuan", "assets_yuan", "size_derived", "size_override", "size_override_reason",
    "size", "platform", "project_code", "contractor_credit_code", "address", "start_date",
    "end_date", "workers", "created_at", "updated_at",
)


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line/row number in the file, the header being row 1
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


class ImportFailed(DomainError):
    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(
            f"导入失败：发现 {report.error_count} 处错误，未写入任何数据。",
            code="import_failed",
            errors=[e.as_dict() for e in report.errors],
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030 — what
    Excel in China saves CSV as. The whole file is checked (incrementally, about 0.1 s per
    100 MB): Chinese text may first appear anywhere."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


UNREADABLE_CSV = "无法识别文件编码：请将 CSV 另存为 UTF-8 或 GBK（GB18030）编码后重新导入。"
UNREADABLE_XLSX = "不是有效的 XLSX 文件（文件损坏，或并非 Excel 2007 及以上格式）。"


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The header row and an iterator of (row number, values). A file that cannot be read
    raises DomainError with a Chinese message, never a traceback."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header = [("" if v is None else str(v)) for v in next(rows, ())]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
            raise DomainError(UNREADABLE_XLSX, field="file") from exc

        def xlsx_rows():
            try:
                for n, values in enumerate(rows, start=2):
                    yield n, ["" if v is None else v for v in values]
            except (zipfile.BadZipFile, KeyError, ValueError) as exc:
                raise DomainError(UNREADABLE_XLSX, field="file") from exc
            finally:
                workbook.close()

        return header, xlsx_rows()
    if suffix in (".csv", ".txt"):
        fh = open(path, encoding=_detect_encoding(path), newline="")
        try:
            reader = csv.reader(fh)
            header = next(reader, [])
        except (UnicodeDecodeError, csv.Error) as exc:
            fh.close()
            raise DomainError(UNREADABLE_CSV, field="file") from exc

        def csv_rows():
            with fh:
                try:
                    yield from enumerate(reader, start=2)
                except (UnicodeDecodeError, csv.Error) as exc:
                    raise DomainError(UNREADABLE_CSV, field="file") from exc

        return header, csv_rows()
    raise DomainError("只支持 CSV 或 XLSX 文件。", field="file")


def _map_header(header: list[str], report: ImportReport) -> list[str | None]:
    names: list[str | None] = []
    seen = set()
    for i, title in enumerate(header, start=1):
        text = str(title).strip().lstrip("\ufeff")
        if not text:
            names.append(None)
            continue
        name = HEADER_ALIASES.get(text) or HEADER_ALIASES.get(text.lower())
        if name is None:
            report.add(RowError(1, text, f"第 {i} 列的列名“{text}”无法识别"))
        elif name in seen:
            report.add(RowError(1, text, f"列“{LABELS[name]}”重复"))
        seen.add(name)
        names.append(name)
    for required in ("kind", "name", "region_code"):
        if required not in seen:
            report.add(RowError(1, LABELS[required], f"缺少必需的列“{LABELS[required]}”"))
    return names


def _existing(field_name: str, values: list[str]) -> set[str]:
    if not values:
        return set()
    step = 900 if connection.vendor == "sqlite" else CHUNK
    found: set[str] = set()
    for i in range(0, len(values), step):
        found.update(
            Unit.objects.filter(**{f"{field_name}__in": values[i:i + step]}).values_list(
                field_name, flat=True
            )
        )
    return found


class _ChunkSink:
    """Checks each chunk of accepted rows against the database and, while the file is still
    free of errors, writes it into units_unit inside the open transaction.

    On PostgreSQL the work runs in one helper thread on the same (psycopg, thread-safe)
    connection; elsewhere inline. The caller keeps at most one chunk in flight: it takes
    :meth:`result` (the chunk's duplicate errors) before it submits the next one or touches the
    connection, and calls :meth:`close` last, whatever happens."""

    def __init__(self, now):
        self.now = now
        self.table = Unit._meta.db_table
        self.columns = ", ".join(connection.ops.quote_name(c) for c in DB_COLUMNS)
        self.pool = None
        if connection.vendor == "postgresql":
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hexie-import")
        self.pending: Future | list[RowError] | None = None

    def submit(self, chunk: list[tuple[int, dict]], may_write: bool) -> None:
        if self.pool is None:
            self.pending = self._check_and_write(chunk, may_write, None)
        else:
            connection.ensure_connection()
            self.pending = self.pool.submit(
                self._check_and_write, chunk, may_write, connection.connection
            )

    def result(self) -> list[RowError]:
        """The duplicate errors of the chunk in flight (waiting for it); database errors are
        raised as Django's."""
        pending, self.pending = self.pending, None
        if isinstance(pending, Future):
            with connection.wrap_database_errors:
                return pending.result()
        return pending or []

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    def _check_and_write(self, chunk, may_write, raw_connection) -> list[RowError]:
        credit = [c["credit_code"] for _, c in chunk if c.get("credit_code")]
        project = [c["project_code"] for _, c in chunk if c.get("project_code")]
        towns = [c["region_id"] for _, c in chunk if c["kind"] == Kind.TOWN]
        if raw_connection is None:
            dup_credit = _existing("credit_code", credit)
            dup_project = _existing("project_code", project)
            dup_town = (
                set(Unit.objects.filter(kind=Kind.TOWN, region_id__in=towns)
                    .values_list("region_id", flat=True)) if towns else set()
            )
        else:  # the helper thread: raw SQL on the import's own connection (not Django's)
            # One array parameter per query instead of thousands of placeholders. The table
            # grows inside this transaction with no fresh statistics, and the planner then
            # prefers a (parallel) scan of the whole table for every chunk, which made the
            # import quadratic; the unique indexes answer these lookups, so seq scans are
            # switched off for them (transaction-local, restored right after).
            with raw_connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('enable_seqscan'), "
                               "set_config('enable_seqscan', 'off', true)")
                seqscan = cursor.fetchone()[0]

                def found(sql, values, *params):
                    if not values:
                        return set()
                    cursor.execute(sql, [*params, values])
                    return {value for (value,) in cursor.fetchall()}

                t = self.table
                dup_credit = found(
                    f"SELECT credit_code FROM {t} WHERE credit_code = ANY(%s)", credit)
                dup_project = found(
                    f"SELECT project_code FROM {t} WHERE project_code = ANY(%s)", project)
                dup_town = found(
                    f"SELECT region_id FROM {t} WHERE kind = %s AND region_id = ANY(%s)",
                    towns, Kind.TOWN.value)
                cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [seqscan])
        errors = []
        for n, c in chunk:
            if c.get("credit_code") in dup_credit:
                errors.append(RowError(n, LABELS["credit_code"], "该统一社会信用代码已登记"))
            if c.get("project_code") in dup_project:
                errors.append(RowError(n, LABELS["project_code"], "该项目代码已登记"))
            if c["kind"] == Kind.TOWN and c["region_id"] in dup_town:
                errors.append(RowError(n, LABELS["region_code"], "该乡镇（街道）已登记为创建单位"))
        if may_write and not errors:
            now = self.now
            rows = [
                (c["kind"], c["name"], c["region_id"], c.get("credit_code"),
                 c.get("industry", ""), c.get("industry_section", ""), c.get("employees"),
                 c.get("revenue_yuan"), c.get("assets_yuan"), c.get("size_derived", ""), "", "",
                 c.get("size_derived", ""), c.get("platform", False), c.get("project_code"),
                 c.get("contractor_credit_code", ""), c.get("address", ""),
                 c.get("start_date"), c.get("end_date"), c.get("workers"), now, now)
                for _, c in chunk
            ]
            if raw_connection is None:
                placeholders = ", ".join(["%s"] * len(DB_COLUMNS))
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})",
                        rows,
                    )
            else:
                with raw_connection.cursor() as cursor, cursor.copy(
                    f"COPY {self.table} ({self.columns}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
        return errors


def _region_foreign_key() -> str | None:
    """PostgreSQL: the name of units_unit's deferrable foreign key to the divisions."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Unit._meta.db_table)
    for name, info in constraints.items():
        if info["foreign_key"] and info["columns"] == ["region_id"]:
            return name
    return None


def import_units(actor, path: Path | str, *, original_name: str | None = None,
                 scope: Scope | None = None) -> ImportReport:
    """Import every row of ``path`` or none. Raises ImportFailed with the report on any error.

    ``scope`` is for system jobs (the synthetic seed) that act for the whole province."""
    path = Path(path)
    scope = scope or scope_for(actor, UNITS_IMPORT)
    if scope.is_empty:
        raise NotPermitted("您没有导入创建单位的权限。")
    sha = file_sha256(path)
    previous = AuditEvent.objects.filter(action="units.import", after__sha256=sha).first()
    if previous is not None:
        report = ImportReport()
        when = timezone.localtime(previous.at).strftime("%Y-%m-%d %H:%M")
        report.add(RowError(0, "", f"同一文件已于 {when} 导入（事件 #{previous.pk}），未重复导入"))
        raise ImportFailed(report)

    report = ImportReport()
    header, rows = read_table(path)
    names = _map_header(header, report)
    if report.error_count:
        raise ImportFailed(report)
    validator = UnitValidator.from_database()
    sink = _ChunkSink(timezone.now())
    seen_credit: dict[str, int] = {}
    seen_project: dict[str, int] = {}
    seen_town: dict[str, int] = {}
    chunk: list[tuple[int, dict]] = []
    regions: set[str] = set()  # of the rows accepted; their common prefix goes into the audit
    covered: dict[str, bool] = {}  # region code -> inside the scope (a cache)
    # This thread's errors since the last chunk went out. They join the report only after the
    # previous chunk's duplicate errors, so the order is the sequential pass's order.
    held: list[RowError] = []
    held_count = 0

    def note(error: RowError) -> None:
        nonlocal held_count
        held_count += 1
        if len(held) < MAX_REPORTED_ERRORS:  # the report keeps no more than this anyway
            held.append(error)

    def settle() -> None:
        """Add the previous chunk's duplicate errors, then the errors held since, to the
        report."""
        nonlocal held, held_count
        for e in sink.result():
            report.add(e)
        for e in held:
            report.add(e)
        report.error_count += held_count - len(held)
        held, held_count = [], 0

    def flush():
        nonlocal chunk
        settle()
        sink.submit(chunk, may_write=not report.error_count)
        chunk = []

    width = len(names)
    all_named = all(names)  # the usual file: then a row's raw dict is a plain zip
    clean = validator.clean
    by_kind = report.by_kind
    with transaction.atomic():
        foreign_key = None
        if connection.vendor == "postgresql":
            # Check each COPY's rows against the divisions as it runs (in the helper thread,
            # overlapping validation) rather than all at COMMIT; restored below.
            foreign_key = _region_foreign_key()
            if foreign_key:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SET CONSTRAINTS {connection.ops.quote_name(foreign_key)} IMMEDIATE")
        try:
            for n, values in rows:
                try:
                    blank = not "".join(values).strip()  # CSV: every value is a str
                except TypeError:
                    blank = not any(str(v).strip() for v in values)
                if blank:
                    continue  # blank lines are not rows
                report.rows += 1
                if len(values) > width and any(str(v).strip() for v in values[width:]):
                    note(RowError(n, "", "该行的列数多于表头"))
                    continue
                if all_named and len(values) >= width:
                    raw = dict(zip(names, values, strict=False))
                else:
                    raw = {name: values[i] if i < len(values) else ""
                           for i, name in enumerate(names) if name}
                cleaned, errors = clean(raw)
                if errors:
                    for e in errors:
                        note(RowError(n, LABELS.get(e.field, e.field), e.message))
                    continue
                region = cleaned["region_id"]
                inside = covered.get(region)
                if inside is None:
                    inside = covered[region] = scope.covers_region(region)
                if not inside:
                    note(RowError(n, LABELS["region_code"], f"区划 {region} 不在您的管辖范围内"))
                    continue
                duplicate = False
                value = cleaned.get("credit_code")
                if value:
                    if value in seen_credit:
                        note(RowError(n, LABELS["credit_code"],
                                      f"与第 {seen_credit[value]} 行统一社会信用代码重复"))
                        duplicate = True
                    else:
                        seen_credit[value] = n
                value = cleaned.get("project_code")
                if value:
                    if value in seen_project:
                        note(RowError(n, LABELS["project_code"],
                                      f"与第 {seen_project[value]} 行项目代码重复"))
                        duplicate = True
                    else:
                        seen_project[value] = n
                kind = cleaned["kind"]
                if kind == Kind.TOWN:
                    if region in seen_town:
                        note(RowError(n, LABELS["region_code"],
                                      f"与第 {seen_town[region]} 行为同一乡镇（街道）"))
                        duplicate = True
                    seen_town.setdefault(region, n)
                if duplicate:
                    continue
                regions.add(region)
                by_kind[kind] = by_kind.get(kind, 0) + 1
                chunk.append((n, cleaned))
                if len(chunk) >= CHUNK:
                    flush()
            if chunk:
                flush()
            settle()
        finally:
            sink.close()
        if foreign_key:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SET CONSTRAINTS {connection.ops.quote_name(foreign_key)} DEFERRED")
        if report.rows == 0:
            report.add(RowError(2, "", "文件中没有数据行"))
        if report.error_count:
            transaction.set_rollback(True)
            raise ImportFailed(report)
        report.imported = report.rows
        prefix = os.path.commonprefix(sorted(regions)) if regions else None  # noqa: RUF071
        audit.record(
            actor, "units.import", None, object_type="units.unit", object_id="",
            object_repr=original_name or path.name, region_code=prefix or "",
            after={"file": original_name or path.name, "sha256": sha, "rows": report.rows,
                   "by_kind": report.by_kind},
        )
    return report


def template_csv() -> bytes:
    """The import template: Chinese headers and one example row per kind."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in COLUMNS])
    code = cc.make("91330106", "MA2H7K3P")
    examples = [
        ["企业", "杭州示例科技有限公司", code, "330106002", "I6513", "120",
         "35000000", "20000000", "否", "", "", "西湖区示例路 1 号", "", "", ""],
        ["工地项目", "示例安置房工程", "", "330106002", "", "", "", "", "",
         "2026-330106-47-01-000001",
         code, "西湖区示例地块", "2026-03-01", "2027-12-31", "350"],
        ["工业园区", "示例工业园区", "", "330106002", "", "", "", "", "", "", "", "", "", "", ""],
        ["乡镇（街道）", "", "", "330106002", "", "", "", "", "", "", "", "", "", "", ""],
        ["行业（协会）", "西湖区示例行业协会", "", "330106", "I65", "", "", "", "", "", "", "", "",
         "", ""],
    ]
    writer.writerows(examples)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
