"""Recognition pages. Thin: parse input, call one selector or service, render. Everything is
looked up through the selectors' scope filter, so an object outside the user's scope is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexie.accounts.roles import (
    CAMPAIGNS_PLEDGE,
    CAMPAIGNS_RECORDS,
    RECOGNITION_APPLY,
    RECOGNITION_ASSIGN,
    RECOGNITION_DECIDE,
    RECOGNITION_VIEW,
)
from hexie.assessments.selectors import latest_submission
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.refusal import forbid
from hexie.core.scoping import scope_for
from hexie.units.selectors import own_unit

from . import selectors, services
from .forms import (
    AppealForm,
    ApplyForm,
    AssignForm,
    DecideForm,
    FilterForm,
    HandleAppealForm,
    ReviewForm,
)
from .models import Appeal, Application

PAGE_SIZE = 50


def _require_region(user, permission=RECOGNITION_VIEW):
    if not scope_for(user, permission).region_prefixes:
        raise Http404(_("页面不存在"))


@login_required
def application_list(request):
    _require_region(request.user)
    applications = selectors.region_applications(request.user)
    form = FilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["year"]:
            applications = applications.filter(year=data["year"])
        if data["state"]:
            applications = applications.filter(state=data["state"])
        if data["town"]:
            applications = applications.within(data["town"])
        if data["kind"]:
            applications = applications.filter(unit__kind=data["kind"])
    todo = request.GET.get("todo")
    if todo == "accept":
        applications = selectors.awaiting_assignment(applications)
    elif todo == "decide":
        applications = selectors.awaiting_decision(applications)
    elif todo == "appeal":
        applications = applications.filter(appeals__state=Appeal.State.FILED)
    counts = selectors.state_counts(applications)
    page = Paginator(applications.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recognition/list.html", {
        "form": form, "page": page, "counts": counts, "todo": todo,
    })


def _detail_context(request, application, **forms):
    user = request.user
    can_assign = scope_for(user, RECOGNITION_ASSIGN).covers_region(application.unit.region_id)
    can_decide = scope_for(user, RECOGNITION_DECIDE).covers_region(application.unit.region_id)
    assignments = list(application.assignments.select_related("reviewer", "organisation",
                                                              "partner_organisation")
                       .prefetch_related("opinions").order_by("-round", "id"))
    current = [a for a in assignments if a.round == application.review_round]
    awaiting = selectors.awaiting_assignment(
        Application.objects.filter(pk=application.pk)).exists()
    deciding = selectors.awaiting_decision(
        Application.objects.filter(pk=application.pk)).exists()
    submitted = [a for a in current if a.state == "submitted"]
    conclusion = services.combined_conclusion(application) if submitted else None
    appeals = list(application.appeals.select_related("filed_by", "handled_by"))
    return {
        "application": application, "assessment": application.self_assessment,
        "criteria": (application.self_assessment.result or {}).get("criteria", []),
        "pledge_congress": application.pledge.congress, "congress": application.congress,
        "can_see_records": not scope_for(user, CAMPAIGNS_RECORDS).is_empty,
        "assignments": assignments, "today": timezone.localdate(),
        # A refused form is shown again with its error, even when the state no longer offers it.
        "assign_form": forms.get("assign_form") or (
            AssignForm(unit=application.unit) if can_assign and awaiting else None),
        "decide_form": forms.get("decide_form") or (
            DecideForm() if can_decide and deciding else None),
        "handle_form": forms.get("handle_form") or (HandleAppealForm() if can_decide else None),
        "conclusion": conclusion, "conclusion_interim": len(submitted) < len(current),
        "missing_sides": services.missing_sides(a.side for a in current if a.side)
        if current else [],
        "appeals": appeals,
        "appeal_deadline": services.appeal_deadline(application),
    }


@login_required
def application_detail(request, pk):
    application = selectors.get_region_application(request.user, pk)
    return render(request, "recognition/detail.html", _detail_context(request, application))


def _rerender(request, application, **forms):
    return render(request, "recognition/detail.html",
                  _detail_context(request, application, **forms), status=400)


def _county_step(request, pk, make_form, key, step, done):
    """Run one county step on the application page: the refused form comes back with its
    error next to the field (or above the form), a done step redirects."""
    application = selectors.get_region_application(request.user, pk)
    form = make_form(request.POST, application)
    if form.is_valid():
        try:
            step(application, form.cleaned_data)
        except NotPermitted as exc:
            forbid(exc)
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, done)
            return redirect("recognition:detail", pk=application.pk)
    return _rerender(request, application, **{key: form})


@login_required
@require_POST
def assign(request, pk):
    def make_form(data, application):
        return AssignForm(data, unit=application.unit)

    def step(application, data):
        made = services.assign_reviewers(request.user, application, staff=data["staff"],
                                         organisation=data["organisation"],
                                         due_on=data["due_on"])
        missing = services.missing_sides(a.side for a in made if a.side)
        if missing:
            messages.warning(request, _("三方评审缺少%(sides)s的评审人员。") % {
                "sides": "、".join(missing)})

    return _county_step(request, pk, make_form, "assign_form", step, _("已指派评审人员。"))


@login_required
@require_POST
def decide(request, pk):
    return _county_step(request, pk, lambda data, _a: DecideForm(data), "decide_form",
                        lambda application, data: (
        services.decide(request.user, application, data["passed"], data["reason"])
    ), _("已作出认定决定。"))


@login_required
@require_POST
def handle_appeal(request, pk):
    appeal = selectors.get_appeal(request.user, pk)
    application = selectors.get_region_application(request.user, appeal.application_id)
    form = HandleAppealForm(request.POST)
    if not form.is_valid():
        return _rerender(request, application, handle_form=form)
    try:
        services.handle_appeal(request.user, appeal, form.cleaned_data["accept"],
                               form.cleaned_data["answer"])
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_service_error(exc)
            return _rerender(request, application, handle_form=form)
        messages.error(request, str(exc.message))
        return redirect("recognition:detail", pk=application.pk)
    messages.success(request, _("已处理申诉。"))
    return redirect("recognition:detail", pk=application.pk)


# --- reviewers -----------------------------------------------------------------------------

@login_required
def review_list(request):
    if not selectors.is_reviewer(request.user):
        raise Http404(_("页面不存在"))
    assignments = selectors.assignments_for(request.user).order_by("state", "due_on", "id")
    return render(request, "recognition/reviews.html", {
        "assignments": assignments, "today": timezone.localdate(),
    })


@login_required
def review(request, pk):
    assignment = selectors.get_assignment(request.user, pk)
    application = assignment.application
    criteria = (application.self_assessment.result or {}).get("criteria", [])
    total = services._scored_total(application)
    form = ReviewForm(request.POST or None, criteria=criteria, scored_total=total)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_review(
                    request.user, assignment, form.opinions(), data["site_visit_on"],
                    data["site_visit_notes"], data.get("score"), data["recommend_pass"],
                    data["comment"],
                )
            except NotPermitted as exc:
                forbid(exc)
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("评审意见已提交。"))
                return redirect("recognition:reviews")
        status = 400
    return render(request, "recognition/review.html", {
        "assignment": assignment, "application": application, "form": form,
        "assessment": application.self_assessment, "total": total,
        "opinions": {o.criterion_id: o for o in assignment.opinions.all()},
    }, status=status)


# --- unit admin ----------------------------------------------------------------------------

@login_required
def apply(request):
    unit = own_unit(request.user, CAMPAIGNS_PLEDGE,
                    request.GET.get("unit") or request.POST.get("unit"))
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or today.year)
    except ValueError:
        year = today.year
    form = ApplyForm(request.POST or None, request.FILES or None, initial={"year": year})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.apply(request.user, unit, form.cleaned_data["year"],
                                      form.congress())
            except NotPermitted as exc:
                forbid(exc)
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("已提交 %(year)s 年度认定申请。") % {"year": made.year})
                return redirect("recognition:mine")
        status = 400
    return render(request, "recognition/apply.html", {
        "form": form, "unit": unit, "year": year,
        "latest": latest_submission(unit.pk, year),
    }, status=status)


@login_required
def mine(request):
    unit_ids = sorted(scope_for(request.user, RECOGNITION_APPLY).unit_ids)
    if not unit_ids:
        raise Http404(_("页面不存在"))
    applications = list(Application.objects.filter(unit_id__in=unit_ids)
                        .select_related("unit").prefetch_related("appeals").order_by("-year"))
    for a in applications:
        a.deadline = services.appeal_deadline(a)
        a.can_appeal = (a.state == Application.State.FAILED and not a.appeals.all()
                        and a.deadline is not None and timezone.localdate() <= a.deadline)
    return render(request, "recognition/mine.html", {
        "applications": applications, "appeal_form": AppealForm(),
    })


@login_required
@require_POST
def appeal(request, pk):
    application = selectors.get_application(request.user, pk, RECOGNITION_APPLY)
    form = AppealForm(request.POST)
    form.is_valid()
    try:
        services.appeal(request.user, application, form.cleaned_data.get("reason", ""))
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已提出申诉。"))
    return redirect("recognition:mine")

