"""REST API of publicity under /api/v1/: notices, objections and published lists (scoped, the
same selectors and services as the pages) and the public, read-only list of published entries.
Every refusal is {"detail", "field", "code"} in Chinese."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from hexie.accounts.roles import PUBLICITY_MANAGE
from hexie.core.api import validated as _valid
from hexie.core.errors import DomainError
from hexie.core.scoping import scope_for
from hexie.recognition.models import Recognition
from hexie.units.models import Kind

from . import selectors, services
from .models import Objection, PublicNotice, PublishedEntry, PublishedList


class NoticeSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    recognitions = serializers.SerializerMethodField()

    class Meta:
        model = PublicNotice
        fields = ["id", "region_code", "region_name", "year", "title", "body", "starts_on",
                  "ends_on", "state", "policy_version", "recognitions", "created_at",
                  "closed_at"]
        read_only_fields = fields

    def get_recognitions(self, notice) -> list[dict]:
        return [{"id": r.pk, "unit": r.unit_id, "unit_name": r.unit.name, "state": r.state}
                for r in notice.recognitions.all()]


class OpenNoticeSerializer(serializers.Serializer):
    region_code = serializers.CharField(required=False, help_text="默认为本办公室的县（市、区）")
    year = serializers.IntegerField()
    recognitions = serializers.ListField(child=serializers.IntegerField(), required=False,
                                         help_text="认定记录编号；不填为该年度全部待公示单位")
    starts_on = serializers.DateField(required=False, help_text="默认为今天")
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)


class ObjectionSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="recognition.unit_id", read_only=True)
    unit_name = serializers.CharField(source="recognition.unit.name", read_only=True)
    contact = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = ["id", "notice", "recognition", "unit", "unit_name", "received_on", "channel",
                  "content", "contact", "state", "finding", "answer", "recorded_at",
                  "handled_at"]
        read_only_fields = fields

    def get_contact(self, objection) -> str:
        """The objector's contact is for the office that handles it only."""
        user = self.context["request"].user
        return objection.contact if selectors.can_manage(user, objection.notice.region_id) else ""


class RecordObjectionSerializer(serializers.Serializer):
    notice = serializers.IntegerField()
    recognition = serializers.IntegerField()
    received_on = serializers.DateField()
    channel = serializers.CharField(allow_blank=True)
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)
    contact = serializers.CharField(required=False, allow_blank=True)


class HandleObjectionSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    finding = serializers.CharField(required=False, allow_blank=True)
    answer = serializers.CharField(allow_blank=True)


class PublishedListSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)

    class Meta:
        model = PublishedList
        fields = ["id", "region_code", "region_name", "year", "title", "published_at",
                  "entry_count"]
        read_only_fields = fields


class PublishSerializer(serializers.Serializer):
    region_code = serializers.CharField(required=False, help_text="默认为本办公室的县（市、区）")
    year = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)


class PublishedEntrySerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="published_list.year", read_only=True)
    kind_label = serializers.SerializerMethodField()
    list_title = serializers.CharField(source="published_list.title", read_only=True)
    published_at = serializers.DateTimeField(source="published_list.published_at",
                                             read_only=True)

    class Meta:
        model = PublishedEntry
        fields = ["year", "region_code", "region_name", "unit_name", "identifier", "kind",
                  "kind_label", "list_title", "published_at"]
        read_only_fields = fields

    def get_kind_label(self, entry) -> str:
        return str(dict(Kind.choices).get(entry.kind, entry.kind))


def _own_county(request, data) -> str:
    prefixes = scope_for(request.user, PUBLICITY_MANAGE).region_prefixes
    return data.get("region_code") or (prefixes[0] if prefixes else "")


# The recognitions of each notice in the list, in one query for the page.
_ON_NOTICE = Prefetch("recognitions",
                      queryset=Recognition.objects.select_related("unit").order_by("id"))


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NoticeSerializer

    def get_queryset(self):
        return (selectors.notices_for(self.request.user).order_by("-id")
                .prefetch_related(_ON_NOTICE))

    def get_object(self):
        return selectors.get_notice(self.request.user, self.kwargs["pk"])

    @extend_schema(request=OpenNoticeSerializer, responses=NoticeSerializer)
    def create(self, request):
        data = _valid(OpenNoticeSerializer, request)
        notice = services.open_notice(
            request.user, _own_county(request, data), data["year"], data.get("recognitions"),
            starts_on=data.get("starts_on"), title=data["title"], body=data.get("body", ""))
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        notice = services.close_notice(request.user, self.get_object())
        return Response(NoticeSerializer(notice).data)


class ObjectionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ObjectionSerializer

    def get_queryset(self):
        return selectors.objections_for(self.request.user).order_by("-id")

    def get_object(self):
        return selectors.get_objection(self.request.user, self.kwargs["pk"])

    @extend_schema(request=RecordObjectionSerializer, responses=ObjectionSerializer)
    def create(self, request):
        data = _valid(RecordObjectionSerializer, request)
        notice = selectors.get_notice(request.user, data["notice"])
        recognition = selectors.recognitions_for(request.user).filter(
            pk=data["recognition"]).first()
        if recognition is None:
            raise DomainError("该单位不在本次公示名单中。", field="recognition",
                              code="not_on_notice")
        made = services.record_objection(
            request.user, notice, recognition, received_on=data["received_on"],
            channel=data["channel"], content=data["content"], contact=data.get("contact", ""))
        return Response(ObjectionSerializer(made, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=HandleObjectionSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        objection = self.get_object()
        data = _valid(HandleObjectionSerializer, request)
        done = services.handle_objection(request.user, objection, upheld=data["upheld"],
                                         finding=data.get("finding", ""), answer=data["answer"])
        return Response(ObjectionSerializer(done, context={"request": request}).data)


class PublishedListViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PublishedListSerializer

    def get_queryset(self):
        return selectors.lists_for(self.request.user).order_by("-year", "region_id")

    def get_object(self):
        return selectors.get_list(self.request.user, self.kwargs["pk"])

    @extend_schema(request=PublishSerializer, responses=PublishedListSerializer)
    def create(self, request):
        data = _valid(PublishSerializer, request)
        published = services.publish_list(request.user, _own_county(request, data),
                                          data["year"], data["title"])
        return Response(PublishedListSerializer(published).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(parameters=[
    OpenApiParameter("year", int, description="认定年度"),
    OpenApiParameter("city", str, description="地市区划代码（4 位）"),
    OpenApiParameter("county", str, description="县（市、区）区划代码（6 位）"),
    OpenApiParameter("q", str, description="单位名称或代码（部分匹配）"),
])
class PublicEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The published lists, for anyone (no sign-in): only units on a published list."""

    serializer_class = PublishedEntrySerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_queryset(self):
        public_filter = selectors.parse_public_filter(self.request.query_params)
        return (selectors.published_entries(public_filter)
                .select_related("published_list"))
