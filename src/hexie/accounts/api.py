"""REST API for offices managing people (issue 10 §1): /api/v1/people/ and
/api/v1/memberships/. The same selectors and services as the people pages: a person or a
membership outside the office's scope answers 404, a role above the office's own 403 (Chinese
detail), bad input 400 naming the field (hexie.core.api). Only people who hold the grant
permission over a region may call it — never an API token (``accounts.grant`` is never a token
permission), never a unit admin."""

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hexie.core.api import validated
from hexie.core.errors import NotPermitted

from .invitations import invite
from .models import AssessorOrganisation, Invitation, Membership, User
from .people import manages_people, people_in_scope, person_for
from .roles import Role
from .services import (
    change_membership,
    check_person_in_scope,
    deactivate,
    grant_membership,
    issue_password_reset,
    reactivate,
    remove_membership,
)

# accounts sits below units in the layers: the unit model is reached through the foreign key.
Unit = Membership._meta.get_field("unit").related_model


class MembershipSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True, allow_null=True,
                                   help_text="区划代码（按区划授权的角色）")
    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True,
                                        default=None)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True,
                                      default=None)
    unit_credit_code = serializers.CharField(source="unit.credit_code", read_only=True,
                                             allow_null=True, default=None)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True,
                                              allow_null=True, default=None)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "role_label", "region", "region_name", "unit",
                  "unit_name", "unit_credit_code", "organisation", "organisation_name"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "phone", "is_active",
                  "last_login", "date_joined", "memberships"]
        read_only_fields = fields


def _not_a_token_role(value):
    if value == Role.API_CLIENT:
        raise serializers.ValidationError(_("API 令牌的服务账号角色只能随令牌创建，不能手工授予。"))
    return value


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   default="", help_text="原因（记入审计日志）")

    def validate_role(self, value):
        return _not_a_token_role(value)


class TargetSerializer(ReasonSerializer):
    """Where a membership reaches: a region code, a unit (credit code) or an organisation."""

    role = serializers.ChoiceField(choices=Role.choices)
    region = serializers.CharField(required=False, allow_blank=True, max_length=12,
                                   default="", help_text="区划代码（三方办、协调员、合作单位）")
    unit = serializers.CharField(required=False, allow_blank=True, max_length=18, default="",
                                 help_text="单位统一社会信用代码（创建单位经办人）")
    organisation = serializers.IntegerField(required=False, allow_null=True, default=None,
                                            help_text="评估机构编号（评估机构人员）")

    def validate_unit(self, value):
        value = value.strip().upper()
        if not value:
            return None
        unit = Unit.objects.filter(credit_code=value).first()
        if unit is None:
            raise serializers.ValidationError(_("没有该统一社会信用代码的单位。"))
        return unit

    def validate_organisation(self, value):
        if value is None:
            return None
        organisation = AssessorOrganisation.objects.filter(pk=value).first()
        if organisation is None:
            raise serializers.ValidationError(_("评估机构不存在。"))
        return organisation


class InvitationCreateSerializer(TargetSerializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    display_name = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                         default="")


class InvitationCreatedSerializer(serializers.ModelSerializer):
    link = serializers.CharField(help_text="邀请链接：只在这一次回答中出现，不会保存")

    class Meta:
        model = Invitation
        fields = ["id", "role", "region_code", "unit", "organisation", "email", "display_name",
                  "expires_at", "link"]
        read_only_fields = fields


