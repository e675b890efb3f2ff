"""Registry pages. Thin: parse input, call one selector or service, render."""

import csv
import io
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hexie.accounts.roles import (
    AUDIT_VIEW,
    UNITS_CHANGE,
    UNITS_CREATE,
    UNITS_EXPORT,
    UNITS_IMPORT,
    UNITS_OVERRIDE_SIZE,
    UNITS_VIEW,
)
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.scoping import scope_for

from . import credit_code as cc
from . import invitations as unit_invitations
from . import selectors, services
from .exporting import export_to_tempfile
from .filters import filter_params
from .forms import ImportForm, KindChoiceForm, SizeOverrideForm, UnitForm
from .importing import template_csv
from .models import ImportJob, Kind
from .size import Size
from .tasks import run_import_job

PAGE_SIZE = 50
EXPORT_MAX_ROWS = getattr(settings, "UNIT_EXPORT_MAX_ROWS", 200_000)


def _require(user, permission):
    if scope_for(user, permission).is_empty:
        raise Http404("页面不存在")


@login_required
def unit_list(request):
    _require(request.user, UNITS_VIEW)
    page = selectors.unit_page(request.user, request.GET, request.GET.get("page"), PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "query": params.urlencode(),
        "kinds": Kind.choices,
        "sizes": Size.choices,
        "selected": filter_params(request.GET),
        "region_path": _region_path(request),
        "can_export": not scope_for(request.user, UNITS_EXPORT).is_empty,
    }
    template = "units/_list_body.html" if request.htmx else "units/list.html"
    return render(request, template, context)


def _region_path(request):
    """The selected city, county and town, with the options each select offers."""
    scope = scope_for(request.user, UNITS_VIEW)
    levels = []
    parent = None
    for key in ("r1", "r2", "r3"):
        options = selectors.region_options(request.user, parent, scope)
        if not options:
            break
        chosen = request.GET.get(key, "")
        if chosen and chosen not in {d.code for d in options}:
            chosen = ""
        levels.append({"key": key, "options": options, "chosen": chosen})
        if not chosen:
            break
        parent = chosen
    return levels


@login_required
def unit_detail(request, pk):
    unit = selectors.get_unit(request.user, pk)
    return render(request, "units/detail.html",
                  _detail_context(request.user, unit) | _admins_context(request.user, unit))


def _detail_context(user, unit) -> dict:
    audit_events = None
    if scope_for(user, AUDIT_VIEW).covers(unit.pk, unit.region_id):
        audit_events = selectors.audit_trail(unit)
    context = {
        "unit": unit,
        "can_edit": scope_for(user, UNITS_CHANGE).covers(unit.pk, unit.region_id),
        "can_override": unit.kind == Kind.ENTERPRISE
        and scope_for(user, UNITS_OVERRIDE_SIZE).covers(unit.pk, unit.region_id),
        "can_delete": scope_for(user, services.UNITS_DELETE).covers_region(unit.region_id),
        "size_form": SizeOverrideForm(initial={"size_override": unit.size_override}),
        "audit_events": audit_events,
        "credit_code_warning": cc.organisation_code_warning(unit.credit_code),
        "contractor_code_warning": cc.organisation_code_warning(unit.contractor_credit_code),
    }
    return context


def _admins_context(user, unit, **extra):
    """The unit's admins and pending invitations, for those who may invite its admins."""
    if not unit_invitations.may_invite(user, unit):
        return {"can_invite": False}
    return {"can_invite": True, "admins": unit_invitations.unit_admins(unit),
            "pending": unit_invitations.pending_invitations(unit),
            "days": settings.HEXIE_INVITATION_DAYS, "invite_form": {}, "invite_errors": {},
            "invite_fields": INVITE_FIELDS, **extra}


INVITE_FIELDS = (("display_name", "联系人姓名", "text"), ("phone", "联系电话", "tel"),
                 ("email", "电子邮箱", "email"))


@login_required
@require_POST
def unit_invite(request, pk):
    """Make a unit_admin invitation; the link is in this answer only (it is never stored)."""
    unit = selectors.get_unit(request.user, pk)
    if not unit_invitations.may_invite(request.user, unit):
        raise Http404("页面不存在")
    form = {k: request.POST.get(k, "").strip() for k in ("display_name", "phone", "email")}
    errors, link = {}, None
    try:
        link = unit_invitations.invite_for_unit(
            request.user, unit, display_name=form["display_name"], phone=form["phone"],
            email=form["email"], base_url=request.build_absolute_uri("/"))[1]
    except DomainError as exc:
        for problem in exc.errors or [{"field": exc.field, "message": exc.message}]:
            errors.setdefault(problem.get("field") or "display_name", problem["message"])
    context = _admins_context(request.user, unit, invite_link=link,
                              invite_form={} if link else form, invite_errors=errors,
                              invite_email=form["email"] if link else "")
    if request.htmx:
        return render(request, "units/_admins.html", {"unit": unit, **context},
                      status=400 if errors else 200)
    page = _detail_context(request.user, unit) | context
    return render(request, "units/detail.html", page, status=400 if errors else 200)


@login_required
@require_POST
def unit_withdraw_invitation(request, pk, invitation_pk):
    unit = selectors.get_unit(request.user, pk)
    try:
        unit_invitations.withdraw(request.user, unit, invitation_pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, "邀请已撤回。")
    return redirect(f"{reverse('units:detail', args=[unit.pk])}#admins")


