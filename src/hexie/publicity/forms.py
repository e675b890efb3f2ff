"""Forms of the publicity pages: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hexie.core.forms import ServiceErrorsMixin

from . import policy


def _style(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class NoticeForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("公示标题"), max_length=200)
    body = forms.CharField(label=_("公示说明"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = forms.DateField(label=_("公示开始日期"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    recognitions = forms.MultipleChoiceField(label=_("列入公示的单位（不选为全部待公示单位）"),
                                             required=False,
                                             widget=forms.CheckboxSelectMultiple(
                                                 attrs={"class": "form-check-input"}))

    def __init__(self, *args, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recognitions"].choices = [(str(r.pk), r.unit.name) for r in pending]
        _style(self)


class ObjectionForm(ServiceErrorsMixin, forms.Form):
    recognition = forms.ChoiceField(label=_("被异议单位"))
    received_on = forms.DateField(label=_("收到日期"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("来源渠道"))
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(label=_("联系方式（可不填）"), required=False)

    def __init__(self, *args, on_notice=(), **kwargs):
        super().__init__(*args, **kwargs)
        rules = policy.current()
        self.fields["recognition"].choices = [(str(r.pk), r.unit.name) for r in on_notice]
        self.fields["channel"].choices = list(rules.channels.items())
        self.fields["content"].max_length = rules.content_max_chars
        self.fields["contact"].max_length = rules.contact_max_chars
        self.fields["content"].help_text = _("不超过 %(n)s 个字。") % {"n": rules.content_max_chars}
        _style(self)


class HandleForm(ServiceErrorsMixin, forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("处理结论"), coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[("0", _("异议不成立（保留）")), ("1", _("异议成立（撤销认定，移出名单）"))],
    )
    finding = forms.CharField(label=_("核查情况"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(label=_("对异议人的答复"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class PublishForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("名单标题"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
