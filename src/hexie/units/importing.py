"""Bulk import of the registry from CSV or XLSX: all rows or none.

The file is read in batches of text columns (tabular.py). Each batch is validated at once
(batchvalidation.py: a vectorised path for plain enterprise rows, the shared UnitValidator for
every other row, so the import accepts exactly what the form accepts), checked for duplicates
within the file (dicts of first rows) and against the database, and, inside one transaction,
written with COPY on PostgreSQL (executemany elsewhere). Any error means a rollback and a
row-by-row report of the first errors by row; the whole file is still read so the counts are
complete. Memory stays flat apart from the duplicate dicts: batches are never held.

On PostgreSQL a batch's database work runs in one helper thread on the same connection and
transaction while this thread validates the next batch, so the server's work overlaps the
validation. A big load (at least ``HEXIE_IMPORT_BULK_ROWS`` rows and at least as many as the
table holds) takes the table's lock, drops its secondary indexes and constraints, COPYs into the
bare table and builds them again before COMMIT — sorting once is far cheaper than maintaining
ten indexes row by row (docs/benchmarks.md, docs/decisions.md). It is still one transaction:
a failure restores everything.
"""

import csv
import hashlib
import io
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hexie.accounts.roles import UNITS_IMPORT
from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.models import AuditEvent
from hexie.core.scoping import Scope, scope_for

from . import credit_code as cc
from .batchvalidation import FIELDS, BatchValidator, RowError
from .models import Kind, Unit
from .search import search_columns
from .tabular import read_table
from .validation import COLUMNS, LABELS, UnitValidator

__all__ = ["ImportFailed", "ImportReport", "RowError", "import_units", "template_csv"]

MAX_REPORTED_ERRORS = 1000

HEADER_ALIASES: dict[str, str] = {label: name for name, label in COLUMNS}
HEADER_ALIASES |= {name: name for name, _ in COLUMNS}
# Contact columns (issue 10): not registry fields. With "同时生成单位经办人邀请" each row's
# contact receives the unit's admin invitation; without it they are accepted and ignored.
CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("contact_name", "联系人姓名"), ("contact_phone", "联系电话"), ("contact_email", "电子邮箱"),
)
CONTACT_FIELDS = tuple(name for name, _ in CONTACT_COLUMNS)
ALL_LABELS = LABELS | dict(CONTACT_COLUMNS)
HEADER_ALIASES |= {label: name for name, label in CONTACT_COLUMNS}
HEADER_ALIASES |= {name: name for name in CONTACT_FIELDS}
HEADER_ALIASES |= {
    "联系人": "contact_name", "电话": "contact_phone", "手机": "contact_phone",
    "邮箱": "contact_email", "email": "contact_email",
    "类型": "kind", "名称": "name", "信用代码": "credit_code", "区划代码": "region_code",
    "所在区划": "region_code", "行业": "industry", "营业收入": "revenue_yuan",
    "资产总额": "assets_yuan", "平台企业": "platform", "从业人员": "employees",
}

# Columns written per row, in this order (COPY and INSERT alike).
DB_COLUMNS = (
    "kind", "name", "region_id", "credit_code", "industry", "industry_section", "employees",
    "revenue_yuan", "assets_yuan", "size_derived", "size_override", "size_override_reason",
    "size", "platform", "project_code", "contractor_credit_code", "address", "start_date",
    "end_date", "workers", "name_search", "name_bigrams", "created_at", "updated_at",
)
# Python's str.strip() whitespace (see batchvalidation): a row of only these is blank.
_ANY_SPACE = r"[\s\x1c-\x1f]"


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    invitations: int = 0
    invitation_path: Path | None = None
    invitations_expire_at: object = None
    region_code: str = ""
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first errors by row
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        self.errors.append(error)
        if len(self.errors) > 2 * MAX_REPORTED_ERRORS:
            self.settle()

    def settle(self) -> None:
        """Keep the first MAX_REPORTED_ERRORS errors by row (a stable sort keeps a row's own
        errors in the validator's order)."""
        self.errors.sort(key=lambda e: e.row)
        del self.errors[MAX_REPORTED_ERRORS:]


