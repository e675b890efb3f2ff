"""REST API for the audit log: GET /api/v1/audit-events/ (read-only), the same scope and
filters as the page (hexie.core.audit_selectors). An id outside the scope answers 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

from . import audit_selectors
from .audit_selectors import AuditFilterForm
from .models import AuditEvent


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="字段名")
    label = serializers.CharField(help_text="字段的中文名")
    before = serializers.CharField(help_text="旧值（过长时截短）")
    after = serializers.CharField(help_text="新值（过长时截短）")
    text = serializers.CharField(help_text="一句话：字段：旧值 → 新值")


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    changes = serializers.SerializerMethodField(help_text="变更前后不同的字段，以文字说明")

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "actor_username", "action", "object_type", "object_id",
                  "object_repr", "region_code", "before", "after", "changes", "ip",
                  "prev_hash", "hash"]
        read_only_fields = fields

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, event) -> list[dict]:
        return audit_selectors.changes_in_words(event, self.context.setdefault("labels", {}))


class AuditCursorPagination(CursorPagination):
    """Newest first by id, no COUNT: the log holds millions of events (issue 10: filter by
    unit or actor in ≤ 200 ms); the next/previous links carry an opaque cursor."""

    ordering = "-id"
    page_size = 50

    def get_ordering(self, request, queryset, view):
        # By time when a date filter is given (audit_selectors.ordering_for): the cursor then
        # carries the time, ties broken by offset as CursorPagination does.
        return audit_selectors.ordering_for({key: request.query_params.get(key)
                                             for key in ("date_from", "date_to")})


FILTER_PARAMETERS = [
    OpenApiParameter("actor", OpenApiTypes.STR, description="操作人登录名（精确匹配）"),
    OpenApiParameter("unit", OpenApiTypes.INT, description="单位编号：该单位本身的变更"),
    OpenApiParameter("object_type", OpenApiTypes.STR, description="对象类型，如 units.unit"),
    OpenApiParameter("object_id", OpenApiTypes.STR, description="对象ID（需同时给出对象类型）"),
    OpenApiParameter("action", OpenApiTypes.STR, description="操作代码前缀，如 unit."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="起始日期（北京时间，含当日）"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="截止日期（北京时间，含当日）"),
]


@extend_schema_view(
    list=extend_schema(summary="审计事件列表", parameters=FILTER_PARAMETERS,
                       description="您管辖区划内记录的审计事件，最新在前；运维人员看到全部。"
                                   "无审计查看权限时返回 404。"),
    retrieve=extend_schema(summary="审计事件详情",
                           description="范围外或不存在的编号返回 404。"),
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEventSerializer
    pagination_class = AuditCursorPagination
    filter_backends: list = []  # the filters are the page's form, applied in get_queryset

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        audit_selectors.require_reader(request.user)

    def get_queryset(self):
        form = AuditFilterForm(self.request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise ValidationError({
                ("non_field_errors" if key == "__all__" else key): [e["message"] for e in errors]
                for key, errors in form.errors.get_json_data().items()})
        data = form.cleaned_data if form.is_bound else {}
        return audit_selectors.filtered_events(self.request.user, data)

    def list(self, request, *args, **kwargs):
        # The page's keys first (from the index alone), then its rows (audit_selectors).
        keys = self.paginate_queryset(audit_selectors.keys_only(self.get_queryset()))
        serializer = self.get_serializer(audit_selectors.with_rows(keys), many=True)
        return self.get_paginated_response(serializer.data)

    def get_object(self):
        return audit_selectors.get_event(self.request.user, self.kwargs["pk"])
