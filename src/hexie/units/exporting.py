"""XLSX export of a (filtered, scoped) unit queryset in constant memory.

openpyxl's write-only mode keeps one row in memory; rows come from the database in chunks. The
finished workbook is a temporary file streamed to the client or written to disk.
"""

import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import Kind
from .size import Size

COLUMNS = (
    ("id", "编号"), ("kind", "单位类型"), ("name", "单位名称"), ("credit_code", "统一社会信用代码"),
    ("region_id", "所在区划代码"), ("region__name", "所在区划"), ("industry", "行业代码"),
    ("employees", "职工人数"), ("revenue_yuan", "营业收入（元）"),
    ("assets_yuan", "资产总额（元）"),
    ("size", "企业规模"), ("size_override_reason", "规模核定理由"), ("platform", "是否平台企业"),
    ("project_code", "项目代码"), ("contractor_credit_code", "总承包单位信用代码"),
    ("address", "地址"), ("start_date", "开工日期"), ("end_date", "竣工日期"),
    ("workers", "务工人数"),
)
_KIND = dict(Kind.choices)
_SIZE = dict(Size.choices)


def _value(field, value):
    if field == "kind":
        return str(_KIND.get(value, value))
    if field == "size":
        return str(_SIZE.get(value, "")) if value else ""
    if field == "platform":
        return "是" if value else "否"
    if value is None:
        return ""
    if field in ("revenue_yuan", "assets_yuan"):
        return float(value)
    return value


def write_xlsx(queryset, target) -> int:
    """Write ``queryset`` to ``target`` (a path or binary file); returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("创建单位")
    bold = Font(bold=True)
    header = []
    for _, title in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    fields = [f for f, _ in COLUMNS]
    count = 0
    for row in queryset.order_by("id").values_list(*fields).iterator(chunk_size=2000):
        sheet.append([_value(f, v) for f, v in zip(fields, row, strict=True)])
        count += 1
    workbook.save(target)
    return count


def export_to_tempfile(queryset) -> tuple[Path, int]:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    handle.close()
    count = write_xlsx(queryset, handle.name)
    return Path(handle.name), count
