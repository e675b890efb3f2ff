"""REST API of the surveys under /api/v1/: the scoped rounds (open, close, result, apply) and
the anonymous answer endpoint by token (JSON), the one the load benchmark drives. Refusals come
back in the one error shape (hexie.core.api: the exception handler, and refusal_body for the
public endpoint)."""

import json

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hexie.accounts.roles import SURVEYS_VIEW
from hexie.core.api import refusal_body, validated
from hexie.core.errors import DomainError
from hexie.core.middleware import client_ip
from hexie.units.selectors import get_unit

from . import selectors, services
from .models import SurveyRound
from .views import REFUSED_STATUS


class RoundSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = SurveyRound
        fields = ["id", "unit", "unit_name", "year", "number", "set_id", "dimensions",
                  "policy_version", "workforce", "minimum_sample", "link_count", "valid_until",
                  "state", "opened_at", "closed_at"]
        read_only_fields = fields


class OpenRoundSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    year = serializers.IntegerField()
    links = serializers.IntegerField()
    valid_days = serializers.IntegerField(required=False)


class SurveyRoundViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RoundSerializer

    def get_queryset(self):
        return selectors.rounds_for(self.request.user).order_by("-id")

    def get_object(self):
        return selectors.get_round(self.request.user, self.kwargs["pk"])

    @extend_schema(request=OpenRoundSerializer, responses=dict)
    def create(self, request):
        """Open a round. The answer carries the link URLs: the only time they are shown."""
        data = validated(OpenRoundSerializer, request)
        from . import policy

        unit = get_unit(request.user, data["unit"], permission=SURVEYS_VIEW)
        opened = services.open_round(
            request.user, unit, links=data["links"], year=data["year"],
            valid_days=data.get("valid_days", policy.current().validity_default))
        body = RoundSerializer(opened.round).data
        body["tokens"] = opened.tokens
        body["urls"] = [request.build_absolute_uri(reverse("survey_public:answer", args=[t]))
                        for t in opened.tokens]
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(RoundSerializer(services.close_round(request.user,
                                                             self.get_object())).data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        rnd = self.get_object()
        return Response({"round": rnd.pk, "state": rnd.state,
                         "answers": selectors.answer_count(rnd),
                         "result": selectors.result_of(rnd)})

    @extend_schema(request=None, responses=dict)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        made = services.apply_to_self_assessment(request.user, self.get_object())
        return Response({"round": made.round_id, "self_assessment": made.self_assessment_id,
                         "satisfaction_percent": str(made.percent), "answers": made.answers,
                         "applied_at": made.applied_at}, status=status.HTTP_201_CREATED)


def _refusal(exc: DomainError, status_code: int) -> JsonResponse:
    return JsonResponse(refusal_body(exc, status_code), status=status_code,
                        json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def answer_endpoint(request):
    """POST {"token", "answers": {code: 1–5}, "comment"} → 201 {"accepted": true}; refused:
    400 input, 404 unknown link, 409 used, 410 expired/closed, 413 too big, 429 flood.
    Anonymous and cookie-less: the token is the credential (so no CSRF)."""
    try:
        services.check_rate("answers", client_ip(request))
    except DomainError as exc:
        return _refusal(exc, 429)
    if services.body_too_big(request):
        return _refusal(services.too_big_error(), 413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return _refusal(DomainError("请求应为 JSON 对象：{token, answers, comment}", field=""), 400)
    try:
        services.submit_answer(str(body.get("token") or ""), body.get("answers"),
                               body.get("comment") or "")
    except services.LinkRefused as exc:
        return _refusal(exc, REFUSED_STATUS.get(exc.code, 400))
    except DomainError as exc:
        return _refusal(exc, 400)
    return JsonResponse({"accepted": True}, status=201)
