"""Bulk import of the registry from CSV or XLSX: all rows or none.

One streaming pass validates every row with the shared validator, checks duplicates within the
file (sets) and against the database (one indexed query per chunk), and, while no error has been
seen, writes each chunk (COPY on PostgreSQL, executemany elsewhere) inside one transaction. Any
error means a rollback and a row-by-row report; the whole file is still read so the report is
complete. Memory stays flat: rows are never held beyond one chunk (plus the one being written).

On PostgreSQL the COPY of chunk k runs in a helper thread on the same connection and transaction
while this thread validates chunk k+1, so the server's index maintenance overlaps the Python
validation instead of alternating with it (docs/benchmarks.md). Every query waits for the chunk
in flight first, so what each duplicate check sees is exactly what it saw with synchronous writes.
"""

import csv
import hashlib
import io
import os
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
    """UTF-8 (with or without BOM), else GB18030 — what Excel in China saves CSV as."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut at the end of the sample
            return "utf-8-sig"
        return "gb18030"


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The header row and an iterator of (row number, values)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [("" if v is None else str(v)) for v in next(rows, ())]

        def xlsx_rows():
            try:
                for n, values in enumerate(rows, start=2):
                    yield n, ["" if v is None else v for v in values]
            finally:
                workbook.close()

        return header, xlsx_rows()
    if suffix in (".csv", ".txt"):
        fh = open(path, encoding=_detect_encoding(path), newline="")
        reader = csv.reader(fh)
        header = next(reader, [])

        def csv_rows():
            with fh:
                yield from enumerate(reader, start=2)

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


class _Writer:
    """Writes chunks of prepared rows into units_unit inside the open transaction.

    On PostgreSQL a chunk's COPY runs in one helper thread on the same (psycopg, thread-safe)
    connection, so the caller can validate the next chunk meanwhile. :meth:`wait` must be called
    before any other query on the connection and before the transaction ends; :meth:`close`
    always, last."""

    def __init__(self):
        self.table = Unit._meta.db_table
        self.columns = ", ".join(connection.ops.quote_name(c) for c in DB_COLUMNS)
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future | None = None
        if connection.vendor == "postgresql":
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hexie-import")

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self._pool is not None:
            self.wait()
            connection.ensure_connection()
            self._pending = self._pool.submit(self._copy, connection.connection, rows)
            return
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(DB_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})", rows
            )

    def _copy(self, raw_connection, rows: list[tuple]) -> None:
        with raw_connection.cursor() as cursor, cursor.copy(
            f"COPY {self.table} ({self.columns}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)

    def wait(self) -> None:
        """Block until the chunk in flight is written; its error is raised as Django's."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            with connection.wrap_database_errors:
                pending.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _existing(field_name: str, values: list[str]) -> set[str]:
    if not values:
        return set()
    if connection.vendor == "postgresql":
        # One array parameter instead of CHUNK placeholders: the same index lookups, without
        # building and parsing a 5,000-placeholder statement per chunk.
        column = connection.ops.quote_name(Unit._meta.get_field(field_name).column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} FROM {Unit._meta.db_table} WHERE {column} = ANY(%s)",
                [list(values)],
            )
            return {value for (value,) in cursor.fetchall()}
    step = 900 if connection.vendor == "sqlite" else CHUNK
    found: set[str] = set()
    for i in range(0, len(values), step):
        found.update(
            Unit.objects.filter(**{f"{field_name}__in": values[i:i + step]}).values_list(
                field_name, flat=True
            )
        )
    return found


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
    writer = _Writer()
    now = timezone.now()
    seen_credit: dict[str, int] = {}
    seen_project: dict[str, int] = {}
    seen_town: dict[str, int] = {}
    chunk: list[tuple[int, dict]] = []
    regions: set[str] = set()  # of the rows accepted so far; their common prefix is audited
    covered: dict[str, bool] = {}  # region code -> inside the scope (a cache)

    def flush():
        nonlocal chunk
        writer.wait()  # the duplicate queries must see the chunk in flight
        credit = [c["credit_code"] for _, c in chunk if c.get("credit_code")]
        project = [c["project_code"] for _, c in chunk if c.get("project_code")]
        towns = [c["region_id"] for _, c in chunk if c["kind"] == Kind.TOWN]
        dup_credit = _existing("credit_code", credit)
        dup_project = _existing("project_code", project)
        dup_town = (
            set(Unit.objects.filter(kind=Kind.TOWN, region_id__in=towns)
                .values_list("region_id", flat=True)) if towns else set()
        )
        for n, c in chunk:
            if c.get("credit_code") in dup_credit:
                report.add(RowError(n, LABELS["credit_code"], "该统一社会信用代码已登记"))
            if c.get("project_code") in dup_project:
                report.add(RowError(n, LABELS["project_code"], "该项目代码已登记"))
            if c["kind"] == Kind.TOWN and c["region_id"] in dup_town:
                report.add(RowError(n, LABELS["region_code"], "该乡镇（街道）已登记为创建单位"))
        if not report.error_count:
            writer.write([
                (c["kind"], c["name"], c["region_id"], c.get("credit_code"),
                 c.get("industry", ""), c.get("industry_section", ""), c.get("employees"),
                 c.get("revenue_yuan"), c.get("assets_yuan"), c.get("size_derived", ""), "", "",
                 c.get("size_derived", ""), c.get("platform", False), c.get("project_code"),
                 c.get("contractor_credit_code", ""), c.get("address", ""),
                 c.get("start_date"), c.get("end_date"), c.get("workers"), now, now)
                for _, c in chunk
            ])
        chunk = []

    width = len(names)
    # With every column named (the usual file), a row's raw dict is a plain zip.
    all_named = all(names)
    clean = validator.clean
    by_kind = report.by_kind
    with transaction.atomic():
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
                    report.add(RowError(n, "", "该行的列数多于表头"))
                    continue
                if all_named and len(values) >= width:
                    raw = dict(zip(names, values, strict=False))
                else:
                    raw = {name: values[i] if i < len(values) else ""
                           for i, name in enumerate(names) if name}
                cleaned, errors = clean(raw)
                if errors:
                    for e in errors:
                        report.add(RowError(n, LABELS.get(e.field, e.field), e.message))
                    continue
                region = cleaned["region_id"]
                inside = covered.get(region)
                if inside is None:
                    inside = covered[region] = scope.covers_region(region)
                if not inside:
                    report.add(RowError(n, LABELS["region_code"],
                                        f"区划 {region} 不在您的管辖范围内"))
                    continue
                duplicate = False
                value = cleaned.get("credit_code")
                if value:
                    if value in seen_credit:
                        report.add(RowError(n, LABELS["credit_code"],
                                            f"与第 {seen_credit[value]} 行统一社会信用代码重复"))
                        duplicate = True
                    else:
                        seen_credit[value] = n
                value = cleaned.get("project_code")
                if value:
                    if value in seen_project:
                        report.add(RowError(n, LABELS["project_code"],
                                            f"与第 {seen_project[value]} 行项目代码重复"))
                        duplicate = True
                    else:
                        seen_project[value] = n
                kind = cleaned["kind"]
                if kind == Kind.TOWN:
                    if region in seen_town:
                        report.add(RowError(n, LABELS["region_code"],
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
            writer.wait()
        finally:
            writer.close()
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
