"""REST API for the registry: /api/v1/units/. Same selectors and services as the pages."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hexie.accounts.roles import UNITS_VIEW
from hexie.core.errors import DomainError

from . import access, selectors, services
from .filters import UnitFilter
from .models import AccessRequest, Unit
from .validation import COLUMNS


class UnitSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    size_label = serializers.CharField(source="get_size_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id", "kind", "kind_label", "name", "region_code", "region_name", "credit_code",
            "industry", "industry_section", "employees", "revenue_yuan", "assets_yuan",
            "size", "size_label", "size_derived", "size_override", "size_override_reason",
            "platform", "project_code", "contractor_credit_code", "address", "start_date",
            "end_date", "workers", "created_at", "updated_at",
        ]
        read_only_fields = fields


# Raw fields as the import takes them; the shared validator decides (errors in Chinese).
UnitWriteSerializer = type(
    "UnitWriteSerializer",
    (serializers.Serializer,),
    {name: serializers.JSONField(required=False, allow_null=True, help_text=label)
     for name, label in COLUMNS},
)


class SizeOverrideSerializer(serializers.Serializer):
    size_override = serializers.CharField(
        allow_blank=True, help_text="large/medium/small/micro，空为撤销"
    )
    size_override_reason = serializers.CharField(allow_blank=True)


class UnitViewSet(viewsets.ModelViewSet):
    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        return selectors.units_for(self.request.user, None, UNITS_VIEW).order_by("-id")

    def get_object(self):
        return selectors.get_unit(self.request.user, self.kwargs["pk"])

    @extend_schema(request=UnitWriteSerializer, responses=UnitSerializer)
    def create(self, request, *args, **kwargs):
        unit = services.create_unit(request.user, self._raw(request))
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UnitWriteSerializer, responses=UnitSerializer)
    def update(self, request, *args, **kwargs):
        unit = services.update_unit(request.user, self.get_object(), self._raw(request))
        return Response(UnitSerializer(unit).data)

    @extend_schema(request=UnitWriteSerializer, responses=UnitSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.delete_unit(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SizeOverrideSerializer, responses=UnitSerializer)
    @action(detail=True, methods=["post"], url_path="size-override")
    def size_override(self, request, pk=None):
        data = self._raw(request)
        unit = services.override_size(request.user, self.get_object(),
                                      str(data.get("size_override") or ""),
                                      str(data.get("size_override_reason") or ""))
        return Response(UnitSerializer(unit).data)

    @staticmethod
    def _raw(request) -> dict:
        if not hasattr(request.data, "items"):
            raise DomainError("请求体应为 JSON 对象。")
        return dict(request.data.items())


class AccessRequestSerializer(serializers.ModelSerializer):
    unit_id = serializers.IntegerField(read_only=True)
    unit_registered_name = serializers.CharField(source="unit.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = AccessRequest
        fields = ["id", "unit_id", "unit_registered_name", "credit_code", "unit_name",
                  "legal_representative", "contact_name", "phone", "email", "region_code",
                  "state", "state_label", "reason", "created_at", "decided_at"]
        read_only_fields = fields


class ApprovedSerializer(serializers.Serializer):
    request = AccessRequestSerializer()
    invitation_link = serializers.CharField(help_text="一次性邀请链接，只在此返回一次")


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, help_text="拒绝理由（必填）")


class AccessRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Units' own requests for a login, for the offices that may grant unit_admin there:
    the pending ones (``?state=`` for others), approve (returns the invitation link once) and
    refuse (with a reason)."""

    serializer_class = AccessRequestSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state") or AccessRequest.State.PENDING
        return (AccessRequest.objects.visible_to(self.request.user).filter(state=state)
                .select_related("unit").order_by("id"))

    def get_object(self):
        try:
            return AccessRequest.objects.visible_to(self.request.user).get(pk=self.kwargs["pk"])
        except (AccessRequest.DoesNotExist, ValueError):
            raise Http404 from None

    @extend_schema(request=None, responses=ApprovedSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        done, link = access.approve(request.user, pk, base_url=request.build_absolute_uri("/"))
        return Response({"request": AccessRequestSerializer(done).data, "invitation_link": link})

    @extend_schema(request=RefuseSerializer, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        done = access.refuse(request.user, pk, str(reason or ""))
        return Response(AccessRequestSerializer(done).data)