class ImportFailed(DomainError):
    def __init__(self, report: ImportReport):
        self.report = report
        report.settle()
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


def _map_header(header: list[str], report: ImportReport,
                invite: bool = False) -> list[str | None]:
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
            report.add(RowError(1, text, f"列“{ALL_LABELS[name]}”重复"))
        seen.add(name)
        names.append(name)
    for required in ("kind", "name", "region_code"):
        if required not in seen:
            report.add(RowError(1, LABELS[required], f"缺少必需的列“{LABELS[required]}”"))
    if invite:
        if "contact_name" not in seen:
            report.add(RowError(1, "联系人姓名", "生成单位经办人邀请时，缺少必需的列“联系人姓名”"))
        if "contact_phone" not in seen and "contact_email" not in seen:
            report.add(RowError(1, "联系电话",
                                "生成单位经办人邀请时，须有“联系电话”或“电子邮箱”列"))
    return names


def _contact_errors(contacts: pl.DataFrame) -> list[RowError]:
    """Row-numbered errors of the contact columns (only when invitations are made)."""
    from .invitations import CONTACT_LABELS, contact_errors

    labels = CONTACT_LABELS | {"phone": "联系电话"}
    errors = []
    for n, name, phone, email in contacts.iter_rows():
        for field_name, message in contact_errors(name, phone, email):
            errors.append(RowError(n, labels[field_name], message))
    return errors


class _FirstRows:
    """Credit code → first file row, as two sorted NumPy arrays (about 26 bytes a code, where
    a dict of str takes about 140: a million codes stay well inside the memory budget).
    Accepted credit codes are always 18 ASCII characters (the validator sees to it)."""

    def __init__(self):
        self.keys = np.empty(0, dtype="S18")
        self.rows = np.empty(0, dtype=np.int64)

    def __getitem__(self, key: str) -> int:
        at = int(np.searchsorted(self.keys, key.encode()))
        if at == len(self.keys) or self.keys[at] != key.encode():
            raise KeyError(key)
        return int(self.rows[at])

    def add(self, keys: list[str], rows: list[int]) -> list[tuple[int, int]]:
        """Record a batch; returns (row, earlier row) for every key seen before."""
        if not keys:
            return []
        order = np.argsort(np.array(keys, dtype="S18"), kind="stable")
        k = np.array(keys, dtype="S18")[order]
        r = np.array(rows, dtype=np.int64)[order]
        first = np.ones(len(k), dtype=bool)
        first[1:] = k[1:] != k[:-1]
        earlier = r[np.maximum.accumulate(np.where(first, np.arange(len(k)), 0))]
        at = np.searchsorted(self.keys, k)
        found = np.zeros(len(k), dtype=bool)
        if len(self.keys):
            clipped = np.minimum(at, len(self.keys) - 1)
            found = self.keys[clipped] == k
            earlier = np.where(found, self.rows[clipped], earlier)
        repeated = found | ~first
        new = first & ~found
        self.keys = np.insert(self.keys, at[new], k[new])
        self.rows = np.insert(self.rows, at[new], r[new])
        return list(zip(r[repeated].tolist(), earlier[repeated].tolist(), strict=True))


class _Duplicates:
    """First file row of every credit code, project code and town seen so far."""

    def __init__(self):
        self.credit = _FirstRows()
        self.project: dict[str, int] = {}
        self.town: dict[str, int] = {}

    def check(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, list[RowError]]:
        """The batch without its rows that repeat an earlier row, and their errors."""
        errors: list[RowError] = []
        with_code = batch.filter(pl.col("credit_code").is_not_null())
        for n, earlier in self.credit.add(with_code.get_column("credit_code").to_list(),
                                          with_code.get_column("_row").to_list()):
            errors.append(
                RowError(n, LABELS["credit_code"], f"与第 {earlier} 行统一社会信用代码重复"))
        for column, first, label, message in (
            ("project_code", self.project, "project_code", "与第 {} 行项目代码重复"),
            ("region_id", self.town, "region_code", "与第 {} 行为同一乡镇（街道）"),
        ):
            rows = batch.filter(pl.col(column).is_not_null())
            if column == "region_id":
                rows = rows.filter(pl.col("kind") == Kind.TOWN.value)
            for n, value in rows.select("_row", column).iter_rows():
                earlier = first.setdefault(value, n)
                if earlier != n:
                    errors.append(RowError(n, LABELS[label], message.format(earlier)))
        if errors:
            batch = batch.filter(~pl.col("_row").is_in([e.row for e in errors]))
        return batch, errors


