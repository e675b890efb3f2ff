"""Forms of the campaign pages: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hexie.core.forms import ServiceErrorsMixin
from hexie.regions.models import Division
from hexie.units.models import Kind

from . import policy
from .models import CongressKind
from .services import CongressInput


class OpenCampaignForm(ServiceErrorsMixin, forms.Form):
    year = forms.IntegerField(label=_("创建年度"), min_value=2000, max_value=2100)


class SendLetterForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}))
    kinds = forms.MultipleChoiceField(
        label=_("单位类型（不选为全部）"), choices=Kind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    town = forms.ChoiceField(label=_("乡镇（街道）"), required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        towns = Division.objects.filter(parent_id=campaign.region_id, level="town")
        self.fields["town"].choices = [("", _("全部"))] + [(d.code, d.name) for d in towns]


class PledgeForm(ServiceErrorsMixin, forms.Form):
    year = forms.IntegerField(label=_("创建年度"))
    pledged_on = forms.DateField(label=_("承诺日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("会议形式"), choices=CongressKind.choices)
    held_on = forms.DateField(label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}))
    attendance_present = forms.IntegerField(label=_("出席人数"), min_value=0)
    attendance_total = forms.IntegerField(label=_("应出席人数"), min_value=1)
    resolution = forms.CharField(label=_("会议决议"), widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.FileField(
        label=_("会议记录（PDF 或图片）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
        limit = policy.current().minutes_max_bytes // (1024 * 1024)
        self.fields["minutes"].help_text = _("PDF、PNG 或 JPEG，不超过 %(mb)s MB。") % {"mb": limit}

    def congress(self) -> CongressInput:
        data = self.cleaned_data
        return CongressInput(
            kind=data["kind"], held_on=data["held_on"],
            attendance_present=data["attendance_present"],
            attendance_total=data["attendance_total"], resolution=data["resolution"],
            minutes=data["minutes"],
        )


class CultivationForm(ServiceErrorsMixin, forms.Form):
    cultivation_class = forms.ChoiceField(label=_("培育类别"))
    target_year = forms.IntegerField(label=_("目标年度"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cultivation_class"].choices = [
            (c.code, c.label) for c in policy.current().cultivation_classes
        ]
