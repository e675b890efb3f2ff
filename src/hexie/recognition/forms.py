"""Forms of the recognition pages: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hexie.accounts.models import AssessorOrganisation, TripartiteSide
from hexie.accounts.selectors import county_partner_members, county_staff
from hexie.campaigns.forms import PledgeForm
from hexie.core.forms import ServiceErrorsMixin
from hexie.units.models import Kind

from .models import Application


class Styled:
    def style(self):
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ApplyForm(PledgeForm):
    """The congress that approved applying: the pledge form's congress fields and the year."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["pledged_on"]
        self.fields["resolution"].help_text = _("大会讨论通过提出和谐劳动关系单位认定申请的决议。")


class FilterForm(Styled, forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部")), *Application.State.choices])
    town = forms.CharField(label=_("乡镇（街道）代码"), required=False, max_length=9)
    kind = forms.ChoiceField(label=_("单位类型"), required=False,
                             choices=[("", _("全部")), *Kind.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class AssignForm(ServiceErrorsMixin, Styled, forms.Form):
    """The tripartite reviewers are offered by side: the county office's staff (政府方), then
    each partner organisation of the county (工会方 / 企业方), e.g. "西湖区总工会：张三". The
    service decides who may review; the form only offers."""

    staff = forms.TypedMultipleChoiceField(label=_("三方评审人员"), coerce=int,
                                           widget=forms.CheckboxSelectMultiple)
    organisation = forms.ModelChoiceField(label=_("第三方评估机构（可选）"), required=False,
                                          queryset=AssessorOrganisation.objects.order_by("name"))
    due_on = forms.DateField(label=_("评审截止日期（不填为默认期限）"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        government = list(county_staff(unit.region_id).order_by("username"))
        self.people = {u.pk: u for u in government}
        groups = [(str(_("本县（市、区）三方办公室（政府方）")),
                   [(u.pk, str(u)) for u in government])]
        by_org, sides = {}, {TripartiteSide.GOVERNMENT} if government else set()
        for organisation, person in county_partner_members(unit.region_id):
            if person.pk in self.people:  # county staff review for the government
                continue
            self.people[person.pk] = person
            sides.add(organisation.side)
            by_org.setdefault(organisation, []).append(
                (person.pk, f"{organisation}：{person}"))
        for organisation, choices in by_org.items():
            side = TripartiteSide(organisation.side).label
            groups.append((f"{organisation}（{side}）", choices))
        self.fields["staff"].choices = groups
        self.missing_sides = [str(label) for value, label in TripartiteSide.choices
                              if value not in sides]
        if self.missing_sides:
            self.fields["staff"].help_text = _(
                "本县（市、区）尚无%(sides)s的评审人员账号：可以先指派，评审记录将注明缺少的一方；"
                "在“账号管理 → 合作组织”中添加本县总工会、企联、工商联及其人员。") % {
                "sides": "、".join(self.missing_sides)}
        self.style()

    def clean_staff(self):
        return [self.people[pk] for pk in self.cleaned_data["staff"] if pk in self.people]


class DecideForm(ServiceErrorsMixin, Styled, forms.Form):
    passed = forms.TypedChoiceField(label=_("认定结论"), coerce=lambda v: v == "1",
                                    choices=[("1", _("通过")), ("0", _("不通过"))],
                                    widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class AppealForm(ServiceErrorsMixin, Styled, forms.Form):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class HandleAppealForm(ServiceErrorsMixin, Styled, forms.Form):
    accept = forms.TypedChoiceField(label=_("处理结果"), coerce=lambda v: v == "1",
                                    choices=[("1", _("受理，重新评审")), ("0", _("驳回"))],
                                    widget=forms.RadioSelect)
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ReviewForm(ServiceErrorsMixin, Styled, forms.Form):
    """One confirm/reject and comment per criterion, then the site visit and the score."""

    site_visit_on = forms.DateField(label=_("实地核查日期"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    site_visit_notes = forms.CharField(label=_("实地核查记录"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    score = forms.DecimalField(label=_("评分"), required=False, max_digits=6, decimal_places=2)
    recommend_pass = forms.TypedChoiceField(
        label=_("评审建议"), coerce=lambda v: v == "1", required=False, empty_value=None,
        choices=[("1", _("建议通过")), ("0", _("建议不通过"))], widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("综合评审意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, scored_total=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"c_{c['id']}"] = forms.TypedChoiceField(
                label=c["id"], required=False, coerce=lambda v: v == "1", empty_value=None,
                choices=[("1", _("确认达标")), ("0", _("不确认"))], widget=forms.RadioSelect,
            )
            self.fields[f"n_{c['id']}"] = forms.CharField(label=_("意见"), required=False)
        if scored_total is None:
            del self.fields["score"]
        else:
            self.fields["score"].help_text = _("0 至 %(total)s 分") % {"total": scored_total}
        self.style()

    def rows(self):
        return [(c, self[f"c_{c['id']}"], self[f"n_{c['id']}"]) for c in self.criteria]

    def opinions(self) -> dict:
        data = self.cleaned_data
        return {c["id"]: (data.get(f"c_{c['id']}"), data.get(f"n_{c['id']}") or "")
                for c in self.criteria}
