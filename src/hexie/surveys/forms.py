"""Forms of the survey pages: they parse input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hexie.core.forms import ServiceErrorsMixin

from . import policy


class OpenRoundForm(ServiceErrorsMixin, forms.Form):
    unit = forms.TypedChoiceField(label=_("单位"), coerce=int)
    year = forms.IntegerField(label=_("创建年度"))
    links = forms.IntegerField(label=_("链接（二维码）数量"), min_value=1)
    valid_days = forms.IntegerField(label=_("有效天数"), min_value=1)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["valid_days"].initial = policy.current().validity_default
        self.fields["year"].initial = timezone.localdate().year
        if units:
            self.fields["unit"].initial = units[0].pk
            self.fields["links"].initial = units[0].employees


class ConcernForm(ServiceErrorsMixin, forms.Form):
    category = forms.ChoiceField(label=_("问题类别"), widget=forms.RadioSelect)
    text = forms.CharField(label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.code, c.label) for c in policy.current().categories]
