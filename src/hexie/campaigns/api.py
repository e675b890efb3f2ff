"""REST API of the campaign's first steps under /api/v1/. Same selectors and services as the
pages; refusals come back as Chinese messages through hexie.core.api.exception_handler."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from hexie.accounts.roles import CAMPAIGNS_OPEN, CAMPAIGNS_VIEW
from hexie.core.api import validated as _valid
from hexie.core.events_api import EventsMixin
from hexie.core.scoping import scope_for
from hexie.units.selectors import get_unit

from . import selectors, services
from .models import CampaignYear, CongressKind, InitiativeLetter, LetterDelivery, Pledge


class CampaignSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)

    class Meta:
        model = CampaignYear
        fields = ["id", "region_code", "region_name", "year", "policy_version", "opened_at"]
        read_only_fields = fields


class OpenCampaignSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    region_code = serializers.CharField(required=False, help_text="默认为本办公室的区划")


class LetterSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = InitiativeLetter
        fields = ["id", "campaign", "title", "body", "sent_at", "late", "filters",
                  "target_count", "delivered_count", "progress_percent", "status",
                  "finished_at"]
        read_only_fields = fields


class SendLetterSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    kinds = serializers.ListField(child=serializers.CharField(), required=False,
                                  help_text="单位类型代码，不填为全部")
    town = serializers.CharField(required=False, allow_blank=True, help_text="乡镇（街道）代码")


class DeliverySerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="letter.title", read_only=True)
    body = serializers.CharField(source="letter.body", read_only=True)
    year = serializers.IntegerField(source="letter.campaign.year", read_only=True)

    class Meta:
        model = LetterDelivery
        fields = ["id", "letter", "unit", "title", "body", "year", "delivered_at", "read_at"]
        read_only_fields = fields


class PledgeSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    congress = serializers.SerializerMethodField()
    cultivation = serializers.SerializerMethodField()

    class Meta:
        model = Pledge
        fields = ["id", "unit", "unit_name", "campaign", "year", "pledged_on", "state",
                  "congress", "cultivation", "created_at"]
        read_only_fields = fields

    def get_congress(self, pledge) -> dict:
        c = pledge.congress
        return {"id": c.pk, "kind": c.kind, "held_on": c.held_on,
                "attendance_present": c.attendance_present,
                "attendance_total": c.attendance_total, "resolution": c.resolution,
                "minutes_name": c.minutes_name}

    def get_cultivation(self, pledge) -> dict | None:
        entry = getattr(pledge, "cultivation", None)
        if entry is None:
            return None
        return {"cultivation_class": entry.cultivation_class, "target_year": entry.target_year}


class PledgeCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    year = serializers.IntegerField()
    pledged_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=CongressKind.choices, required=False)
    held_on = serializers.DateField(required=False)
    attendance_present = serializers.IntegerField(required=False)
    attendance_total = serializers.IntegerField(required=False)
    resolution = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.FileField(required=False, help_text="PDF 或图片")


class CultivationSerializer(serializers.Serializer):
    cultivation_class = serializers.CharField()
    target_year = serializers.IntegerField()


def congress_input(data: dict) -> services.CongressInput | None:
    """The congress record of a pledge or application request; None when none was sent (the
    service then refuses with the rule that asks for it)."""
    if not any(k in data for k in ("kind", "held_on", "attendance_total", "minutes")):
        return None
    return services.CongressInput(
        kind=data.get("kind", ""), held_on=data.get("held_on"),
        attendance_present=data.get("attendance_present"),
        attendance_total=data.get("attendance_total"),
        resolution=data.get("resolution", ""), minutes=data.get("minutes"),
    )


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.campaigns_for(self.request.user).order_by("-year", "region_id")

    def get_object(self):
        return selectors.get_campaign(self.request.user, self.kwargs["pk"])

    @extend_schema(request=OpenCampaignSerializer, responses=CampaignSerializer)
    def create(self, request):
        data = _valid(OpenCampaignSerializer, request)
        prefixes = scope_for(request.user, CAMPAIGNS_OPEN).region_prefixes
        region = data.get("region_code") or (prefixes[0] if prefixes else "")
        campaign = services.open_campaign(request.user, region, data["year"])
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SendLetterSerializer, responses=LetterSerializer)
    @action(detail=True, methods=["get", "post"])
    def letters(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "GET":
            return Response(LetterSerializer(campaign.letters.all(), many=True).data)
        data = _valid(SendLetterSerializer, request)
        letter = services.send_initiative(request.user, campaign, title=data["title"],
                                          body=data["body"], kinds=data.get("kinds", ()),
                                          town=data.get("town", ""))
        return Response(LetterSerializer(letter).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def plan(self, request, pk=None):
        counts = selectors.plan_counts(request.user, self.get_object())
        return Response({
            "total": counts["total"],
            "by_class": [{"code": c, "label": str(lb), "count": n}
                         for c, lb, n in counts["by_class"]],
            "by_kind": [{"code": c, "label": str(lb), "count": n}
                        for c, lb, n in counts["by_kind"]],
            "by_town": [{"code": c, "name": nm, "count": n} for c, nm, n in counts["by_town"]],
        })


class LetterViewSet(viewsets.GenericViewSet):
    serializer_class = LetterSerializer

    def get_queryset(self):
        return InitiativeLetter.objects.filter(campaign__in=selectors.campaigns_for(
            self.request.user))

    def retrieve(self, request, pk=None):
        return Response(LetterSerializer(selectors.get_letter(request.user, pk)).data)


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeliverySerializer

    def get_queryset(self):
        return selectors.deliveries_for(self.request.user)

    def get_object(self):
        return selectors.get_delivery(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        delivery = services.mark_letter_read(request.user, self.get_object())
        return Response(DeliverySerializer(delivery).data)


class PledgeViewSet(EventsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PledgeSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return selectors.pledges_for(self.request.user).order_by("-id")

    def get_object(self):
        return selectors.get_pledge(self.request.user, self.kwargs["pk"])

    @extend_schema(request={"multipart/form-data": PledgeCreateSerializer},
                   responses=PledgeSerializer)
    def create(self, request):
        data = _valid(PledgeCreateSerializer, request)
        unit = get_unit(request.user, data["unit"], permission=CAMPAIGNS_VIEW)
        congress = congress_input(data)
        made = services.pledge(request.user, unit, year=data["year"],
                               pledged_on=data["pledged_on"], congress=congress)
        return Response(PledgeSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CultivationSerializer, responses=PledgeSerializer)
    @action(detail=True, methods=["post"])
    def cultivation(self, request, pk=None):
        pledge = self.get_object()
        data = _valid(CultivationSerializer, request)
        services.assign_cultivation(request.user, pledge, **data)
        return Response(PledgeSerializer(selectors.get_pledge(request.user, pledge.pk)).data)
