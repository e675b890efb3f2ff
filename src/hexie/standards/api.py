"""/api/v1/standards/ and /api/v1/evaluations — the same contract as the CLI."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from hexie.core.errors import DomainError

from .contract import ContractError, evaluate_request
from .selectors import libraries


class StandardLibrarySerializer(serializers.Serializer):
    id = serializers.CharField(source="library_id")
    version = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    issuer = serializers.CharField()
    effective = serializers.DateField()
    example = serializers.BooleanField()
    parent = serializers.SerializerMethodField()
    sha256 = serializers.CharField()

    def get_parent(self, row) -> str | None:
        return row.parent.key if row.parent_id else None


class EvaluationRequestSerializer(serializers.Serializer):
    unit = serializers.JSONField(
        help_text='{"kind": "enterprise", "size": "large", "platform": false}'
    )
    facts = serializers.JSONField(help_text="事实名 → 值")
    standard = serializers.CharField(required=False, help_text="zj-baseline 或 zj-baseline@1")
    evidence = serializers.ListField(child=serializers.CharField(), required=False)


@extend_schema(responses=StandardLibrarySerializer(many=True))
@api_view(["GET"])
def standard_list(request):
    """The loaded standard library versions."""
    return Response(StandardLibrarySerializer(libraries(), many=True).data)


@extend_schema(
    request=EvaluationRequestSerializer,
    responses={200: dict},
    examples=[OpenApiExample("小型企业", value={
        "unit": {"kind": "enterprise", "size": "small", "platform": False},
        "facts": {"employees_total": 30, "employees_with_contract": 30},
    })],
)
@api_view(["POST"])
def evaluation_create(request):
    """Evaluate one unit's facts (nothing is stored)."""
    try:
        result = evaluate_request(request.data)
    except ContractError as exc:
        raise DomainError(exc.message, field=exc.field or None) from exc
    return Response(result)
