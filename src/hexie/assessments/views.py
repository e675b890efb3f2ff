"""Self-assessment pages. Thin: parse input, call one selector or service, render. Everything
is looked up through the selectors' scope filter, so an object outside the scope is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexie.accounts.roles import ASSESSMENTS_EDIT, ASSESSMENTS_VIEW
from hexie.campaigns.models import Pledge
from hexie.core.downloads import stored_file_response
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.refusal import forbid
from hexie.core.scoping import scope_for
from hexie.standards import services as standards
from hexie.units.selectors import get_unit

from . import policy, selectors, services
from .evaluation import decorate, form_sections, live
from .fact_sources import satisfaction_source
from .forms import FilterForm, facts_from_post
from .models import SelfAssessment

PAGE_SIZE = 50
CONTENT_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
}


def _can_edit(user, sa: SelfAssessment) -> bool:
    return sa.unit_id in scope_for(user, ASSESSMENTS_EDIT).unit_ids


@login_required
def assessment_list(request):
    if scope_for(request.user, ASSESSMENTS_VIEW).is_empty:
        raise Http404(_("页面不存在"))
    own = sorted(scope_for(request.user, ASSESSMENTS_EDIT).unit_ids)
    if own:
        rows = list(selectors.assessments_for(request.user).filter(unit_id__in=own))
        pledges = Pledge.objects.filter(unit_id__in=own).select_related("unit").order_by(
            "-year", "unit_id")
        drafts = {(r.unit_id, r.year): r for r in rows if r.state == SelfAssessment.State.DRAFT}
        years = [{"pledge": p, "draft": drafts.get((p.unit_id, p.year)),
                  "rows": [r for r in rows if (r.unit_id, r.year) == (p.unit_id, p.year)]}
                 for p in pledges]
        return render(request, "assessments/own_list.html", {"years": years})
    form = FilterForm(request.GET or None)
    rows = selectors.assessments_for(request.user, **form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "assessments/list.html", {"form": form, "page": page,
                                                     "query": query.urlencode()})


@login_required
@require_POST
def start(request):
    unit = get_unit(request.user, request.POST.get("unit"), permission=ASSESSMENTS_VIEW)
    try:
        sa = services.start_draft(request.user, unit, request.POST.get("year"))
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessments:list")
    return redirect("assessments:edit", pk=sa.pk)


def _page_context(request, sa: SelfAssessment) -> dict:
    lib = standards.compiled(sa.standard_id)
    return {"sa": sa, "lib": lib, "sections": form_sections(lib, sa.profile),
            "evidence": selectors.evidence_by_item(sa), "can_edit": _can_edit(request.user, sa),
            "policy": policy.current(),
            # "来源：满意度调查第 N 轮" beside satisfaction_percent when a survey round set it.
            "satisfaction_source": satisfaction_source(sa)}


@login_required
def detail(request, pk):
    sa = selectors.get_assessment(request.user, pk)
    context = _page_context(request, sa)
    if sa.state == SelfAssessment.State.SUBMITTED:
        context["outcome"] = decorate(sa.result) | {"complete": True, "errors": {},
                                                     "missing": []}
    else:
        context["outcome"] = live(context["lib"], sa.profile, sa.facts, set(context["evidence"]))
    context["history"] = selectors.assessments_for(request.user).filter(
        unit_id=sa.unit_id, year=sa.year)
    return render(request, "assessments/detail.html", context)


@login_required
def edit(request, pk):
    sa = selectors.get_assessment(request.user, pk)
    if not _can_edit(request.user, sa):
        raise PermissionDenied(_("单位自评只能由本单位经办人填报。"))
    if sa.state != SelfAssessment.State.DRAFT:
        return redirect("assessments:detail", pk=sa.pk)
    context = _page_context(request, sa)
    values = sa.facts
    errors = {}
    if request.method == "POST":
        values = facts_from_post(context["lib"], context["sections"], request.POST)
        try:
            services.save_draft(request.user, sa, values)
        except NotPermitted as exc:
            forbid(exc)
        except DomainError as exc:
            errors[exc.field or ""] = str(exc.message)
            messages.error(request, _("未保存：请修改标红的数据。"))
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("assessments:edit", pk=sa.pk)
    return _render_form(request, sa, context, values, errors)


def _render_form(request, sa, context, values, errors, evidence_errors=None, status=200):
    outcome = live(context["lib"], sa.profile,
                   {k: v for k, v in values.items() if v is not None}, set(context["evidence"]))
    context.update({"values": values, "errors": {**outcome["errors"], **errors},
                    "outcome": outcome, "evidence_errors": evidence_errors or {}})
    return render(request, "assessments/form.html", context, status=status)


@login_required
@require_POST
def live_fragment(request, pk):
    """The htmx panel beside the form: the current values evaluated with the pinned library."""
    sa = selectors.get_assessment(request.user, pk)
    if not _can_edit(request.user, sa):
        raise PermissionDenied(_("单位自评只能由本单位经办人填报。"))
    lib = standards.compiled(sa.standard_id)
    sections = form_sections(lib, sa.profile)
    values = facts_from_post(lib, sections, request.POST)
    outcome = live(lib, sa.profile, {k: v for k, v in values.items() if v is not None},
                   set(sa.evidence.values_list("item_id", flat=True)))
    return render(request, "assessments/_live.html", {
        "outcome": outcome, "sa": sa, "sections": sections, "oob": True,
        "errors": outcome["errors"],
    })


@login_required
@require_POST
def submit(request, pk):
    sa = selectors.get_assessment(request.user, pk)
    try:
        sa = services.submit(request.user, sa)
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessments:edit", pk=sa.pk)
    messages.success(request, _("已提交第 %(n)s 次自评。") % {"n": sa.sequence})
    return redirect("assessments:detail", pk=sa.pk)


@login_required
@require_POST
def revise(request, pk):
    sa = selectors.get_assessment(request.user, pk)
    try:
        draft = services.start_draft(request.user, sa.unit, sa.year)
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessments:detail", pk=sa.pk)
    return redirect("assessments:edit", pk=draft.pk)


@login_required
@require_POST
def evidence_upload(request, pk):
    sa = selectors.get_assessment(request.user, pk)
    item_id = request.POST.get("item_id", "")
    try:
        row = services.upload_evidence(request.user, sa, item_id, request.FILES.get("file"))
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        if sa.state != SelfAssessment.State.DRAFT:
            messages.error(request, str(exc.message))
            return redirect("assessments:detail", pk=sa.pk)
        return _render_form(request, sa, _page_context(request, sa), sa.facts, {},
                            {item_id: str(exc.message)}, status=400)
    messages.success(request, _("已上传证明材料：%(name)s") % {"name": row.original_name})
    return redirect(f"{_edit_url(row.self_assessment_id)}#item-{row.item_id}")


def _edit_url(pk):
    return reverse("assessments:edit", args=[pk])


@login_required
@require_POST
def evidence_remove(request, pk):
    row = selectors.get_evidence(request.user, pk)
    try:
        services.remove_evidence(request.user, row)
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessments:detail", pk=row.self_assessment_id)
    messages.success(request, _("已删除证明材料：%(name)s") % {"name": row.original_name})
    return redirect(f"{_edit_url(row.self_assessment_id)}#item-{row.item_id}")


def evidence_response(row) -> FileResponse:
    """The stored file as a download: never rendered inline, never sniffed."""
    return stored_file_response(row.file, row.original_name, content_type=CONTENT_TYPES.get(
        row.file_type, "application/octet-stream"))


@login_required
def evidence_download(request, pk):
    return evidence_response(selectors.get_evidence(request.user, pk))
