import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hexie.core.scoping import Scope
from hexie.regions.models import Division
from hexie.units.importing import ImportFailed, import_units
from hexie.units.models import Unit
from hexie.units.seed import synthetic_rows, write_csv


class Command(BaseCommand):
    help = "生成可复现的合成创建单位数据（演示和基准测试用）"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, required=True, help="单位数量")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（相同种子结果相同）")
        parser.add_argument("--region", default="", help="只在该区划代码下生成，如 330106")
        parser.add_argument("--csv", help="只写出导入文件，不写入数据库")

    def handle(self, *args, units, seed, region, csv=None, **options):
        towns = list(Division.objects.filter(level="town").values_list("code", "name"))
        if not towns:
            raise CommandError("尚未载入行政区划，请先运行 hexie regions load")
        try:
            taken = set(Unit.objects.filter(kind="town").values_list("region_id", flat=True))
            rows = synthetic_rows(units, seed, towns, region, taken)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if csv:
            count = write_csv(rows, csv)
            self.stdout.write(f"已写出 {count} 行到 {csv}")
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"seed-{seed}-{units}.csv"
            write_csv(rows, path)
            try:
                report = import_units(None, path, original_name=path.name,
                                      scope=Scope(("33",)))
            except ImportFailed as exc:
                first = "；".join(f"第 {e.row} 行 {e.column}：{e.message}"
                                 for e in exc.report.errors[:5])
                raise CommandError(f"合成数据导入失败：{first}") from exc
        self.stdout.write(f"已生成并导入 {report.imported} 个单位（种子 {seed}）。")
