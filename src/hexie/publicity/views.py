"""Office pages of publicity (公示与公布). Thin: parse input, call one selector or service,
render. Everything is looked up through the selectors' scope filter: outside the scope is 404;
an office that follows the county but is not its office reads and may not act (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexie.core.errors import DomainError, NotPermitted
from hexie.core.refusal import forbid
from hexie.recognition.models import Recognition

from . import selectors, services
from .forms import HandleForm, NoticeForm, ObjectionForm, PublishForm
from .models import Objection, PublicNotice

PAGE_SIZE = 50


def _call(form, fn, *args, **kwargs):
    """Run a service; a rule's refusal goes onto the form, a role's refusal is a 403."""
    try:
        return fn(*args, **kwargs)
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        form.add_service_error(exc)
        return None


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _state_rows(counts: dict, counties) -> list[dict]:
    states = [s for s, _label in Recognition.State.choices]
    rows = []
    for county in counties:
        by_state = counts.get(county.code, {})
        rows.append({"county": county, "counts": [by_state.get(s, 0) for s in states],
                     "total": sum(by_state.values())})
    return rows


@login_required
def index(request):
    """The year's recognitions by state, the notice and publish forms, notices and lists."""
    selectors.require_office(request.user)
    year = _year(request)
    counties = selectors.counties_for(request.user)
    wanted = request.GET.get("region") or request.POST.get("region") or ""
    county = next((c for c in counties if c.code == wanted), None)
    if wanted and county is None:
        raise Http404(_("县（市、区）不存在或不在您的管辖范围内"))
    if county is None and len(counties) == 1:
        county = counties[0]
    manage = county is not None and selectors.can_manage(request.user, county.code)
    recognitions = selectors.recognitions_for(request.user).filter(year=year)
    pending = []
    if county is not None:
        recognitions = recognitions.filter(region_id=county.code)
        pending = list(recognitions.filter(state=Recognition.State.PENDING).order_by("id")[:500])
    today = timezone.localdate()
    action = request.POST.get("action")
    notice_form = NoticeForm(request.POST if action == "notice" else None, pending=pending,
                             initial={"starts_on": today, "title": _(
                                 "%(year)s 年度和谐劳动关系单位认定公示") % {"year": year}})
    publish_form = PublishForm(request.POST if action == "publish" else None, initial={
        "title": _("%(year)s 年度和谐劳动关系单位名单") % {"year": year}})
    if request.method == "POST":
        if county is None:
            raise Http404(_("请先选择县（市、区）"))
        if action == "notice" and notice_form.is_valid():
            data = notice_form.cleaned_data
            notice = _call(notice_form, services.open_notice, request.user, county.code, year,
                           [int(i) for i in data["recognitions"]] or None,
                           starts_on=data["starts_on"], title=data["title"], body=data["body"])
            if notice is not None:
                messages.success(request, _("已发布公示：%(n)s 个单位，公示期 %(s)s 至 %(e)s。") % {
                    "n": notice.recognitions.count(), "s": notice.starts_on, "e": notice.ends_on})
                return redirect("publicity:notice", pk=notice.pk)
        elif action == "publish" and publish_form.is_valid():
            published = _call(publish_form, services.publish_list, request.user, county.code,
                              year, publish_form.cleaned_data["title"])
            if published is not None:
                messages.success(request, _("已公布名单：%(n)s 个单位。") % {
                    "n": published.entry_count})
                return redirect("publicity:list", pk=published.pk)
        elif action not in ("notice", "publish"):
            raise Http404(_("页面不存在"))
    state = request.GET.get("state") or ""
    listed = recognitions.filter(state=state) if state in Recognition.State.values else (
        recognitions)
    page = Paginator(listed.order_by("state", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    notices = selectors.notices_for(request.user).filter(year=year)
    lists = selectors.lists_for(request.user).filter(year=year)
    if county is not None:
        notices, lists = notices.filter(region=county), lists.filter(region=county)
    return render(request, "publicity/index.html", {
        "year": year, "years": selectors.recognition_years(request.user), "counties": counties,
        "county": county, "manage": manage, "states": Recognition.State.choices,
        "rows": _state_rows(selectors.state_counts(request.user, year), counties),
        "page": page, "state": state, "notices": notices[:50], "lists": lists,
        "notice_form": notice_form if manage and pending else None,
        "publish_form": publish_form if manage and not lists else None,
        "period_days": services.recognition_policy.current().notice_period_days,
        "notice_rule": services.recognition_policy.current().notice_rule,
    })


@login_required
def notice_list(request):
    selectors.require_office(request.user)
    notices = selectors.notices_for(request.user)
    state = request.GET.get("state") or ""
    if state in PublicNotice.State.values:
        notices = notices.filter(state=state)
    page = Paginator(notices.order_by("ends_on", "id"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "publicity/notices.html", {
        "page": page, "state": state, "states": PublicNotice.State.choices,
        "today": timezone.localdate(),
    })


@login_required
def notice_detail(request, pk):
    notice = selectors.get_notice(request.user, pk)
    manage = selectors.can_manage(request.user, notice.region_id)
    recognitions = selectors.recognitions_for(request.user).filter(notice=notice).order_by("id")
    on_notice = list(recognitions.filter(state=Recognition.State.ON_NOTICE)[:1000])
    form = ObjectionForm(request.POST or None, on_notice=on_notice,
                         initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(_("只有本县（市、区）三方办公室可以登记异议。"))
        if form.is_valid():
            data = form.cleaned_data
            rec = next(r for r in on_notice if str(r.pk) == data["recognition"])
            made = _call(form, services.record_objection, request.user, notice, rec,
                         received_on=data["received_on"], channel=data["channel"],
                         content=data["content"], contact=data["contact"])
            if made is not None:
                messages.success(request, _("已登记异议。"))
                return redirect("publicity:objection", pk=made.pk)
    page = Paginator(recognitions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publicity/notice.html", {
        "notice": notice, "manage": manage, "page": page,
        "form": form if manage and notice.state == PublicNotice.State.OPEN and on_notice
        else None,
        "objections": selectors.objections_for(request.user).filter(notice=notice)
        .order_by("-id")[:200],
        "today": timezone.localdate(), "contact": selectors.notice_contact(notice),
        "channels": services.policy.current().channels,
    })


@login_required
@require_POST
def notice_close(request, pk):
    notice = selectors.get_notice(request.user, pk)
    try:
        closed = services.close_notice(request.user, notice)
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("公示已结束：%(n)s 个单位公示无异议。") % {
            "n": closed.recognitions.filter(state=Recognition.State.CONFIRMED).count()})
    return redirect("publicity:notice", pk=notice.pk)


@login_required
def objection_list(request):
    selectors.require_office(request.user)
    objections = selectors.objections_for(request.user)
    state = request.GET.get("state") or ""
    if state in Objection.State.values:
        objections = objections.filter(state=state)
    page = Paginator(objections.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publicity/objections.html", {
        "page": page, "state": state, "states": Objection.State.choices,
        "channels": services.policy.current().channels,
    })


@login_required
def objection_detail(request, pk):
    objection = selectors.get_objection(request.user, pk)
    manage = selectors.can_manage(request.user, objection.notice.region_id)
    form = HandleForm(request.POST or None)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(_("只有本县（市、区）三方办公室可以处理异议。"))
        if form.is_valid():
            done = _call(form, services.handle_objection, request.user, objection,
                         **form.cleaned_data)
            if done is not None:
                messages.success(request, _("已处理异议：%(state)s。") % {
                    "state": done.get_state_display()})
                return redirect("publicity:objection", pk=objection.pk)
    return render(request, "publicity/objection.html", {
        "objection": objection, "manage": manage,
        "form": form if manage and objection.state == Objection.State.RECEIVED else None,
        "channels": services.policy.current().channels,
    })


@login_required
def list_detail(request, pk):
    published = selectors.get_list(request.user, pk)
    entries = published.entries.order_by("region_code", "id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publicity/list.html", {"published": published, "page": page})