def _already_registered(rows_by_value: dict, values, label: str, message: str) -> list[RowError]:
    return [RowError(rows_by_value[v], LABELS[label], message) for v in values]


class _Sink:
    """Writes the accepted batches into units_unit inside the open transaction and checks them
    against the rows already there.

    On PostgreSQL the work runs in one helper thread on the same (psycopg, thread-safe)
    connection; elsewhere inline. The caller keeps at most one batch in flight: it takes
    :meth:`result` (the batch's duplicate errors) before it submits the next one or touches
    the connection, and calls :meth:`close` last, whatever happens."""

    def __init__(self, now, bulk: bool):
        self.now = now
        self.bulk = bulk
        self.table = connection.ops.quote_name(Unit._meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(c) for c in DB_COLUMNS)
        self.postgres = connection.vendor == "postgresql"
        self.pool = None
        if self.postgres:
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hexie-import")
        self.pending: Future | list[RowError] | None = None
        self.dropped: list[tuple[str, str, str]] = []  # (kind, name, definition)
        self.last_old_id = 0
        self.foreign_key: str | None = None

    # --- before and after -------------------------------------------------------------------

    def begin(self) -> None:
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            if self.bulk:
                # Deferred checks still pending in this transaction would forbid ALTER TABLE:
                # run them now (they are all Django's DEFERRABLE INITIALLY DEFERRED foreign
                # keys; finish() defers them again).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self._drop_secondary_structures(cursor)
                return
            # Check each COPY's rows against the divisions as it runs (in the helper thread,
            # overlapping validation) rather than all at COMMIT; restored in finish().
            self.foreign_key = _region_foreign_key(cursor)
            if self.foreign_key:
                cursor.execute(f"SET CONSTRAINTS {self.foreign_key} IMMEDIATE")

    def finish(self, duplicates: _Duplicates, may_write: bool) -> list[RowError]:
        """Bulk: the rows that repeat a row already in the table (one join), then, when the
        import stands, the indexes and constraints back. Returns the duplicate errors."""
        if not self.postgres:
            return []
        with connection.cursor() as cursor:
            if self.foreign_key:
                cursor.execute(f"SET CONSTRAINTS {self.foreign_key} DEFERRED")
            if not self.bulk:
                return []
            errors = self._bulk_duplicates(cursor, duplicates) if self.last_old_id else []
            if may_write and not errors:
                self._restore_secondary_structures(cursor)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return errors

    def _drop_secondary_structures(self, cursor) -> None:
        table = Unit._meta.db_table
        cursor.execute(f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")
        self.last_old_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname", [table])
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid) ORDER BY i.relname",
            [table])
        indexes = cursor.fetchall()
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE {self.table} DROP CONSTRAINT "
                           f"{connection.ops.quote_name(name)}")
            self.dropped.append(("constraint", name, definition))
        for name, definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            self.dropped.append(("index", name, definition))

    def _restore_secondary_structures(self, cursor) -> None:
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)",
                       [settings.HEXIE_IMPORT_MAINTENANCE_WORK_MEM])
        for kind, _name, definition in self.dropped:
            if kind == "index":
                cursor.execute(definition)
        for kind, name, definition in self.dropped:
            if kind == "constraint":
                cursor.execute(f"ALTER TABLE {self.table} ADD CONSTRAINT "
                               f"{connection.ops.quote_name(name)} {definition}")
        cursor.execute(f"ANALYZE {self.table}")

    def _bulk_duplicates(self, cursor, duplicates: _Duplicates) -> list[RowError]:
        t, old = self.table, self.last_old_id
        found = {}
        for column in ("credit_code", "project_code"):
            cursor.execute(
                f"SELECT DISTINCT n.{column} FROM {t} n JOIN {t} o ON o.{column} = n.{column} "
                f"WHERE n.id > %s AND o.id <= %s", [old, old])
            found[column] = [v for (v,) in cursor.fetchall()]
        cursor.execute(
            f"SELECT DISTINCT n.region_id FROM {t} n JOIN {t} o ON o.region_id = n.region_id "
            f"AND o.kind = %s WHERE n.kind = %s AND n.id > %s AND o.id <= %s",
            [Kind.TOWN.value, Kind.TOWN.value, old, old])
        towns = [v for (v,) in cursor.fetchall()]
        return (  # the report orders its errors by row
            _already_registered(duplicates.credit, found["credit_code"], "credit_code",
                                "该统一社会信用代码已登记")
            + _already_registered(duplicates.project, found["project_code"], "project_code",
                                  "该项目代码已登记")
            + _already_registered(duplicates.town, towns, "region_code",
                                  "该乡镇（街道）已登记为创建单位")
        )

    # --- batches ----------------------------------------------------------------------------

    def submit(self, batch: pl.DataFrame, may_write: bool) -> None:
        if self.pool is None:
            self.pending = self._check_and_write(batch, may_write, None)
        else:
            connection.ensure_connection()
            self.pending = self.pool.submit(
                self._check_and_write, batch, may_write, connection.connection
            )

    def result(self) -> list[RowError]:
        """The duplicate errors of the batch in flight (waiting for it); database errors are
        raised as Django's."""
        pending, self.pending = self.pending, None
        if isinstance(pending, Future):
            with connection.wrap_database_errors:
                return pending.result()
        return pending or []

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    def _check_and_write(self, batch: pl.DataFrame, may_write: bool,
                         raw_connection) -> list[RowError]:
        errors = [] if self.bulk else self._registered(batch, raw_connection)
        if self.bulk or (may_write and not errors):
            # Bulk: written even after an error, so that the final join finds every
            # duplicate of the table; the transaction is rolled back anyway.
            self._write(batch, raw_connection)
        return errors

    def _registered(self, batch: pl.DataFrame, raw_connection) -> list[RowError]:
        def values(column, frame=batch):
            return frame.get_column(column).drop_nulls().to_list()

        credit, project = values("credit_code"), values("project_code")
        towns = values("region_id", batch.filter(pl.col("kind") == Kind.TOWN.value))
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
            # prefers a (parallel) scan of the whole table for every batch, which made the
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
        if not (dup_credit or dup_project or dup_town):
            return []
        errors = []
        for n, kind, region, credit_code, project_code in batch.select(
                "_row", "kind", "region_id", "credit_code", "project_code").iter_rows():
            if credit_code in dup_credit:
                errors.append(RowError(n, LABELS["credit_code"], "该统一社会信用代码已登记"))
            if project_code in dup_project:
                errors.append(RowError(n, LABELS["project_code"], "该项目代码已登记"))
            if kind == Kind.TOWN and region in dup_town:
                errors.append(RowError(n, LABELS["region_code"], "该乡镇（街道）已登记为创建单位"))
        return errors

    def _write(self, batch: pl.DataFrame, raw_connection) -> None:
        if batch.height == 0:
            return
        # The search columns Unit.save() would write (search.py), computed for the batch here,
        # in the import process: PostgreSQL then evaluates no expression per row.
        search, bigrams = search_columns(batch.get_column("name"), postgres=self.postgres)
        rows = batch.with_columns(search, bigrams).select(
            "kind", "name", "region_id", "credit_code", "industry", "industry_section",
            "employees", "revenue_yuan", "assets_yuan", "size_derived",
            pl.lit("").alias("size_override"), pl.lit("").alias("size_override_reason"),
            pl.col("size_derived").alias("size"), "platform", "project_code",
            "contractor_credit_code", "address", "start_date", "end_date", "workers",
            "name_search", "name_bigrams",
        )
        if raw_connection is None:
            placeholders = ", ".join(["%s"] * len(DB_COLUMNS))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})",
                    [(*row, self.now, self.now) for row in rows.iter_rows()],
                )
            return
        stamp = self.now.isoformat()
        data = io.BytesIO()
        rows.with_columns(created_at=pl.lit(stamp), updated_at=pl.lit(stamp)).write_csv(
            data, include_header=False)
        with raw_connection.cursor() as cursor, cursor.copy(
            f"COPY {self.table} ({self.columns}) FROM STDIN WITH (FORMAT csv)"
        ) as copy:
            copy.write(data.getbuffer())


