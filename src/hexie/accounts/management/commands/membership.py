from django.core.management.base import BaseCommand, CommandError

from hexie.accounts import services
from hexie.accounts.models import AssessorOrganisation, Membership, User
from hexie.accounts.partners import find_partner_organisation
from hexie.accounts.roles import Role
from hexie.core.errors import DomainError

# accounts sits below units in the layers: the unit model is reached through the foreign key.
Unit = Membership._meta.get_field("unit").related_model


class Command(BaseCommand):
    help = "授予或撤销角色（运维在服务器上执行；经 accounts.services 审计）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["grant", "revoke"])
        parser.add_argument("username")
        parser.add_argument("role")
        parser.add_argument("--region", help="区划代码（三方办、协调员、合作单位）")
        parser.add_argument("--unit", type=int, help="单位 ID（创建单位经办人）")
        parser.add_argument("--organisation",
                            help="评估机构名称（评估机构人员）或合作组织名称（合作单位人员）")
        parser.add_argument("--reason", required=True, help="授权或撤销的依据（写入审计）")

    def handle(self, *args, action, username, role, region, unit, organisation, reason,
               **options):
        try:
            person = User.objects.get(username=username)
            unit = Unit.objects.get(pk=unit) if unit else None
            if organisation and role == Role.PARTNER:
                organisation = find_partner_organisation(organisation, region)
            elif organisation:
                organisation = AssessorOrganisation.objects.get(name=organisation)
            if action == "grant":
                services.grant_membership(None, person, role, region=region, unit=unit,
                                          organisation=organisation, reason=reason)
            else:
                target = services.new_membership(role, region=region, unit=unit,
                                                 organisation=organisation)
                membership = Membership.objects.get(
                    user=person, role=role, region_id=target.region_id, unit=unit,
                    organisation=target.organisation,
                    partner_organisation=target.partner_organisation)
                services.revoke_membership(None, membership, reason=reason)
        except (User.DoesNotExist, Unit.DoesNotExist, AssessorOrganisation.DoesNotExist,
                Membership.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{action} {username} {role}: ok")
