"""REST API for the registry: /api/v1/units/. Same selectors and services as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hexie.accounts.roles import UNITS_VIEW
from hexie.core.errors import DomainError

from . import selectors, services
from .filters import UnitFilter
from .models import Unit
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
