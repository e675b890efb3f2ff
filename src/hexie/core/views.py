"""The audit log pages: /audit/ (filtered, paginated) and /audit/export.csv. Thin views over
hexie.core.audit_selectors and hexie.core.audit_export."""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import audit_export, audit_selectors
from .audit_selectors import AuditFilterForm


@login_required
def audit_list(request):
    audit_selectors.require_reader(request.user)
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = None
    if not form.is_bound or form.is_valid():
        page = audit_selectors.event_page(request.user, data, request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "core/audit_list.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "is_operator": audit_selectors.is_operator(request.user),
    })


@login_required
def audit_export_csv(request):
    audit_selectors.require_reader(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "core/audit_list.html", {"form": form, "page": None,
                                                        "query": ""}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    event = audit_export.record_export(request.user, data)
    response = StreamingHttpResponse(audit_export.rows(request.user, data, event.pk),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
