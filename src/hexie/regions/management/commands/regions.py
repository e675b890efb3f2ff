from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hexie.regions.loader import DEFAULT_SNAPSHOT, SnapshotError, load_divisions


class Command(BaseCommand):
    help = "行政区划：load [CSV] 载入（或更新）区划快照"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="载入区划快照（可重复执行）")
        load.add_argument("path", nargs="?", default=str(DEFAULT_SNAPSHOT))

    def handle(self, *args, action, path=None, **options):
        try:
            counts = load_divisions(Path(path))
        except (OSError, SnapshotError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"区划：新增 {counts['created']}，更新 {counts['updated']}，共 {counts['total']}"
        )
