"""Health-check pages. Thin: parse input, call one selector or service, render. Everything is
looked up through the selectors' scope filter, so an object outside the user's scope is a 404."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexie.accounts.roles import HEALTHCHECK_ANSWER, HEALTHCHECK_ORGANISE, HEALTHCHECK_VIEW
from hexie.core.downloads import stored_file_response
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.refusal import forbid
from hexie.core.scoping import scope_for
from hexie.regions.models import Division
from hexie.units.models import Unit

from . import report, selectors, services
from .forms import CloseTaskForm, FollowUpForm, OrganiseForm
from .models import HealthCheck, Level, RemediationTask

PAGE_SIZE = 50


@login_required
def index(request):
    """Unit admins go to this year's check of their unit; offices to the year's progress."""
    scope = scope_for(request.user, HEALTHCHECK_VIEW)
    if scope.region_prefixes:
        return redirect("healthcheck:progress")
    unit_ids = sorted(scope_for(request.user, HEALTHCHECK_ANSWER).unit_ids)
    if not unit_ids:
        raise Http404(_("页面不存在"))
    year = timezone.localdate().year
    check = selectors.own_check(request.user, unit_ids[0], year)
    if check is not None:
        return redirect("healthcheck:detail", pk=check.pk)
    return render(request, "healthcheck/none.html", {
        "year": year, "checks": selectors.checks_for(request.user)[:10],
    })


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def progress(request):
    """The offices' view of the year: counts by state, level and town; the list, filtered."""
    scope = scope_for(request.user, HEALTHCHECK_VIEW)
    if not scope.region_prefixes:
        raise Http404(_("页面不存在"))
    year = _year(request)
    filters = {k: request.GET.get(k) or None for k in ("state", "level", "town")}
    rows = selectors.checks_for(request.user, year=year, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    organise_scope = scope_for(request.user, HEALTHCHECK_ORGANISE)
    towns = Division.objects.in_scope(scope).filter(level="town").order_by("code")
    return render(request, "healthcheck/progress.html", {
        "year": year, "board": selectors.progress(request.user, year), "page": page,
        "filters": filters, "states": HealthCheck.State.choices, "levels": Level.choices,
        "towns": towns[:200],
        "form": OrganiseForm(initial={"year": year}) if organise_scope.region_prefixes else None,
    })



@login_required
@require_POST
def organise(request):
    form = OrganiseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写体检年度。"))
        return redirect("healthcheck:progress")
    data = form.cleaned_data
    units = None
    if data["credit_code"]:
        unit = (Unit.objects.visible_to(request.user, HEALTHCHECK_VIEW)
                .filter(credit_code=data["credit_code"].upper()).first())
        if unit is None:
            messages.error(request, _("未找到该统一社会信用代码的单位，或不在您的管辖范围内。"))
            return redirect("healthcheck:progress")
        units = [unit]
    try:
        result = services.organise(request.user, data["year"], units)
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已为 %(n)s 家单位安排 %(year)s 年度线上用工体检（已有体检的 "
                                    "%(m)s 家保持不变）。") % {"n": len(result.created),
                                                        "year": data["year"],
                                                        "m": result.existing})
    return redirect(f"{reverse('healthcheck:progress')}?year={data['year']}")


def _answers_from(post, items) -> dict:
    return {i.id: post.get(f"answer_{i.id}", "") for i in items}