class MembershipChangeSerializer(ReasonSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    region = serializers.CharField(required=False, allow_blank=True, max_length=12)


class PasswordResetSerializer(serializers.Serializer):
    link = serializers.CharField(help_text="重置密码链接：只在这一次回答中出现")
    emailed = serializers.BooleanField(help_text="是否已发送到该账号的电子邮箱")


PEOPLE_FILTERS = [
    OpenApiParameter("role", OpenApiTypes.STR, description="持有该角色的人"),
    OpenApiParameter("region", OpenApiTypes.STR,
                     description="区划代码（精确）：授权在该区划，或其单位、机构在该区划"),
    OpenApiParameter("active", OpenApiTypes.BOOL, description="true 启用 / false 已停用"),
    OpenApiParameter("q", OpenApiTypes.STR, description="用户名、姓名或邮箱包含的文字"),
]


def _require_office(request) -> None:
    if not manages_people(request.user) and not request.user.is_superuser:
        raise exceptions.PermissionDenied(_("只有三方办可以管理账号。"))


@extend_schema_view(
    list=extend_schema(summary="管辖范围内的账号", parameters=PEOPLE_FILTERS,
                       description="与账号管理页相同：至少一项授权在您管辖范围内的人。"),
    retrieve=extend_schema(summary="账号详情（含全部角色授权）",
                           description="任一授权超出您的管辖范围时返回 404。"),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PersonSerializer
    lookup_value_regex = r"\d+"
    filter_backends: list = []  # the filters below, applied in get_queryset

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require_office(request)

    def get_queryset(self):
        people = people_in_scope(self.request.user)
        params = self.request.query_params
        if params.get("role"):
            if params["role"] not in Role.values:
                raise exceptions.ValidationError({"role": [_("角色不存在。")]})
            people = people.filter(memberships__role=params["role"])
        if params.get("region"):
            code = params["region"].strip()
            people = people.filter(Q(memberships__region_id=code)
                                   | Q(memberships__unit__region_id=code)
                                   | Q(memberships__organisation__region_id=code))
        if params.get("active"):
            value = params["active"].strip().lower()
            if value not in ("true", "false", "1", "0"):
                raise exceptions.ValidationError({"active": [_("应为 true 或 false。")]})
            people = people.filter(is_active=value in ("true", "1"))
        if params.get("q"):
            text = params["q"].strip()
            people = people.filter(Q(username__icontains=text) | Q(display_name__icontains=text)
                                   | Q(email__icontains=text))
        return people.distinct()

    def get_object(self):
        return person_for(self.request.user, self.kwargs["pk"])

    def _managed(self):
        person = self.get_object()
        if person.pk == self.request.user.pk and not self.request.user.is_superuser:
            raise NotPermitted(_("不能管理本人的账号。"))
        return person

    @extend_schema(summary="创建邀请（链接只返回这一次）", request=InvitationCreateSerializer,
                   responses={201: InvitationCreatedSerializer})
    @action(detail=False, methods=["post"], url_path="invitations")
    def invitations(self, request):
        data = validated(InvitationCreateSerializer, request)
        invitation, link = invite(
            request.user, data["role"], region=data["region"].strip() or None,
            unit=data["unit"], organisation=data["organisation"], email=data["email"],
            display_name=data["display_name"], reason=data["reason"],
            base_url=request.build_absolute_uri("/"))
        invitation.link = link
        return Response(InvitationCreatedSerializer(invitation).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="停用账号", request=ReasonSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        data = validated(ReasonSerializer, request)
        person = deactivate(request.user, self._managed(), reason=data["reason"])
        return Response(PersonSerializer(person).data)

    @extend_schema(summary="启用账号", request=ReasonSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        data = validated(ReasonSerializer, request)
        person = reactivate(request.user, self._managed(), reason=data["reason"])
        return Response(PersonSerializer(person).data)

    @extend_schema(summary="生成重置密码链接（只返回这一次）", request=None,
                   responses=PasswordResetSerializer)
    @action(detail=True, methods=["post"], url_path="password-reset")
    def password_reset(self, request, pk=None):
        link, emailed = issue_password_reset(request.user, self._managed(),
                                             base_url=request.build_absolute_uri("/"))
        return Response({"link": link, "emailed": emailed})

    @extend_schema(summary="增加角色授权", request=TargetSerializer,
                   responses={201: MembershipSerializer})
    @action(detail=True, methods=["post"])
    def memberships(self, request, pk=None):
        person = self._managed()
        data = validated(TargetSerializer, request)
        membership = grant_membership(
            request.user, person, data["role"], region=data["region"].strip() or None,
            unit=data["unit"], organisation=data["organisation"], reason=data["reason"])
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    partial_update=extend_schema(summary="修改角色或区划", request=MembershipChangeSerializer,
                                 responses=MembershipSerializer),
    destroy=extend_schema(summary="撤销角色授权",
                          description="不能撤销一个人唯一的授权：请改为停用账号。"),
)
class MembershipViewSet(mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = MembershipSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["patch", "delete", "options", "head"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require_office(request)

    def get_queryset(self):
        return Membership.objects.none()  # one membership at a time, through get_object

    def get_object(self):
        membership = (Membership.objects.select_related("user", "unit", "organisation",
                                                        "region")
                      .filter(pk=self.kwargs["pk"]).first())
        if membership is None:
            raise exceptions.NotFound()
        check_person_in_scope(self.request.user, membership.user)  # 404 outside
        return membership

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        data = validated(MembershipChangeSerializer, request)
        if not data.get("role") and not (data.get("region") or "").strip():
            raise exceptions.ValidationError({"role": [_("请填写新的角色或区划。")]})
        changed = change_membership(request.user, membership, role=data.get("role"),
                                    region=(data.get("region") or "").strip() or None,
                                    reason=data["reason"])
        return Response(MembershipSerializer(changed).data)

    def perform_destroy(self, instance):
        remove_membership(self.request.user, instance,
                          reason=str(self.request.query_params.get("reason", "")))
