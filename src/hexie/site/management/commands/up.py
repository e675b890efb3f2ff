import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from hexie.site.demo import load_demo
from hexie.site.management.commands.demo import format_accounts


def server_environment(environ, *, demo: bool) -> dict:
    """The environment gunicorn runs with. The demo accounts share a printed password and have
    no phones enrolled, so a demo server runs without the second factor unless
    HEXIE_REQUIRE_2FA is set explicitly; without the demo nothing changes (default on)."""
    server_env = dict(environ)
    if demo:
        server_env.setdefault("HEXIE_REQUIRE_2FA", "false")
    return server_env


class Command(BaseCommand):
    help = "初始化并启动平台：迁移数据库、载入区划和演示数据、收集静态文件，用 gunicorn 提供服务"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("HEXIE_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2))
        )
        parser.add_argument("--no-demo", action="store_true", help="不载入演示数据")
        parser.add_argument("--no-serve", action="store_true", help="只初始化，不启动服务")

    def handle(self, *args, bind, workers, no_demo, no_serve, **options):
        db = settings.DATABASES["default"]
        self.stdout.write(f"数据库：{db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("regions", "load")
        call_command("standards", "load")
        call_command("healthcheck", "load")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo:
            self.stdout.write("载入演示数据（首次约需半分钟）……")
            self.stdout.write(format_accounts(load_demo(), settings.HEXIE_DEMO_PASSWORD))
        server_env = server_environment(os.environ, demo=not no_demo)
        if server_env.get("HEXIE_REQUIRE_2FA", "").lower() in ("false", "0", "no", "off"):
            self.stdout.write("演示环境：未启用双因素认证（HEXIE_REQUIRE_2FA=false）。"
                              "正式上线请使用 --no-demo，"
                              "三方办、评估机构和合作单位须绑定手机验证器。")
        if no_serve:
            return
        self.stdout.write(f"服务地址：http://{bind}/  （Ctrl+C 停止）")
        sys.stdout.flush()
        os.execvpe(sys.executable, [
            sys.executable, "-m", "gunicorn", "hexie.wsgi:application", "--bind", bind,
            "--workers", str(workers), "--timeout", "120", "--access-logfile", "-",
        ], server_env)
