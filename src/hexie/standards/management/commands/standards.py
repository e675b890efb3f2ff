import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from hexie.standards.contract import ContractError, library_for, template
from hexie.standards.library import LibraryError
from hexie.standards.services import load_path


class Command(BaseCommand):
    help = "创建标准：load [PATH] 载入标准库；template --kind KIND 输出自评表所需事实"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="校验并载入标准库（缺省：内置的全部标准库）")
        load.add_argument("path", nargs="?")
        tpl = sub.add_parser("template", help="以 JSON 输出某类单位自评所需的全部事实")
        tpl.add_argument("--kind", required=True)
        tpl.add_argument("--size")
        tpl.add_argument("--platform", action="store_true")
        tpl.add_argument("--standard")

    def handle(self, *args, action, **options):
        if action == "load":
            try:
                results = load_path(None, Path(options["path"]) if options.get("path") else None)
            except LibraryError as exc:
                self.stderr.write(f"标准库有误：{exc}")
                sys.exit(2)
            for row, created in results:
                state = "已载入" if created else "未变化"
                self.stdout.write(f"{state}：{row.key} {row.title}")
            return
        try:
            lib = library_for(options.get("standard"))
            data = template(lib, options["kind"], options.get("size"), options["platform"])
        except ContractError as exc:
            self.stderr.write(exc.message)
            sys.exit(2)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