@login_required
def detail(request, pk):
    check = selectors.get_check(request.user, pk)
    can_answer = check.unit_id in scope_for(request.user, HEALTHCHECK_ANSWER).unit_ids
    items = services.applicable_items(check)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied(_("线上用工体检只能由本单位经办人填报。"))
        answers = _answers_from(request.POST, items)
        try:
            if request.POST.get("action") == "submit":
                services.submit(request.user, check, answers)
                messages.success(request, _("体检已提交，结果与整改任务如下。"))
            else:
                services.save_answers(request.user, check, answers)
                messages.success(request, _("答卷已保存，可稍后继续填写。"))
            return redirect("healthcheck:detail", pk=check.pk)
        except NotPermitted as exc:
            forbid(exc)
        except DomainError as exc:
            errors[exc.field or "__all__"] = str(exc.message)
            check.answers = {**check.answers, **{k: v for k, v in answers.items() if v}}
    catalogue = services.compiled(check.catalogue)
    context = {"check": check, "can_answer": can_answer, "errors": errors,
               "catalogue": catalogue}
    if check.state == HealthCheck.State.OPEN:
        suggestions = services.prefill(check) if can_answer else {}
        groups = []
        for code, name in catalogue.areas.items():
            rows = []
            for i in items:
                if i.area != code:
                    continue
                suggestion = suggestions.get(i.id)
                answer = check.answers.get(i.id, "")
                rows.append({"item": i, "answer": answer, "suggestion": suggestion,
                             "current": answer or (suggestion or {}).get("answer", ""),
                             "error": errors.get(i.id)})
            if rows:
                groups.append({"code": code, "name": name, "rows": rows})
        context.update(groups=groups, suggestions=suggestions,
                       answered=sum(1 for i in items if check.answers.get(i.id)),
                       total=len(items))
        return render(request, "healthcheck/answer.html", context)
    findings = list(check.findings.select_related("task").order_by("item_id"))
    by_area = []
    for code, name in catalogue.areas.items():
        area = check.area_results.get(code) or {}
        found = [f for f in findings if f.area == code]
        if area.get("answered") or found:
            by_area.append({"code": code, "name": name, "share": area.get("share"),
                            "findings": found})
    can_follow = scope_for(request.user, HEALTHCHECK_ORGANISE).covers_region(
        check.unit.region_id)
    context.update(by_area=by_area, findings=findings, can_follow=can_follow,
                   close_form=CloseTaskForm(), follow_form=FollowUpForm())
    return render(request, "healthcheck/result.html", context)


@login_required
def report_pdf(request, pk):
    check = selectors.get_check(request.user, pk)
    if check.state == HealthCheck.State.OPEN:
        raise Http404(_("体检尚未提交，暂无报告。"))
    response = HttpResponse(report.render(check), content_type="application/pdf")
    name = f"healthcheck-{check.year}-{check.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def tasks(request):
    """The offices' follow-up list (submitted tasks first) and every task's state."""
    scope = scope_for(request.user, HEALTHCHECK_VIEW)
    if not scope.region_prefixes:
        raise Http404(_("页面不存在"))
    state = request.GET.get("state", RemediationTask.State.SUBMITTED)
    rows = selectors.tasks_for(request.user, state=state or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_follow = bool(scope_for(request.user, HEALTHCHECK_ORGANISE).region_prefixes)
    return render(request, "healthcheck/tasks.html", {
        "page": page, "state": state, "states": RemediationTask.State.choices,
        "can_follow": can_follow, "follow_form": FollowUpForm(),
        "today": timezone.localdate(),
    })


def _task_step(request, task, step, done_message) -> None:
    """Run one remediation service; a refusal becomes a message on the page it came from."""
    try:
        step()
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, _("%(item)s：%(reason)s") % {"item": task.finding.item_id,
                                                            "reason": exc.message})
    else:
        messages.success(request, done_message % {"item": task.finding.item_id})


@login_required
@require_POST
def close_task(request, pk):
    task = selectors.get_task(request.user, pk)
    form = CloseTaskForm(request.POST, request.FILES)
    form.is_valid()
    data = form.cleaned_data
    _task_step(request, task, lambda: services.close_task(
        request.user, task, data.get("evidence"), data.get("note", "")),
        _("已提交整改材料：%(item)s"))
    return redirect("healthcheck:detail", pk=task.finding.health_check_id)


@login_required
@require_POST
def follow_up(request, pk):
    task = selectors.get_task(request.user, pk)
    form = FollowUpForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    _task_step(request, task, lambda: services.follow_up(
        request.user, task, data.get("decision") == "accept", data.get("note", "")),
        _("已跟进整改任务：%(item)s"))
    if request.POST.get("next") == "check":
        return redirect("healthcheck:detail", pk=task.finding.health_check_id)
    return redirect("healthcheck:tasks")


@login_required
def task_evidence(request, pk):
    """The evidence file, served only through the scope check (MEDIA is not web-served)."""
    task = selectors.get_task(request.user, pk)
    return stored_file_response(task.evidence, task.evidence_name)
