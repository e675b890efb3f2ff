import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from hexie.core.policies import PolicyError, load_all


class Command(BaseCommand):
    help = "政策版本：load 载入各应用 data/policy/ 下的政策文件（已载入且内容相同的不变）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="校验并载入全部政策文件，另可指定 NAME=PATH 载入新文件")
        load.add_argument("extra", nargs="*", metavar="NAME=PATH")

    def handle(self, *args, action, **options):
        extra = []
        for item in options.get("extra") or []:
            name, sep, path = item.partition("=")
            if not sep:
                self.stderr.write(f"参数应为 NAME=PATH：{item}")
                sys.exit(2)
            extra.append((name, Path(path)))
        try:
            results = load_all(extra=extra)
        except PolicyError as exc:
            self.stderr.write(f"政策文件有误：{exc}")
            sys.exit(2)
        for row, created in results:
            state = "已载入" if created else "未变化"
            where = row.region_prefix or "全省"
            self.stdout.write(f"{state}：{row.name} {row.version}"
                              f"（{where}，{row.effective_from:%Y-%m-%d} 起）")
