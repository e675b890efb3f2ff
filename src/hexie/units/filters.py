"""The registry's filters, shared by the list page, the API and the export."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import credit_code as cc
from .models import Kind, Unit
from .size import Size


class UnitFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region", label=_("区划代码（含下级）"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("单位类型"))
    size = django_filters.ChoiceFilter(choices=Size.choices, label=_("企业规模"))
    platform = django_filters.BooleanFilter(label=_("新业态平台企业"))
    industry_section = django_filters.CharFilter(label=_("行业门类"))
    q = django_filters.CharFilter(method="filter_q", label=_("名称或代码"))

    class Meta:
        model = Unit
        fields = ["region", "kind", "size", "platform", "industry_section", "q"]

    def filter_region(self, queryset, name, value):
        code = value.strip()
        if not code.isdigit() or len(code) not in (2, 4, 6, 9):
            return queryset.none()
        return queryset.filter(region__code__startswith=code)

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        code = cc.normalise(text)
        condition = Q(name__icontains=text)
        if len(code) == 18:
            condition |= Q(credit_code=code)
        condition |= Q(project_code=text)
        return queryset.filter(condition)


def filter_params(query) -> dict:
    """Page query strings carry the region as up to three cascading selects (r1 city, r2
    county, r3 town); the API and export take ``region`` directly. Normalise to ``region``."""
    params = {k: v for k, v in query.items() if v not in (None, "")}
    for key in ("r3", "r2", "r1"):
        if params.get(key):
            params.setdefault("region", params[key])
            break
    return params