@login_required
def unit_create(request):
    _require(request.user, UNITS_CREATE)
    kind = request.POST.get("kind") or request.GET.get("kind") or Kind.ENTERPRISE
    if kind not in Kind.values:
        kind = Kind.ENTERPRISE
    form = UnitForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(request.user, form.raw())
        except DomainError as exc:
            form.add_service_errors(exc.errors or [{"field": exc.field, "message": exc.message}])
        else:
            messages.success(request, f"已登记：{unit.name}")
            return redirect("units:detail", pk=unit.pk)
    context = {"form": form, "kind": kind, "kind_form": KindChoiceForm(initial={"kind": kind}),
               "title": "登记创建单位"}
    template = "units/_form_fields.html" if request.htmx else "units/form.html"
    return render(request, template, context)


@login_required
def unit_edit(request, pk):
    unit = selectors.get_unit(request.user, pk)
    scope = scope_for(request.user, UNITS_CHANGE)
    if not scope.covers(unit.pk, unit.region_id):
        raise PermissionDenied("您只能查看该单位，不能修改。")
    editable = None if scope.covers_region(unit.region_id) else set(services.UNIT_ADMIN_EDITABLE)
    initial = {k: ("" if v is None else v) for k, v in services.unit_to_raw(unit).items()}
    initial["platform"] = "是" if unit.platform else "否"
    form = UnitForm(request.POST or None, kind=unit.kind, editable=editable, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(request.user, unit, form.raw())
        except DomainError as exc:
            form.add_service_errors(exc.errors or [{"field": exc.field, "message": exc.message}])
        else:
            messages.success(request, "已保存。")
            return redirect("units:detail", pk=unit.pk)
    return render(request, "units/form.html",
                  {"form": form, "kind": unit.kind, "unit": unit, "title": f"修改：{unit.name}"})


@login_required
@require_POST
def unit_override_size(request, pk):
    unit = selectors.get_unit(request.user, pk)
    form = SizeOverrideForm(request.POST)
    form.is_valid()
    try:
        services.override_size(request.user, unit, form.cleaned_data.get("size_override", ""),
                               form.cleaned_data.get("size_override_reason", ""))
    except NotPermitted as exc:
        return HttpResponse(str(exc.message), status=403)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, "企业规模核定已保存。")
    return redirect("units:detail", pk=unit.pk)


@login_required
@require_POST
def unit_delete(request, pk):
    unit = selectors.get_unit(request.user, pk)
    try:
        services.delete_unit(request.user, unit)
    except NotPermitted as exc:
        return HttpResponse(str(exc.message), status=403)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("units:detail", pk=unit.pk)
    messages.success(request, f"已注销：{unit.name}")
    return redirect("units:list")


@login_required
def unit_export(request):
    _require(request.user, UNITS_EXPORT)
    units = selectors.units_for(request.user, request.GET, permission=UNITS_EXPORT)
    if units.count() > EXPORT_MAX_ROWS:
        messages.error(request, f"导出结果超过 {EXPORT_MAX_ROWS} 条，请缩小筛选范围，"
                                "或由管理员使用命令 hexie units export 导出。")
        return redirect(f"{request.path.replace('export.xlsx', '')}?{request.GET.urlencode()}")
    path, _count = export_to_tempfile(units)
    handle = open(path, "rb")
    path.unlink()  # the open handle keeps the data until the response is sent
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"创建单位-{stamp}.xlsx")


@login_required
def import_template(request):
    _require(request.user, UNITS_IMPORT)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''unit-import-template.csv"
    return response


@login_required
def import_upload(request):
    _require(request.user, UNITS_IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            form.add_error("file", "只支持 CSV 或 XLSX 文件。")
        elif upload.size > settings.UNIT_IMPORT_MAX_BYTES:
            form.add_error("file", "文件过大。")
        else:
            job = ImportJob(created_by=request.user, original_name=upload.name[:255],
                            invite=form.cleaned_data.get("invite", False))
            job.file.save(f"upload{suffix}", upload, save=False)
            job.save()
            run_import_job.delay(job.pk, request.build_absolute_uri("/"))
            return redirect("units:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(request, "units/import.html", {"form": form, "jobs": jobs})


@login_required
def import_job(request, pk):
    try:
        job = ImportJob.objects.get(pk=pk, created_by=request.user)
    except (ImportJob.DoesNotExist, ValueError):
        raise Http404("导入任务不存在") from None
    template = "units/_import_job.html" if request.htmx else "units/import_job.html"
    return render(request, template, {"job": job, "now": timezone.now()})


@login_required
def import_job_invitations(request, pk):
    """The job's "单位经办人邀请清单": its creator or an office covering its units; every
    download audited; gone (and deleted) once the invitations have expired."""
    try:
        job, handle = unit_invitations.open_invitation_list(request.user, pk)
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=410)
    response = FileResponse(handle, as_attachment=True,
                            filename=f"单位经办人邀请清单-{job.pk}.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def import_job_errors(request, pk):
    try:
        job = ImportJob.objects.get(pk=pk, created_by=request.user)
    except (ImportJob.DoesNotExist, ValueError):
        raise Http404("导入任务不存在") from None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["行号", "列", "问题"])
    writer.writerows([e["row"], e["column"], e["message"]] for e in job.errors)
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv")
    response["Content-Disposition"] = f"attachment; filename=import-errors-{job.pk}.csv"
    return response
