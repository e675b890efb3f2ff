"""The roles of DOMAIN.md §1 and what each may do.

A role's *scope kind* says where its reach comes from: a region code (offices, partners), its
own unit (unit admins) or records that assign units to it (coordinators, assessors).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# Permissions, checked through hexie.core.scoping.scope_for(user, permission).
UNITS_VIEW = "units.view"
UNITS_CREATE = "units.create"
UNITS_CHANGE = "units.change"
UNITS_IMPORT = "units.import"
UNITS_EXPORT = "units.export"
UNITS_OVERRIDE_SIZE = "units.override_size"
AUDIT_VIEW = "audit.view"
# Granting and revoking role memberships (accounts.services): offices within their region and
# no higher than their own level, unit admins for their own unit.
ACCOUNTS_GRANT = "accounts.grant"
# The creation campaign (issue 4, seed 四（一）): the county sends initiative letters and keeps
# the cultivation plan; the unit admin pledges; offices above and partners follow.
CAMPAIGNS_VIEW = "campaigns.view"
CAMPAIGNS_OPEN = "campaigns.open"
CAMPAIGNS_SEND = "campaigns.send_initiative"
CAMPAIGNS_CULTIVATE = "campaigns.cultivate"
CAMPAIGNS_PLEDGE = "campaigns.pledge"
# The congress minutes: the offices and the unit itself, not partners (statistics only).
CAMPAIGNS_RECORDS = "campaigns.view_records"
# Self-assessment (seed 四（二）单位自评): the unit fills it in; offices read it and its evidence.
ASSESSMENTS_VIEW = "assessments.view"
ASSESSMENTS_EDIT = "assessments.edit"
# Recognition (seed 四（二）认定申请、四（三）评审评估): the unit applies; the county assigns
# reviewers and decides; its staff and third-party assessors review what they are assigned.
RECOGNITION_VIEW = "recognition.view"
RECOGNITION_APPLY = "recognition.apply"
RECOGNITION_ASSIGN = "recognition.assign"
RECOGNITION_REVIEW = "recognition.review"
RECOGNITION_DECIDE = "recognition.decide"
# Public notice, objections and the published list (seed 四（三）"向社会公布名单").
PUBLICITY_MANAGE = "publicity.manage"
# The yearly online employment health check (seed 四（四）): the unit answers; the county and the
# town/park offices organise it and follow up remediation.
HEALTHCHECK_VIEW = "healthcheck.view"
HEALTHCHECK_ANSWER = "healthcheck.answer"
HEALTHCHECK_ORGANISE = "healthcheck.organise"
# Worker satisfaction surveys: the unit runs its rounds; offices read the results only.
SURVEYS_VIEW = "surveys.view"
SURVEYS_MANAGE = "surveys.manage"
# Risk signals (seed 四（六）): offices and coordinators, never the unit itself (workers'
# anonymous concerns arrive here).
MONITORING_VIEW = "monitoring.view"
MONITORING_HANDLE = "monitoring.handle"


class Role(models.TextChoices):
    PROVINCE_OFFICE = "province_office", _("省协调劳动关系三方会议办公室")
    CITY_OFFICE = "city_office", _("市三方会议办公室")
    COUNTY_OFFICE = "county_office", _("县（市、区）三方会议办公室")
    TOWN_OFFICE = "town_office", _("工业园区 / 乡镇（街道）")
    COORDINATOR = "coordinator", _("劳动关系协调员")
    ASSESSOR = "assessor", _("社会第三方评估机构")
    PARTNER = "partner", _("总工会 / 企联 / 工商联")
    UNIT_ADMIN = "unit_admin", _("创建单位经办人")
    # The service user behind one API token (accounts.tokens): never a person, never granted by
    # hand; what it may do is the token's (read permissions of its level + its listed writes).
    API_CLIENT = "api_client", _("外部系统（API 令牌）")


class ScopeKind(models.TextChoices):
    REGION = "region", _("按区划")
    UNIT = "unit", _("本单位")
    ASSIGNED = "assigned", _("按指派")


@dataclass(frozen=True)
class RoleSpec:
    scope_kind: str
    region_level: str | None  # the division level a region-scoped membership must name
    permissions: frozenset[str]
    # Held only on the units the role's scope providers give (core.scoping), never over its
    # region: a partner reviews just the applications it is assigned.
    assigned_permissions: frozenset[str] = frozenset()


_OFFICE = frozenset(
    {UNITS_VIEW, UNITS_CREATE, UNITS_CHANGE, UNITS_IMPORT, UNITS_EXPORT, UNITS_OVERRIDE_SIZE,
     AUDIT_VIEW, ACCOUNTS_GRANT}
)

# Only the county office opens the year, sends the letters and keeps the plan (seed 四（一）:
# "县（市、区）协调劳动关系三方…发送…倡议书", "县（市、区）…制定…分类培育、分步推进、分级选树计划").
_COUNTY_CAMPAIGN = frozenset({CAMPAIGNS_VIEW, CAMPAIGNS_RECORDS, CAMPAIGNS_OPEN, CAMPAIGNS_SEND,
                              CAMPAIGNS_CULTIVATE})
_FOLLOW_CAMPAIGN = frozenset({CAMPAIGNS_VIEW, CAMPAIGNS_RECORDS, ASSESSMENTS_VIEW,
                              RECOGNITION_VIEW, HEALTHCHECK_VIEW, SURVEYS_VIEW})
_OFFICE_MONITORING = frozenset({MONITORING_VIEW})
# The county runs recognition (seed 四（三）"县（市、区）协调劳动关系三方每年对申请单位开展……评估").
_COUNTY_RECOGNITION = frozenset({RECOGNITION_ASSIGN, RECOGNITION_REVIEW, RECOGNITION_DECIDE,
                                 PUBLICITY_MANAGE, HEALTHCHECK_ORGANISE, MONITORING_HANDLE})

ROLE_SPECS: dict[str, RoleSpec] = {
    Role.PROVINCE_OFFICE: RoleSpec(ScopeKind.REGION, "province",
                                   _OFFICE | _FOLLOW_CAMPAIGN | _OFFICE_MONITORING),
    Role.CITY_OFFICE: RoleSpec(ScopeKind.REGION, "city",
                               _OFFICE | _FOLLOW_CAMPAIGN | _OFFICE_MONITORING),
    Role.COUNTY_OFFICE: RoleSpec(
        ScopeKind.REGION, "county",
        _OFFICE | _COUNTY_CAMPAIGN | _FOLLOW_CAMPAIGN | _COUNTY_RECOGNITION
        | _OFFICE_MONITORING,
    ),
    Role.TOWN_OFFICE: RoleSpec(
        ScopeKind.REGION, "town",
        frozenset({UNITS_VIEW, UNITS_EXPORT, HEALTHCHECK_ORGANISE, ACCOUNTS_GRANT, AUDIT_VIEW})
        | _FOLLOW_CAMPAIGN
        | _OFFICE_MONITORING,
    ),
    # Partners read units and the campaign of their organisation's region; as tripartite
    # reviewers (seed 四（三）) they reach the units of the applications assigned to them (the
    # recognition app registers that scope provider), and nothing more.
    Role.PARTNER: RoleSpec(ScopeKind.REGION, None, frozenset({UNITS_VIEW, CAMPAIGNS_VIEW}),
                           assigned_permissions=frozenset({UNITS_VIEW, ASSESSMENTS_VIEW,
                                                           RECOGNITION_VIEW,
                                                           RECOGNITION_REVIEW})),
    Role.COORDINATOR: RoleSpec(ScopeKind.ASSIGNED, None,
                               frozenset({UNITS_VIEW, UNITS_EXPORT, MONITORING_VIEW})),
    # An assessor reaches the units of the applications assigned to its organisation (the
    # recognition app registers that scope provider).
    Role.ASSESSOR: RoleSpec(ScopeKind.ASSIGNED, None, frozenset(
        {UNITS_VIEW, ASSESSMENTS_VIEW, RECOGNITION_VIEW, RECOGNITION_REVIEW})),
    Role.UNIT_ADMIN: RoleSpec(
        ScopeKind.UNIT, None,
        frozenset({UNITS_VIEW, UNITS_CHANGE, UNITS_EXPORT, CAMPAIGNS_PLEDGE, ASSESSMENTS_EDIT,
                   RECOGNITION_APPLY, HEALTHCHECK_ANSWER, SURVEYS_MANAGE, ACCOUNTS_GRANT})
        | _FOLLOW_CAMPAIGN,
    ),
}

# What an API token may read: the view permissions an office of the token's level holds there
# (accounts.tokens.token_permissions). Everything else in this module is a write a token may
# list, except granting roles (a token never delegates access).
READ_PERMISSIONS = frozenset({UNITS_VIEW, AUDIT_VIEW, CAMPAIGNS_VIEW, CAMPAIGNS_RECORDS,
                              ASSESSMENTS_VIEW, RECOGNITION_VIEW, HEALTHCHECK_VIEW, SURVEYS_VIEW,
                              MONITORING_VIEW})
ROLE_SPECS[Role.API_CLIENT] = RoleSpec(ScopeKind.REGION, None, READ_PERMISSIONS)

OFFICE_ROLES = frozenset(
    {Role.PROVINCE_OFFICE, Role.CITY_OFFICE, Role.COUNTY_OFFICE, Role.TOWN_OFFICE}
)
