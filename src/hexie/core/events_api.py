"""The ``events`` list of an aggregate in the REST API: ``/api/v1/<aggregates>/{id}/events/``.

A viewset adds :class:`EventsMixin`; the action reads the aggregate through the viewset's own
``get_object`` (the same scoped lookup as the detail, so an id outside the scope is a 404)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    type = serializers.CharField(read_only=True, help_text="事件类型代码")
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    actor = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    actor_name = serializers.CharField(read_only=True)
    payload = serializers.DictField(read_only=True, help_text="按事件类型约定的少量字段")
    description = serializers.CharField(source="describe", read_only=True,
                                        help_text="一句中文说明")


class EventsMixin:
    """Adds the read-only ``events`` action (oldest first, unpaginated: a case has few)."""

    @extend_schema(request=None, responses=EventSerializer(many=True),
                   summary="办理记录（事件历史）",
                   description="按时间先后列出本对象的每次状态变更：类型、时间、操作人、内容和"
                               "一句中文说明。与详情相同的范围检查：范围外的编号返回 404。")
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        aggregate = self.get_object()
        rows = aggregate.events.select_related("actor").order_by("created_at", "id")
        return Response(EventSerializer(rows, many=True).data)
