"""Parsing the self-assessment pages' input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .evaluation import parse_value
from .models import SelfAssessment


def facts_from_post(lib, sections, data) -> dict:
    """Every fact of the form as a JSON value (None when left empty)."""
    return {f.name: parse_value(lib, f.name, data.get(f.name))
            for block in sections for criterion in block.criteria for f in criterion.fields}


class FilterForm(forms.Form):
    """The offices' list filters."""

    year = forms.IntegerField(label=_("创建年度"), required=False, min_value=2000,
                              max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部")), *SelfAssessment.State.choices],
                              widget=forms.Select(attrs={"class": "form-select"}))
    meets = forms.ChoiceField(label=_("自评结果"), required=False, choices=[
        ("", _("全部")), ("yes", _("达到创建标准")), ("no", _("未达到创建标准"))],
        widget=forms.Select(attrs={"class": "form-select"}))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"year": data.get("year"), "state": data.get("state") or None,
                "meets": {"yes": True, "no": False}.get(data.get("meets") or "")}

