"""Reading an import file as batches of text columns (Polars frames), with file row numbers.

Every batch is a frame of string columns ``c0 … c{width-1}`` (one per header column, "" where a
row is short), ``_row`` (the 1-based record number in the file, the header being 1) and
``_extra`` (the row has non-empty values beyond the header). Blank rows are kept; the caller
skips them, so that row numbers stay the file's.

UTF-8 CSV, the big case, is cut into blocks at record boundaries (a newline outside quotes,
found with NumPy) and each block is parsed by Polars' CSV reader. When Polars does not give
exactly one row per record (a ragged row, a stray quote) that block alone is parsed again with
Python's csv module, the reference behaviour. GB18030 CSV and XLSX go through Python's readers.
"""

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from hexie.core.errors import DomainError

BLOCK_BYTES = 2 << 20  # UTF-8 CSV read in blocks of about this size (memory vs per-batch cost)
BATCH_ROWS = 50_000  # rows per batch from the Python readers

UNREADABLE_CSV = "无法识别文件编码：请将 CSV 另存为 UTF-8 或 GBK（GB18030）编码后重新导入。"
UNREADABLE_XLSX = "不是有效的 XLSX 文件（文件损坏，或并非 Excel 2007 及以上格式）。"
_NEWLINE, _QUOTE = 10, 34


@dataclass
class Table:
    header: list[str]
    batches: Iterator[pl.DataFrame]
    estimated_rows: int  # from the file size and the first block; for choosing a load path


def detect_encoding(path: Path) -> str:
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


def read_table(path: Path) -> Table:
    """The header and the batches of ``path``. A file that cannot be read raises DomainError
    with a Chinese message, never a traceback."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        if detect_encoding(path) == "utf-8-sig":
            return _read_utf8_csv(path)
        return _read_python_csv(path, "gb18030")
    raise DomainError("只支持 CSV 或 XLSX 文件。", field="file")


def frame_from_rows(rows: list[list], width: int, first_row: int) -> pl.DataFrame:
    """A batch from Python rows (lists of str), numbered from ``first_row``."""
    extra = [len(r) > width and any(str(v).strip() for v in r[width:]) for r in rows]
    columns: dict[str, list] = {f"c{i}": [] for i in range(width)}
    for r in rows:
        for i in range(width):
            columns[f"c{i}"].append(r[i] if i < len(r) else "")
    frame = pl.DataFrame(
        {name: pl.Series(name, values, dtype=pl.String) for name, values in columns.items()},
        schema={f"c{i}": pl.String for i in range(width)},
    )
    return frame.with_columns(
        pl.Series("_row", range(first_row, first_row + len(rows)), dtype=pl.Int64),
        pl.Series("_extra", extra, dtype=pl.Boolean),
    )


# --- UTF-8 CSV -------------------------------------------------------------------------------

def _record_ends(data: bytes) -> np.ndarray:
    """Offsets of the newlines that end a record (outside quotes) in ``data``, which starts at
    a record boundary. The quote parity survives the uint8 wrap-around (256 is even)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    inside = np.cumsum(raw == _QUOTE, dtype=np.uint8) & 1
    return np.flatnonzero((raw == _NEWLINE) & (inside == 0))


def _python_rows(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DomainError(UNREADABLE_CSV, field="file") from exc


def _parse_block(block: bytes, records: int, width: int, first_row: int) -> pl.DataFrame:
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        frame = pl.read_csv(
            block, has_header=False, schema=schema, quote_char='"', raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != records:
        return frame_from_rows(_python_rows(block.decode("utf-8")), width, first_row)
    frame = frame.with_columns(pl.all().fill_null(""))
    return frame.with_columns(
        pl.int_range(first_row, first_row + records, dtype=pl.Int64).alias("_row"),
        pl.lit(False).alias("_extra"),
    )


def _read_utf8_csv(path: Path) -> Table:
    fh = open(path, "rb")
    try:
        head = fh.read(BLOCK_BYTES)
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8):]
        ends = _record_ends(head)
        while not len(ends):  # a header longer than a block
            more = fh.read(BLOCK_BYTES)
            if not more:
                break
            head += more
            ends = _record_ends(head)
        header_end = int(ends[0]) + 1 if len(ends) else len(head)
        header_rows = _python_rows(head[:header_end].decode("utf-8"))
    except BaseException:
        fh.close()
        raise
    header = header_rows[0] if header_rows else []
    width = len(header)
    body_bytes = max(path.stat().st_size - header_end, 0)
    sample = head[header_end:]
    sample_records = max(len(ends) - 1, 1)
    estimated = int(body_bytes / max(len(sample) / sample_records, 1)) if sample else 0

    def batches():
        with fh:
            pending = head[header_end:]
            row = 2
            eof = False
            while not eof or pending:
                if not eof and len(pending) < BLOCK_BYTES:
                    more = fh.read(BLOCK_BYTES)
                    eof = not more
                    pending += more
                    if not eof:
                        continue
                ends = _record_ends(pending)
                if eof:
                    cut = len(pending)
                    records = len(ends) + (0 if pending.endswith(b"\n") else 1)
                elif len(ends):
                    cut = int(ends[-1]) + 1
                    records = len(ends)
                else:  # one record longer than a block: read on
                    more = fh.read(BLOCK_BYTES)
                    eof = not more
                    pending += more
                    continue
                block, pending = pending[:cut], pending[cut:]
                if records and width:
                    yield _parse_block(block, records, width, row)
                row += records

    return Table(header, batches(), estimated)


# --- Python readers: GB18030 CSV and XLSX ---------------------------------------------------

def _batched(rows: Iterator[list], width: int) -> Iterator[pl.DataFrame]:
    batch: list[list] = []
    row = 2
    for values in rows:
        batch.append(values)
        if len(batch) == BATCH_ROWS:
            yield frame_from_rows(batch, width, row)
            row += len(batch)
            batch = []
    if batch:
        yield frame_from_rows(batch, width, row)


def _read_python_csv(path: Path, encoding: str) -> Table:
    fh = open(path, encoding=encoding, newline="")
    try:
        reader = csv.reader(fh)
        header = next(reader, [])
    except (UnicodeDecodeError, csv.Error) as exc:
        fh.close()
        raise DomainError(UNREADABLE_CSV, field="file") from exc

    def rows():
        with fh:
            try:
                yield from reader
            except (UnicodeDecodeError, csv.Error) as exc:
                raise DomainError(UNREADABLE_CSV, field="file") from exc

    return Table(header, _batched(rows(), len(header)), path.stat().st_size // 100)


def cell_text(value) -> str:
    """An XLSX cell as the text a CSV would hold: dates as ISO dates, booleans as 是/否,
    whole floats without a fractional part."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows, ())]
        estimated = max((sheet.max_row or 1) - 1, 0)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise DomainError(UNREADABLE_XLSX, field="file") from exc

    def texts():
        try:
            for values in rows:
                yield [cell_text(v) for v in values]
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise DomainError(UNREADABLE_XLSX, field="file") from exc
        finally:
            workbook.close()

    return Table(header, _batched(texts(), len(header)), estimated)
