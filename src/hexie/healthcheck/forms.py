"""Forms of the health-check pages: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import policy


class OrganiseForm(forms.Form):
    year = forms.IntegerField(label=_("体检年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
    credit_code = forms.CharField(
        label=_("添加单个单位（统一社会信用代码，不填则为全部已承诺单位）"), required=False,
        max_length=18, widget=forms.TextInput(attrs={"class": "form-control"}))


class CloseTaskForm(forms.Form):
    note = forms.CharField(label=_("整改说明"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
    evidence = forms.FileField(label=_("整改证明材料"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = policy.current()
        self.fields["evidence"].widget.attrs.update({"accept": rules.accept,
                                                     "class": "form-control"})
        self.fields["evidence"].help_text = _("PDF、图片、Word 或 Excel，不超过 %(mb)s MB。") % {
            "mb": rules.evidence_max_bytes // (1024 * 1024)}


class FollowUpForm(forms.Form):
    decision = forms.ChoiceField(label=_("跟进结论"),
                                 choices=[("accept", _("通过")), ("reopen", _("退回整改"))],
                                 widget=forms.Select(attrs={"class": "form-select"}))
    note = forms.CharField(label=_("跟进意见"), required=False, widget=forms.TextInput(
        attrs={"class": "form-control", "placeholder": _("跟进意见（退回时必填）")}))
