import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from hexie.accounts.roles import UNITS_EXPORT
from hexie.core.errors import DomainError
from hexie.core.scoping import Scope
from hexie.units.exporting import write_xlsx
from hexie.units.filters import UnitFilter
from hexie.units.importing import ImportFailed, import_units
from hexie.units.models import Unit
from hexie.units.search import fill_columns
from hexie.units.selectors import units_for


def _user(username):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"用户 {username} 不存在") from None


class Command(BaseCommand):
    help = "创建单位：import FILE 导入（全部成功或全部不写入）；export FILE 导出 XLSX"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="从 CSV/XLSX 导入创建单位")
        imp.add_argument("file")
        imp.add_argument("--as-user", help="以该用户的身份和管辖范围导入（缺省：系统，全省）")
        imp.add_argument("--invite", action="store_true",
                         help="同时生成单位经办人邀请（文件须有联系人姓名及联系电话或电子邮箱列），"
                              "输出邀请清单 XLSX 的路径")
        exp = sub.add_parser("export", help="导出创建单位到 XLSX")
        exp.add_argument("file")
        exp.add_argument("--as-user", help="只导出该用户管辖范围内的单位（缺省：全部）")
        for name in ("region", "kind", "size", "q"):
            exp.add_argument(f"--{name}")
        sub.add_parser("refresh-search", help="按单位名称重新计算名称检索列（升级 Python 后使用）")

    def handle(self, *args, action, file=None, as_user=None, invite=False, **options):
        if action == "refresh-search":
            count = fill_columns(Unit, connection)
            self.stdout.write(f"已重新计算 {count} 个单位的名称检索列。")
            return
        user = _user(as_user)
        if action == "import":
            self._import(user, Path(file), invite)
        else:
            self._export(user, Path(file), options)

    def _import(self, user, path, invite=False):
        if not path.exists():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        try:
            report = import_units(user, path, scope=None if user else Scope(("33",)),
                                  invite=invite)
        except ImportFailed as exc:
            r = exc.report
            for e in r.errors:
                column = f"[{e.column}]" if e.column else ""
                self.stderr.write(f"第 {e.row} 行{column}：{e.message}")
            if r.error_count > len(r.errors):
                self.stderr.write(f"……另有 {r.error_count - len(r.errors)} 处错误未列出")
            self.stderr.write(f"导入失败：{r.error_count} 处错误，共 {r.rows} 行，未写入任何数据。")
            sys.exit(2)
        except DomainError as exc:
            self.stderr.write(str(exc.message))
            sys.exit(2)
        self.stdout.write(f"已导入 {report.imported} 个单位。")
        if report.invitation_path is not None:
            self.stdout.write(f"已生成 {report.invitations} 个单位经办人邀请，邀请清单："
                              f"{report.invitation_path}（含邀请链接，请妥善保管，交付后删除）")

    def _export(self, user, path, options):
        query = {k: options[k] for k in ("region", "kind", "size", "q") if options.get(k)}
        check = UnitFilter(query, queryset=Unit.objects.none())
        if not check.is_valid():
            problems = "；".join(f"--{k}：{' '.join(v)}" for k, v in check.errors.items())
            raise CommandError(f"筛选条件无效：{problems}", returncode=2)
        if user:  # the same choke point as the page
            units = units_for(user, query, UNITS_EXPORT)
        else:  # the operator at the console: the whole registry
            units = UnitFilter(query, queryset=Unit.objects.all()).qs
        count = write_xlsx(units, path)
        self.stdout.write(f"已导出 {count} 个单位到 {path}")
