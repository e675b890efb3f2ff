import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from hexie.healthcheck.catalogue import CatalogueError
from hexie.healthcheck.services import load_path


class Command(BaseCommand):
    help = "线上用工体检：load [PATH] 校验并载入体检目录（缺省：内置的全部目录）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="校验并载入体检目录（缺省：内置的全部目录）")
        load.add_argument("path", nargs="?")

    def handle(self, *args, action, **options):
        try:
            results = load_path(None, Path(options["path"]) if options.get("path") else None)
        except CatalogueError as exc:
            self.stderr.write(f"体检目录有误：{exc}")
            sys.exit(2)
        for row, created in results:
            state = "已载入" if created else "未变化"
            self.stdout.write(f"{state}：{row.key} {row.title}")
