"""Load (or refresh) the division snapshot from the committed CSV, idempotently."""

import csv
from pathlib import Path

from django.db import transaction

from .models import CODE_LENGTH, Division

DEFAULT_SNAPSHOT = Path(__file__).parent / "data" / "zhejiang_divisions.csv"


class SnapshotError(ValueError):
    pass


COLUMNS = ("code", "name", "level", "parent_code")


def read_snapshot(path: Path = DEFAULT_SNAPSHOT) -> list[dict]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                expected = ",".join(COLUMNS)
                raise SnapshotError(f"{path}: 缺少列 {', '.join(missing)}（应为 {expected}）")
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{path}: 不是 UTF-8 编码的 CSV 文件") from exc
    seen = set()
    for n, row in enumerate(rows, start=2):
        code, level = row["code"], row["level"]
        if level not in CODE_LENGTH or len(code) != CODE_LENGTH[level] or not code.isdigit():
            raise SnapshotError(f"{path}: 第 {n} 行：区划代码 {code!r} 与层级 {level!r} 不符")
        if row["parent_code"] and row["parent_code"] not in seen:
            raise SnapshotError(f"{path}: 第 {n} 行：上级区划 {row['parent_code']} 不存在")
        seen.add(code)
    return rows


@transaction.atomic
def load_divisions(path: Path = DEFAULT_SNAPSHOT) -> dict[str, int]:
    """Insert new divisions and update changed names; returns counts. Never deletes (units
    may still point at a retired code)."""
    rows = read_snapshot(path)
    existing = {d.code: d for d in Division.objects.all()}
    created = updated = 0
    to_create = []
    for row in rows:
        current = existing.get(row["code"])
        parent = row["parent_code"] or None
        if current is None:
            to_create.append(
                Division(code=row["code"], name=row["name"], level=row["level"], parent_id=parent)
            )
            created += 1
        elif (current.name, current.level, current.parent_id) != (
            row["name"], row["level"], parent
        ):
            current.name, current.level, current.parent_id = row["name"], row["level"], parent
            current.save()
            updated += 1
    Division.objects.bulk_create(to_create, batch_size=500)
    return {"created": created, "updated": updated, "total": Division.objects.count()}
