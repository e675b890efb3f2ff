"""``hexie tokens create|revoke|list|archive-log``: API tokens for other systems, from the
server; ``archive-log`` moves calls older than the retention to a file (accounts.access_log).

Without ``--as-user`` the command acts as the system (actor None, reason "cli"), as
``hexie membership`` does; with it, as that person, with their scope and permissions. Bad input
exits with status 2 and one line saying why; nothing is written then.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from hexie.accounts import access_log, tokens
from hexie.accounts.models import ApiToken, User
from hexie.core.audit_archive import ArchiveRefused, retention_days
from hexie.core.errors import DomainError


class Command(BaseCommand):
    help = "创建、撤销或列出外部系统使用的 API 令牌（经 accounts.tokens 审计）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建令牌（令牌只显示这一次）")
        create.add_argument("name", help="令牌名称（调用方系统）")
        create.add_argument("--region", required=True, help="令牌限定的区划代码")
        create.add_argument("--write", nargs="*", default=[], metavar="PERM",
                            help="写权限，如 units.change；不给则只读")
        create.add_argument("--days", type=int, default=None, help="有效天数")
        create.add_argument("--as-user", dest="as_user", help="以该用户身份创建")
        revoke = sub.add_parser("revoke", help="撤销令牌")
        revoke.add_argument("name")
        revoke.add_argument("--as-user", dest="as_user", help="以该用户身份撤销")
        archive = sub.add_parser(
            "archive-log", help="把保留期（HEXIE_AUDIT_RETENTION_DAYS）以前的调用记录归档到文件")
        archive.add_argument("--before", default=None, metavar="YYYY-MM-DD",
                             help="归档该日期（北京时间）以前的调用记录；默认为保留期的起点")
        listing = sub.add_parser("list", help="列出令牌")
        listing.add_argument("--as-user", dest="as_user", help="只列该用户管理的令牌")

    def handle(self, *args, action, as_user=None, **options):
        try:
            actor = User.objects.get(username=as_user) if as_user else None
            getattr(self, f"_{action.replace('-', '_')}")(actor, **options)
        except User.DoesNotExist:
            self._fail(_("用户 %(name)s 不存在。") % {"name": as_user})
        except ApiToken.DoesNotExist:
            self._fail(_("令牌 %(name)s 不存在。") % {"name": options.get("name")})
        except Http404:  # OutOfScope: outside the acting user's scope
            self._fail(_("该区划或令牌不在 %(name)s 的管辖范围内。") % {"name": as_user})
        except DomainError as exc:
            self._fail(str(exc.message))

    def _fail(self, message: str):
        raise CommandError(message, returncode=2)

    def _create(self, actor, *, name, region, write, days, **options):
        token, key = tokens.create_token(actor, name, region, write=write, days=days,
                                         reason="" if actor else "cli")
        self.stdout.write(key)
        self.stderr.write(_("请立即妥善保存：令牌只显示这一次，平台只保存其摘要。"))
        self.stdout.write(f"{token.name} {token.prefix}… {token.region_id} "
                          f"{','.join(token.write_permissions) or 'read-only'} "
                          f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}")

    def _revoke(self, actor, *, name, **options):
        token = tokens.tokens_for(actor).get(name=name) if actor else ApiToken.objects.get(
            name=name)
        tokens.revoke_token(actor, token, reason="" if actor else "cli")
        self.stdout.write(f"revoke {name}: ok")

    def _archive_log(self, actor, *, before, **options):
        if before:
            try:
                day = datetime.date.fromisoformat(before)
            except ValueError:
                self._fail(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": before})
        else:
            days = retention_days()
            if days is None:
                self._fail(_("未设置 HEXIE_AUDIT_RETENTION_DAYS：调用记录永久保留，不归档。"))
            day = timezone.localdate() - datetime.timedelta(days=days)
        try:
            path, count = access_log.archive(day, actor=actor)
        except ArchiveRefused as exc:
            self._fail(str(exc))
        if not count:
            self.stdout.write(_("没有需要归档的调用记录。"))
            return
        self.stdout.write(f"{count} {path}")

    def _list(self, actor, **options):
        now = timezone.now()
        for token in tokens.tokens_for(actor).order_by("name"):
            state = ("revoked" if token.revoked_at else "expired" if token.expires_at <= now
                     else "active")
            used = (f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}"
                    if token.last_used_at else "-")
            self.stdout.write(
                f"{token.name}\t{token.prefix}…\t{token.region_id}\t"
                f"{','.join(token.write_permissions) or 'read-only'}\t"
                f"{timezone.localtime(token.expires_at):%Y-%m-%d}\t{state}\t{used}")