def _existing(field_name: str, values: list[str]) -> set[str]:
    if not values:
        return set()
    found: set[str] = set()
    for i in range(0, len(values), 900):
        found.update(
            Unit.objects.filter(**{f"{field_name}__in": values[i:i + 900]}).values_list(
                field_name, flat=True
            )
        )
    return found


def _region_foreign_key(cursor) -> str | None:
    """PostgreSQL: the quoted name of units_unit's deferrable foreign key to the divisions."""
    constraints = connection.introspection.get_constraints(cursor, Unit._meta.db_table)
    for name, info in constraints.items():
        if info["foreign_key"] and info["columns"] == ["region_id"]:
            return connection.ops.quote_name(name)
    return None


def _bulk_load(estimated_rows: int) -> bool:
    """Whether to load with the indexes dropped: PostgreSQL, a big file, and at least as many
    new rows as the table already holds (rebuilding costs in proportion to the whole table)."""
    if connection.vendor != "postgresql":
        return False
    if estimated_rows < settings.HEXIE_IMPORT_BULK_ROWS:
        return False
    return estimated_rows >= Unit.objects.count()


def import_units(actor, path: Path | str, *, original_name: str | None = None,
                 scope: Scope | None = None, invite: bool = False, job=None,
                 base_url: str | None = None) -> ImportReport:
    """Import every row of ``path`` or none. Raises ImportFailed with the report on any error.

    ``scope`` is for system jobs (the synthetic seed) that act for the whole province.
    ``invite``: also one unit_admin invitation per imported unit for the row's contact, in the
    same transaction, and the private list of links (``report.invitation_path``); ``job`` is
    the ImportJob they belong to (None from the command line)."""
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
    table = read_table(path)
    names = _map_header(table.header, report, invite)
    if report.error_count:
        raise ImportFailed(report)
    present = [name for name in names if name and name not in CONTACT_FIELDS]
    text_columns = [f"c{i}" for i in range(len(names))]
    fields = [pl.col(f"c{i}").alias(name) for i, name in enumerate(names)
              if name and name not in CONTACT_FIELDS]
    fields += [pl.lit("").alias(name) for name in FIELDS if name not in present]
    contact_fields = [
        (pl.col(f"c{names.index(name)}").fill_null("").str.strip_chars() if name in names
         else pl.lit(""))
        .alias(name) for name in CONTACT_FIELDS]
    contacts: dict[int, tuple[str, str, str]] = {}
    written: list[int] = []  # file rows in the order they were written
    validator = BatchValidator(UnitValidator.from_database(), scope.covers_region)
    duplicates = _Duplicates()
    regions: set[str] = set()  # of the rows accepted; their common prefix goes into the audit
    by_kind = report.by_kind
    with transaction.atomic():
        first_id = (Unit.objects.order_by("-id").values_list("id", flat=True).first() or 0) \
            if invite else 0
        sink = _Sink(timezone.now(), bulk=_bulk_load(table.estimated_rows))
        try:
            sink.begin()
            for frame in table.batches:
                blank = pl.concat_str(text_columns).str.replace_all(_ANY_SPACE, "") == ""
                frame = frame.filter(~(blank & ~pl.col("_extra")))
                report.rows += frame.height
                errors = [RowError(n, "", "该行的列数多于表头")
                          for n in frame.filter(pl.col("_extra")).get_column("_row")]
                frame = frame.filter(~pl.col("_extra"))
                if invite:
                    contact_frame = frame.select("_row", *contact_fields)
                    errors += _contact_errors(contact_frame)
                    contacts.update((n, (a, b, c)) for n, a, b, c in contact_frame.iter_rows())
                frame = frame.select("_row", *fields)
                accepted, problems = validator.clean(frame, present)
                accepted, repeated = duplicates.check(accepted)
                for e in errors + problems + repeated:  # ordered by row in report.settle()
                    report.add(e)
                for e in sink.result():  # the previous batch's, before this one goes out
                    report.add(e)
                regions.update(accepted.get_column("region_id").unique().to_list())
                for kind, count in accepted.get_column("kind").value_counts().iter_rows():
                    by_kind[kind] = by_kind.get(kind, 0) + count
                if invite:
                    written.extend(accepted.get_column("_row").to_list())
                sink.submit(accepted, may_write=not report.error_count)
            for e in sink.result():
                report.add(e)
            for e in sink.finish(duplicates, may_write=not report.error_count):
                report.add(e)
        finally:
            sink.close()
        if report.rows == 0:
            report.add(RowError(2, "", "文件中没有数据行"))
        if report.error_count:
            transaction.set_rollback(True)
            raise ImportFailed(report)
        report.imported = report.rows
        prefix = _common_prefix(regions)
        report.region_code = prefix
        try:
            if invite:
                _invite(actor, job, report, sink.now, first_id, written, contacts, base_url)
            audit.record(
                actor, "units.import", None, object_type="units.unit", object_id="",
                object_repr=original_name or path.name, region_code=prefix,
                after={"file": original_name or path.name, "sha256": sha, "rows": report.rows,
                       "by_kind": report.by_kind, "invitations": report.invitations,
                       "job_id": getattr(job, "pk", None)},
            )
        except BaseException:
            if report.invitation_path is not None:  # its links died with the rollback
                report.invitation_path.unlink(missing_ok=True)
                report.invitation_path = None
            raise
    return report


