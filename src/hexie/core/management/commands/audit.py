import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from hexie.core.audit import verify
from hexie.core.audit_archive import ArchiveRefused, archive


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链；archive 将保留期外的事件归档到文件"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="逐条校验审计事件哈希链，发现断裂时以非零状态退出")
        arc = sub.add_parser("archive", help="把 --before 之前且超出保留期的事件写入 "
                                             "var/audit-archive/ 下的 gzip JSONL 文件并记录其哈希")
        arc.add_argument("--before", required=True, metavar="YYYY-MM-DD",
                         help="只归档此日期（北京时间）之前记录的事件")

    def handle(self, *args, action, **options):
        if action == "archive":
            return self._archive(options["before"])
        result = verify()
        if result.ok:
            self.stdout.write(f"审计链完整：已校验 {result.checked} 条事件。")
            return
        self.stderr.write(
            f"审计链断裂：第一个异常事件 #{result.broken_event_id}："
            f"{result.problem}（此前 {result.checked} 条完好）"
        )
        sys.exit(1)

    def _archive(self, before: str):
        try:
            day = datetime.date.fromisoformat(before)
        except ValueError:
            raise CommandError(f"--before 应为 YYYY-MM-DD 日期：{before}", returncode=2) from None
        try:
            result = archive(day)
        except ArchiveRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        if result.archive is None:
            self.stdout.write(f"{day:%Y-%m-%d} 之前没有可归档的事件。")
            return
        made = result.archive
        self.stdout.write(
            f"已归档 {made.count} 条事件（#{made.first_id}–#{made.last_id}）到 {made.file_path}，"
            f"SHA-256 {made.sha256}。")
