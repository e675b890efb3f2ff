import sys

from django.core.management.base import BaseCommand

from hexie.core.audit import verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="逐条校验审计事件哈希链，发现断裂时以非零状态退出")

    def handle(self, *args, action, **options):
        result = verify()
        if result.ok:
            self.stdout.write(f"审计链完整：已校验 {result.checked} 条事件。")
            return
        self.stderr.write(
            f"审计链断裂：第一个异常事件 #{result.broken_event_id}："
            f"{result.problem}（此前 {result.checked} 条完好）"
        )
        sys.exit(1)
