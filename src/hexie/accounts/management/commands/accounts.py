"""``hexie accounts create|deactivate|reactivate|partner-org|assessor-org``: accounts and
organisations made on the server, by the system.

Every change goes through accounts.services / accounts.invitations as the system actor with
the reason ``cli``, so it is checked and audited like a change made on a page. Bad input exits
with status 2 and a one-line Chinese reason, and nothing is written.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hexie.accounts import services
from hexie.accounts.assessor_orgs import create_assessor_organisation
from hexie.accounts.invitations import invite
from hexie.accounts.models import AssessorOrganisation, Membership, PartnerOrganisation, User
from hexie.accounts.partners import create_partner_organisation, find_partner_organisation
from hexie.accounts.roles import ROLE_SPECS, Role
from hexie.core.errors import DomainError

# accounts sits below units in the layers: the unit model is reached through the foreign key.
Unit = Membership._meta.get_field("unit").related_model
REASON = "cli"


def refuse(message) -> CommandError:
    return CommandError(str(message), returncode=2)


class Command(BaseCommand):
    help = "创建、停用、启用账号（运维在服务器上执行；以系统身份、原因 cli 写入审计）"
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser(
            "create", help="创建账号：--password-stdin 时直接设置密码，否则生成邀请链接")
        create.add_argument("username")
        create.add_argument("--role", required=True, help="角色，如 province_office")
        create.add_argument("--region", help="区划代码（三方办、协调员、合作单位）")
        create.add_argument("--unit", help="单位统一社会信用代码（创建单位经办人）")
        create.add_argument("--org",
                            help="评估机构名称（评估机构人员）或合作组织名称（合作单位人员）")
        create.add_argument("--email", default="")
        create.add_argument("--name", default="", help="姓名")
        create.add_argument("--password-stdin", action="store_true",
                            help="从标准输入读取密码（一行）")
        partner = actions.add_parser(
            "partner-org", help="创建合作组织（总工会、企业联合会/企业家协会、工商联）")
        partner.add_argument("name", help="组织名称，如 西湖区总工会")
        partner.add_argument("--kind", required=True, choices=PartnerOrganisation.Kind.values,
                             help="trade_union 总工会 / enterprise_confederation 企联 / "
                                  "federation_of_industry_commerce 工商联")
        partner.add_argument("--region", required=True, help="所在区划代码（省、市或县级）")
        assessor = actions.add_parser("assessor-org", help="登记社会第三方评估机构")
        assessor.add_argument("name", help="机构名称")
        assessor.add_argument("--region", required=True, help="所在区划代码（省、市或县级）")
        assessor.add_argument("--credit-code", default="", help="统一社会信用代码（18 位，可选）")
        for name, text in (("deactivate", "停用账号（不删除，历史记录保留）"),
                           ("reactivate", "重新启用已停用的账号")):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("username")
            sub.add_argument("--reason", default=REASON, help="写入审计的原因")

    def handle(self, *args, action, username=None, **options):
        try:
            if action == "create":
                self.create(username, **options)
            elif action == "partner-org":
                made = create_partner_organisation(None, options["name"], options["kind"],
                                                   options["region"], reason=REASON)
                self.stdout.write(f"已创建合作组织 {made.name}（{made.get_kind_display()}，"
                                  f"{made.region_id}）")
            elif action == "assessor-org":
                made = create_assessor_organisation(None, options["name"],
                                                    options["credit_code"], options["region"],
                                                    reason=REASON)
                self.stdout.write(f"已登记评估机构 {made.name}（{made.region_id}）")
            else:
                self.set_active(action, username, options["reason"])
        except DomainError as exc:
            raise refuse(exc.message) from exc

    def create(self, username, *, role, region, unit, org, email, name, password_stdin,
               **options):
        if role not in ROLE_SPECS:
            raise refuse(f"未知角色 {role}；可用角色：{', '.join(ROLE_SPECS)}")
        target = {"region": region or None, "unit": None, "organisation": None}
        if unit:
            target["unit"] = Unit.objects.filter(credit_code=unit.strip().upper()).first()
            if target["unit"] is None:
                raise refuse(f"没有统一社会信用代码为 {unit} 的单位")
        if org and role == Role.PARTNER:  # a partner's --org names its partner organisation
            target["organisation"] = find_partner_organisation(org, region)
        elif org:
            target["organisation"] = AssessorOrganisation.objects.filter(name=org).first()
            if target["organisation"] is None:
                raise refuse(f"没有名为 {org} 的评估机构")
        services.check_may_grant(None, role, **target)
        if password_stdin:
            stdin = options.get("stdin") or sys.stdin
            password = stdin.readline().rstrip("\r\n")
            person = services.create_account(None, username, password, role, email=email,
                                              display_name=name, reason=REASON, **target)
            self.stdout.write(f"已创建账号 {person.username}（{role}）")
            return
        _, link = invite(None, role, email=email, display_name=name, username=username,
                         reason=REASON, **target)
        days = settings.HEXIE_INVITATION_DAYS
        self.stdout.write(f"已生成账号 {username} 的邀请链接（只显示这一次，{days} 天内有效）：")
        self.stdout.write(link)

    def set_active(self, action, username, reason):
        person = User.objects.filter(username=username).first()
        if person is None:
            raise refuse(f"用户 {username} 不存在")
        change = services.deactivate if action == "deactivate" else services.reactivate
        change(None, person, reason=reason or REASON)
        self.stdout.write(f"{'已停用' if action == 'deactivate' else '已启用'}账号 {username}")
