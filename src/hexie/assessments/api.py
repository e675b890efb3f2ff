"""REST API of the self-assessment under /api/v1/self-assessments/. Same selectors and
services as the pages; every refusal is {"detail", "field", "code"} in Chinese."""

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from hexie.accounts.roles import ASSESSMENTS_VIEW
from hexie.core.api import validated as _valid
from hexie.core.events_api import EventsMixin
from hexie.units.selectors import get_unit

from . import selectors, services
from .models import Evidence, SelfAssessment
from .views import evidence_response


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "item_id", "original_name", "file_type", "size", "sha256",
                  "uploaded_at"]
        read_only_fields = fields


class SelfAssessmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    standard = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = SelfAssessment
        fields = ["id", "unit", "unit_name", "year", "standard", "profile", "facts", "state",
                  "sequence", "result", "meets", "evidence_complete", "evidence",
                  "created_at", "updated_at", "submitted_at"]
        read_only_fields = fields

    def get_standard(self, sa) -> str:
        return f"{sa.standard.library_id}@{sa.standard.version}"


class StartSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    year = serializers.IntegerField()


class FactsSerializer(serializers.Serializer):
    facts = serializers.DictField(help_text="{事实名: 值}；值为 null 表示清空该项")


class EvidenceUploadSerializer(serializers.Serializer):
    item_id = serializers.CharField(help_text="指标标识，如 EL-01.1")
    file = serializers.FileField(help_text="PDF、PNG、JPEG、docx、xlsx、doc、xls")


def _flag(value):
    return {"true": True, "1": True, "false": False, "0": False}.get((value or "").lower())


class SelfAssessmentViewSet(EventsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SelfAssessmentSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        params = self.request.query_params
        year = params.get("year")
        return selectors.assessments_for(
            self.request.user, year=int(year) if (year or "").isdigit() else None,
            state=params.get("state") or None, meets=_flag(params.get("meets")),
        ).prefetch_related("evidence")

    def get_object(self):
        return selectors.get_assessment(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=[
        OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("state", OpenApiTypes.STR),
        OpenApiParameter("meets", OpenApiTypes.BOOL)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=StartSerializer, responses=SelfAssessmentSerializer)
    def create(self, request):
        """Start (or continue) the unit's draft for the year."""
        data = _valid(StartSerializer, request)
        unit = get_unit(request.user, data["unit"], permission=ASSESSMENTS_VIEW)
        sa = services.start_draft(request.user, unit, data["year"])
        return Response(SelfAssessmentSerializer(sa).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FactsSerializer, responses=SelfAssessmentSerializer)
    def partial_update(self, request, pk=None):
        """Merge facts into the draft; on a submission this saves into the year's new draft."""
        data = _valid(FactsSerializer, request)
        sa = services.save_draft(request.user, self.get_object(), data["facts"])
        return Response(SelfAssessmentSerializer(sa).data)

    @extend_schema(request=None, responses=SelfAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        sa = services.submit(request.user, self.get_object())
        return Response(SelfAssessmentSerializer(sa).data)

    @extend_schema(request={"multipart/form-data": EvidenceUploadSerializer},
                   responses=EvidenceSerializer)
    @action(detail=True, methods=["post"], url_path="evidence")
    def evidence(self, request, pk=None):
        data = _valid(EvidenceUploadSerializer, request)
        row = services.upload_evidence(request.user, self.get_object(), data["item_id"],
                                       data["file"])
        return Response(EvidenceSerializer(row).data | {"self_assessment": row.self_assessment_id},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                                            204: None})
    @action(detail=True, methods=["get", "delete"], url_path=r"evidence/(?P<evidence_id>\d+)")
    def evidence_file(self, request, pk=None, evidence_id=None):
        """GET: the file (scoped). DELETE: take it off a draft."""
        row = selectors.get_evidence(request.user, evidence_id, self_assessment_id=pk)
        if request.method == "DELETE":
            services.remove_evidence(request.user, row)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return evidence_response(row)