def _invite(actor, job, report: ImportReport, now, first_id: int, written: list[int],
            contacts: dict, base_url) -> None:
    """The imported units, in the order they were written (the rows of this import carry its
    own ``created_at``), matched with their rows' contacts, then invited."""
    from .invitations import invite_imported

    new = Unit.objects.filter(id__gt=first_id)
    if connection.vendor == "postgresql":
        # Another import committing meanwhile may hold ids above ``first_id``; this import's
        # rows alone carry its timestamp. (SQLite runs one writer at a time, and its raw
        # executemany stores the timestamp in another text form than a filter would use.)
        new = new.filter(created_at=now)
    units = list(new.order_by("id").only("id", "name", "credit_code", "region_id", "kind"))
    if len(units) != len(written):
        raise RuntimeError(f"imported {len(written)} rows but found {len(units)} new units")
    count, path, expires = invite_imported(
        actor, job, units, [contacts[n] for n in written], base_url=base_url)
    report.invitations, report.invitation_path = count, path
    report.invitations_expire_at = expires


def _common_prefix(regions: set[str]) -> str:
    if not regions:
        return ""
    low, high = min(regions), max(regions)
    size = 0
    while size < min(len(low), len(high)) and low[size] == high[size]:
        size += 1
    return low[:size]


def template_csv() -> bytes:
    """The import template: Chinese headers and one example row per kind. The three contact
    columns at the end are needed only to make unit-admin invitations with the import."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in COLUMNS] + [label for _, label in CONTACT_COLUMNS])
    code = cc.make("91330106", "MA2H7K3P")
    examples = [
        ["企业", "杭州示例科技有限公司", code, "330106002", "I6513", "120",
         "35000000", "20000000", "否", "", "", "西湖区示例路 1 号", "", "", "",
         "张三", "13800000001", "zhangsan@example.com"],
        ["工地项目", "示例安置房工程", "", "330106002", "", "", "", "", "",
         "2026-330106-47-01-000001",
         code, "西湖区示例地块", "2026-03-01", "2027-12-31", "350", "李四", "0571-87000001", ""],
        ["工业园区", "示例工业园区", "", "330106002", "", "", "", "", "", "", "", "", "", "", "",
         "王五", "13800000003", ""],
        ["乡镇（街道）", "", "", "330106002", "", "", "", "", "", "", "", "", "", "", "",
         "赵六", "", "zhaoliu@example.com"],
        ["行业（协会）", "西湖区示例行业协会", "", "330106", "I65", "", "", "", "", "", "", "", "",
         "", "", "钱七", "13800000005", ""],
    ]
    writer.writerows(examples)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
