"""REST API of application and review under /api/v1/. Same selectors and services as the
pages; refusals come back as Chinese messages through hexie.core.api.exception_handler."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from hexie.accounts.models import AssessorOrganisation
from hexie.accounts.roles import RECOGNITION_VIEW
from hexie.campaigns.api import PledgeCreateSerializer, congress_input
from hexie.core.api import validated as _valid
from hexie.core.errors import DomainError
from hexie.core.events_api import EventsMixin
from hexie.units.selectors import get_unit

from . import selectors, services
from .models import Appeal, Application, ReviewAssignment


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "application", "reason", "state", "filed_at", "answer", "handled_at"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    self_assessment = serializers.SerializerMethodField()
    congress = serializers.SerializerMethodField()
    appeals = AppealSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = ["id", "unit", "unit_name", "year", "state", "review_round", "submitted_at",
                  "self_assessment", "congress", "conclusion", "review_policy_version",
                  "decided_at", "decision_reason", "appeals"]
        read_only_fields = fields

    def get_self_assessment(self, application) -> dict:
        sa = application.self_assessment
        return {"id": sa.pk, "sequence": sa.sequence, "standard": sa.standard.key,
                "meets": sa.meets, "evidence_complete": sa.evidence_complete}

    def get_congress(self, application) -> dict:
        c = application.congress
        return {"id": c.pk, "kind": c.kind, "held_on": c.held_on,
                "attendance_present": c.attendance_present,
                "attendance_total": c.attendance_total, "resolution": c.resolution,
                "minutes_name": c.minutes_name}


class ApplySerializer(PledgeCreateSerializer):
    """The pledge's congress fields: the congress that approved applying."""

    pledged_on = None


class AssignSerializer(serializers.Serializer):
    staff = serializers.ListField(child=serializers.IntegerField(), required=False,
                                  help_text="三方评审人员的用户 id")
    organisation = serializers.IntegerField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class DecideSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True)


class AppealCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class HandleAppealSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    answer = serializers.CharField(required=False, allow_blank=True)


class OpinionSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    confirmed = serializers.BooleanField(allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True)


class SubmitReviewSerializer(serializers.Serializer):
    opinions = OpinionSerializer(many=True)
    site_visit_on = serializers.DateField(required=False, allow_null=True)
    site_visit_notes = serializers.CharField(required=False, allow_blank=True)
    score = serializers.DecimalField(max_digits=8, decimal_places=2, required=False,
                                     allow_null=True)
    recommend_pass = serializers.BooleanField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True)


class AssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="application.unit.name", read_only=True)
    year = serializers.IntegerField(source="application.year", read_only=True)
    criteria = serializers.SerializerMethodField()
    opinions = serializers.SerializerMethodField()

    class Meta:
        model = ReviewAssignment
        fields = ["id", "application", "unit_name", "year", "track", "round", "reviewer",
                  "side", "partner_organisation", "organisation", "due_on", "state",
                  "site_visit_on", "site_visit_notes",
                  "score", "recommend_pass", "comment", "submitted_at", "criteria",
                  "opinions"]
        read_only_fields = fields

    def get_criteria(self, assignment) -> list:
        result = assignment.application.self_assessment.result or {}
        return [{"id": c["id"], "title": c.get("title", ""), "met": c.get("met"),
                 "reasons": c.get("reasons", [])} for c in result.get("criteria", [])]

    def get_opinions(self, assignment) -> list:
        return [{"criterion": o.criterion_id, "confirmed": o.confirmed, "comment": o.comment}
                for o in assignment.opinions.all()]


class ApplicationViewSet(EventsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ApplicationSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return (selectors.applications_for(self.request.user).prefetch_related("appeals")
                .select_related("self_assessment__standard").order_by("-id"))

    def get_object(self):
        return selectors.get_application(self.request.user, self.kwargs["pk"])

    def _answer(self, application, code=status.HTTP_200_OK):
        fresh = selectors.get_application(self.request.user, application.pk)
        return Response(ApplicationSerializer(fresh).data, status=code)

    @extend_schema(request={"multipart/form-data": ApplySerializer},
                   responses=ApplicationSerializer)
    def create(self, request):
        data = _valid(ApplySerializer, request)
        unit = get_unit(request.user, data["unit"], permission=RECOGNITION_VIEW)
        congress = congress_input(data)
        made = services.apply(request.user, unit, data["year"], congress)
        return self._answer(made, status.HTTP_201_CREATED)

    @extend_schema(request=AssignSerializer, responses=AssignmentSerializer(many=True))
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        application = self.get_object()
        data = _valid(AssignSerializer, request)
        ids = data.get("staff") or []
        users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
        unknown = [str(i) for i in ids if i not in users]
        if unknown:
            raise DomainError("评审人员（用户 id " + "、".join(unknown) + "）不存在。",
                              field="staff")
        organisation = None
        if data.get("organisation") is not None:
            organisation = AssessorOrganisation.objects.filter(pk=data["organisation"]).first()
            if organisation is None:
                raise DomainError("第三方评估机构不存在。", field="organisation")
        made = services.assign_reviewers(request.user, application,
                                         staff=[users[i] for i in ids],
                                         organisation=organisation,
                                         due_on=data.get("due_on"))
        return Response(AssignmentSerializer(made, many=True).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        application = self.get_object()
        data = _valid(DecideSerializer, request)
        services.decide(request.user, application, data["passed"], data.get("reason", ""))
        return self._answer(application)

    @extend_schema(request=AppealCreateSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        application = self.get_object()
        data = _valid(AppealCreateSerializer, request)
        made = services.appeal(request.user, application, data.get("reason", ""))
        return Response(AppealSerializer(made).data, status=status.HTTP_201_CREATED)


class AppealViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AppealSerializer

    def get_queryset(self):
        return selectors.appeals_for(self.request.user).order_by("-id")

    def get_object(self):
        return selectors.get_appeal(self.request.user, self.kwargs["pk"])

    @extend_schema(request=HandleAppealSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        appeal = self.get_object()
        data = _valid(HandleAppealSerializer, request)
        handled = services.handle_appeal(request.user, appeal, data["accept"],
                                         data.get("answer", ""))
        return Response(AppealSerializer(handled).data)


class ReviewAssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        return (selectors.assignments_for(self.request.user).prefetch_related("opinions")
                .order_by("state", "due_on", "id"))

    def get_object(self):
        return selectors.get_assignment(self.request.user, self.kwargs["pk"])

    @extend_schema(request=SubmitReviewSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        assignment = self.get_object()
        data = _valid(SubmitReviewSerializer, request)
        opinions = {o["criterion"]: (o["confirmed"], o.get("comment", ""))
                    for o in data["opinions"]}
        made = services.submit_review(
            request.user, assignment, opinions, data.get("site_visit_on"),
            data.get("site_visit_notes", ""), data.get("score"), data.get("recommend_pass"),
            data.get("comment", ""),
        )
        return Response(AssignmentSerializer(
            selectors.get_assignment(request.user, made.pk)).data)
