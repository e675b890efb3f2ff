"""/api/v1/notifications/: the signed-in user's own messages; marking one or all read."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "emailed_at"]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

    def get_object(self):
        return selectors.get_notification(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        return Response(NotificationSerializer(
            services.mark_read(request.user, self.get_object())).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_all_read(request.user)})
