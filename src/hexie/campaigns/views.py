"""Campaign pages. Thin: parse input, call one selector or service, render. Everything is looked
up through the selectors' scope filter, so an object outside the user's scope is a 404."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexie.accounts.roles import (
    CAMPAIGNS_CULTIVATE,
    CAMPAIGNS_OPEN,
    CAMPAIGNS_PLEDGE,
    CAMPAIGNS_RECORDS,
    CAMPAIGNS_SEND,
    CAMPAIGNS_VIEW,
)
from hexie.core.downloads import stored_file_response
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.refusal import forbid
from hexie.core.scoping import scope_for
from hexie.units.models import Unit
from hexie.units.selectors import own_unit

from . import policy, selectors, services
from .forms import CultivationForm, OpenCampaignForm, PledgeForm, SendLetterForm
from .models import Pledge

PAGE_SIZE = 50


def _require_region(user, permission):
    """Campaign pages belong to offices and partners (a region scope); unit admins work from
    their workbench."""
    if not scope_for(user, permission).region_prefixes:
        raise Http404(_("页面不存在"))


@login_required
def campaign_list(request):
    _require_region(request.user, CAMPAIGNS_VIEW)
    open_scope = scope_for(request.user, CAMPAIGNS_OPEN)
    form = OpenCampaignForm(request.POST or None,
                            initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if open_scope.is_empty:
            raise PermissionDenied(_("只有县（市、区）三方办公室可以开启创建年度。"))
        if form.is_valid():
            try:
                campaign = services.open_campaign(request.user, open_scope.region_prefixes[0],
                                                  form.cleaned_data["year"])
            except NotPermitted as exc:
                forbid(exc)
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request,
                                 _("已开启 %(year)s 年度创建活动。") % {"year": campaign.year})
                return redirect("campaigns:detail", pk=campaign.pk)
    campaigns = selectors.campaigns_for(request.user)
    return render(request, "campaigns/list.html", {
        "campaigns": campaigns, "form": form if not open_scope.is_empty else None,
    })


@login_required
def campaign_detail(request, pk):
    campaign = selectors.get_campaign(request.user, pk)
    can_send = scope_for(request.user, CAMPAIGNS_SEND).covers_region(campaign.region_id)
    form = SendLetterForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        if not can_send:
            raise PermissionDenied(_("只有本县（市、区）三方办公室可以发送倡议书。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                letter = services.send_initiative(
                    request.user, campaign, title=data["title"], body=data["body"],
                    kinds=data["kinds"], town=data["town"],
                )
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                if letter.late:
                    messages.warning(
                        request, _("倡议书已发出。注意：不在创建年度第一季度内，已标记为逾期发送。")
                    )
                else:
                    messages.success(request, _("倡议书已发出，正在送达各单位。"))
                return redirect("campaigns:detail", pk=campaign.pk)
    rules = policy.current(region=campaign.region_id)
    window = rules.initiative_window(campaign.year)
    return render(request, "campaigns/detail.html", {
        "campaign": campaign, "form": form if can_send else None,
        "letters": campaign.letters.all()[:20], "window": window,
        "window_rule": rules.window_rule,
    })


@login_required
def letter_progress(request, pk):
    letter = selectors.get_letter(request.user, pk)
    return render(request, "campaigns/_letter_progress.html", {"letter": letter})


@login_required
def campaign_plan(request, pk):
    campaign = selectors.get_campaign(request.user, pk)
    pledges = selectors.pledges_for(request.user, campaign).order_by("-id")
    page = Paginator(pledges, PAGE_SIZE).get_page(request.GET.get("page"))
    classes = {c.code: c.label for c in policy.current().cultivation_classes}
    for pledge in page:
        entry = getattr(pledge, "cultivation", None)
        pledge.class_label = classes.get(entry.cultivation_class, "") if entry else ""
    can_cultivate = scope_for(request.user, CAMPAIGNS_CULTIVATE).covers_region(
        campaign.region_id
    )
    return render(request, "campaigns/plan.html", {
        "campaign": campaign, "counts": selectors.plan_counts(request.user, campaign),
        "page": page, "can_cultivate": can_cultivate,
        "can_see_records": not scope_for(request.user, CAMPAIGNS_RECORDS).is_empty,
        "classes": classes,
    })


@login_required
@require_POST
def assign_cultivation(request, pk):
    pledge = selectors.get_pledge(request.user, pk)
    form = CultivationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择培育类别并填写目标年度。"))
    else:
        try:
            services.assign_cultivation(request.user, pledge, **form.cleaned_data)
        except NotPermitted as exc:
            forbid(exc)
        except DomainError as exc:
            messages.error(request, _("%(unit)s：%(reason)s") % {"unit": pledge.unit.name,
                                                                "reason": exc.message})
        else:
            messages.success(request, _("已安排：%(unit)s") % {"unit": pledge.unit.name})
    return redirect("campaigns:plan", pk=pledge.campaign_id)


@login_required
def letter_detail(request, pk):
    delivery = selectors.get_delivery(request.user, pk)
    can_read = delivery.unit_id in scope_for(request.user, CAMPAIGNS_PLEDGE).unit_ids
    if request.method == "POST":
        try:
            services.mark_letter_read(request.user, delivery)
        except NotPermitted as exc:
            forbid(exc)
        messages.success(request, _("已签收倡议书。"))
        return redirect("campaigns:letter", pk=delivery.pk)
    pledged = Pledge.objects.filter(unit_id=delivery.unit_id,
                                    year=delivery.letter.campaign.year).first()
    return render(request, "campaigns/letter.html", {
        "delivery": delivery, "letter": delivery.letter, "can_read": can_read,
        "pledged": pledged,
    })


def _own_unit(request) -> Unit:
    """The unit a unit admin pledges for (``?unit=`` when they hold several)."""
    return own_unit(request.user, CAMPAIGNS_PLEDGE,
                    request.GET.get("unit") or request.POST.get("unit"))


@login_required
def pledge_create(request):
    unit = _own_unit(request)
    today = timezone.localdate()
    form = PledgeForm(request.POST or None, request.FILES or None,
                      initial={"year": today.year, "pledged_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            made = services.pledge(request.user, unit, year=form.cleaned_data["year"],
                                   pledged_on=form.cleaned_data["pledged_on"],
                                   congress=form.congress())
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已提交 %(year)s 年度创建承诺书。") % {"year": made.year})
            return redirect("home")
    pledges = Pledge.objects.filter(unit=unit).select_related("congress", "cultivation")
    return render(request, "campaigns/pledge_form.html", {
        "form": form, "unit": unit, "pledges": pledges,
    })


@login_required
def congress_minutes(request, pk):
    """The minutes file, served only through the scope check (MEDIA is not web-served)."""
    record = selectors.get_congress_record(request.user, pk)
    return stored_file_response(record.minutes, record.minutes_name, as_attachment=False)


@login_required
def pledge_detail(request, pk):
    """One pledge with its congress, plan entry and history (办理记录)."""
    pledge = selectors.get_pledge(request.user, pk)
    entry = getattr(pledge, "cultivation", None)
    classes = {c.code: c.label for c in policy.current().cultivation_classes}
    return render(request, "campaigns/pledge.html", {
        "pledge": pledge, "congress": pledge.congress,
        "class_label": classes.get(entry.cultivation_class, "") if entry else "",
        "can_see_records": not scope_for(request.user, CAMPAIGNS_RECORDS).is_empty,
    })
