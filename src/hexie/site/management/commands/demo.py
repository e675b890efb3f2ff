from django.conf import settings
from django.core.management.base import BaseCommand

from hexie.site.demo import load_demo


class Command(BaseCommand):
    help = "载入演示数据（每个角色一个演示账号，可重复执行）"

    def handle(self, *args, **options):
        accounts = load_demo()
        self.stdout.write(format_accounts(accounts, settings.HEXIE_DEMO_PASSWORD))


def format_accounts(accounts, password) -> str:
    lines = [f"演示账号（密码均为 {password}）："]
    lines += [f"  {u:<10} {label} · {scope}" for u, label, scope in accounts]
    return "\n".join(lines)
