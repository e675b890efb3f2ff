"""REST API of the health check under /api/v1/. Same selectors and services as the pages;
refusals come back as Chinese messages through hexie.core.api.exception_handler."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from hexie.accounts.roles import HEALTHCHECK_VIEW
from hexie.core.api import validated as _valid
from hexie.core.events_api import EventsMixin
from hexie.units.selectors import get_unit

from . import selectors, services
from .models import Finding, HealthCheck, RemediationTask


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "item_id", "area", "area_name", "question", "risk_level",
                  "legal_basis", "evidence_expected", "advice"]
        read_only_fields = fields


class HealthCheckSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    catalogue = serializers.CharField(source="catalogue.key", read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = HealthCheck
        fields = ["id", "unit", "unit_name", "year", "catalogue", "state", "pledged",
                  "answers", "score", "level", "area_results", "organised_at",
                  "submitted_at", "closed_at", "findings"]
        read_only_fields = fields


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True),
                                    required=False, help_text="条目编号 → yes / no / na")


class OrganiseSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    units = serializers.ListField(child=serializers.IntegerField(), required=False,
                                  help_text="单位 id；不填为范围内本年度全部已承诺单位")


class TaskSerializer(serializers.ModelSerializer):
    item_id = serializers.CharField(source="finding.item_id", read_only=True)
    risk_level = serializers.CharField(source="finding.risk_level", read_only=True)
    health_check = serializers.IntegerField(source="finding.health_check_id", read_only=True)

    class Meta:
        model = RemediationTask
        fields = ["id", "health_check", "unit", "item_id", "risk_level", "due_on", "state",
                  "evidence_name", "evidence_type", "note", "submitted_at", "reviewed_at",
                  "review_note", "rounds"]
        read_only_fields = fields


class CloseTaskSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False)
    evidence = serializers.FileField(required=False, help_text="PDF、图片、docx 或 xlsx")


class FollowUpSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True, required=False)


class HealthCheckViewSet(EventsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = HealthCheckSerializer

    def get_queryset(self):
        year = self.request.query_params.get("year")
        return selectors.checks_for(
            self.request.user, year=int(year) if year and year.isdigit() else None,
            state=self.request.query_params.get("state") or None,
            level=self.request.query_params.get("level") or None,
        ).prefetch_related("findings")

    def get_object(self):
        return selectors.get_check(self.request.user, self.kwargs["pk"])

    @extend_schema(request=OrganiseSerializer, responses=HealthCheckSerializer(many=True))
    @action(detail=False, methods=["post"])
    def organise(self, request):
        data = _valid(OrganiseSerializer, request)
        units = None
        if data.get("units"):
            units = [get_unit(request.user, pk, permission=HEALTHCHECK_VIEW)
                     for pk in data["units"]]
        result = services.organise(request.user, data["year"], units)
        return Response({"created": HealthCheckSerializer(result.created, many=True).data,
                         "existing": result.existing}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def prefill(self, request, pk=None):
        return Response(services.prefill(self.get_object()))

    @extend_schema(request=AnswersSerializer, responses=HealthCheckSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = _valid(AnswersSerializer, request)
        check = services.save_answers(request.user, self.get_object(), data.get("answers", {}))
        return Response(HealthCheckSerializer(check).data)

    @extend_schema(request=AnswersSerializer, responses=HealthCheckSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        data = _valid(AnswersSerializer, request)
        check = services.submit(request.user, self.get_object(), data.get("answers") or None)
        return Response(HealthCheckSerializer(selectors.get_check(request.user, check.pk)).data)


class RemediationTaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return selectors.tasks_for(self.request.user,
                                   state=self.request.query_params.get("state") or None)

    def get_object(self):
        return selectors.get_task(self.request.user, self.kwargs["pk"])

    @extend_schema(request={"multipart/form-data": CloseTaskSerializer}, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = _valid(CloseTaskSerializer, request)
        task = services.close_task(request.user, self.get_object(), data.get("evidence"),
                                   data.get("note", ""))
        return Response(TaskSerializer(task).data)

    @extend_schema(request=FollowUpSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        data = _valid(FollowUpSerializer, request)
        task = services.follow_up(request.user, self.get_object(), data["accept"],
                                  data.get("note", ""))
        return Response(TaskSerializer(task).data)
