"""Page forms. They only collect raw values; the shared validator in validation.py decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind
from .size import Size
from .validation import ALLOWED, COLUMNS, LABELS

_WIDGETS = {
    "employees": forms.NumberInput(attrs={"min": 0, "step": 1}),
    "workers": forms.NumberInput(attrs={"min": 0, "step": 1}),
    "revenue_yuan": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    "assets_yuan": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    "start_date": forms.DateInput(attrs={"type": "date"}),
    "end_date": forms.DateInput(attrs={"type": "date"}),
}
_HELP = {
    "region_code": _("9 位乡镇（街道）代码，如 330106002；行业（协会）可填县、市级代码"),
    "industry": _("GB/T 4754-2017 行业代码：门类字母或 2–4 位代码，如 C、C13、7010"),
    "assets_yuan": _("建筑业、房地产开发经营、租赁和商务服务业必填"),
    "credit_code": _("18 位统一社会信用代码"),
}


class UnitForm(forms.Form):
    """Fields for one kind; ``editable`` limits what may be changed (unit admins)."""

    def __init__(self, *args, kind: str, editable: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name, label in COLUMNS:
            if name == "kind" or name not in ALLOWED[kind]:
                continue
            if name == "platform":
                field = forms.ChoiceField(label=label, choices=[("否", "否"), ("是", "是")],
                                          required=False)
            else:
                field = forms.CharField(label=label, required=False,
                                        widget=_WIDGETS.get(name, forms.TextInput()),
                                        help_text=_HELP.get(name, ""))
            css = "form-select" if name == "platform" else "form-control"
            field.widget.attrs.setdefault("class", css)
            if editable is not None and name not in editable:
                field.disabled = True
            self.fields[name] = field

    def raw(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not self.fields[k].disabled}
        data["kind"] = self.kind
        return data

    def add_service_errors(self, errors: list[dict]) -> None:
        for e in errors:
            field = e["field"] if e["field"] in self.fields else None
            label = LABELS.get(e["field"], e["field"])
            message = e["message"] if field else f"{label}：{e['message']}"
            self.add_error(field, message)


class ChineseLabelsMixin:
    """Chinese forms end labels with a full-width colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class KindChoiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("单位类型"), choices=Kind.choices)


class SizeOverrideForm(ChineseLabelsMixin, forms.Form):
    size_override = forms.ChoiceField(
        label=_("核定规模"), choices=[("", _("（撤销核定，按测算）")), *Size.choices],
        required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    size_override_reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
        required=False,
    )


class ImportForm(ChineseLabelsMixin, forms.Form):
    file = forms.FileField(label=_("导入文件（CSV 或 XLSX）"))
    invite = forms.BooleanField(label=_("同时生成单位经办人邀请"), required=False)

