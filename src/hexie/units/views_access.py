"""Pages for units asking for a login: the public request form and the offices' list where
requests are approved (the invitation link shown once) or refused with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hexie.accounts.roles import ACCOUNTS_GRANT
from hexie.core.errors import DomainError
from hexie.core.middleware import client_ip
from hexie.core.scoping import scope_for

from . import access
from .models import AccessRequest

PUBLIC_FIELDS = (
    ("credit_code", "统一社会信用代码", "text", True),
    ("unit_name", "单位名称", "text", True),
    ("legal_representative", "法定代表人姓名", "text", True),
    ("contact_name", "联系人姓名", "text", True),
    ("phone", "联系电话", "tel", False),
    ("email", "电子邮箱", "email", False),
)


@never_cache
def request_access(request):
    """Public (no login): the unit's request. Throttled per IP in the service."""
    errors, values, done = {}, {}, None
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name, *_ in PUBLIC_FIELDS}
        try:
            done = access.submit(values, ip=client_ip(request))
        except access.Throttled as exc:
            return render(request, "units/access_request_form.html",
                          {"fields": PUBLIC_FIELDS, "values": values,
                           "errors": {}, "throttled": exc.message}, status=429)
        except DomainError as exc:
            for problem in exc.errors or [{"field": exc.field, "message": exc.message}]:
                errors.setdefault(problem.get("field") or "credit_code", problem["message"])
    if done is not None:
        return render(request, "units/access_request_done.html", {"access_request": done})
    return render(request, "units/access_request_form.html",
                  {"fields": PUBLIC_FIELDS, "values": values, "errors": errors},
                  status=400 if errors else 200)


def _require_office(user):
    if not scope_for(user, ACCOUNTS_GRANT).region_prefixes:
        raise Http404("页面不存在")


def _page(request, status=200, **extra):
    decided = (AccessRequest.objects.visible_to(request.user)
               .exclude(state=AccessRequest.State.PENDING)
               .select_related("unit", "decided_by").order_by("-decided_at")[:20])
    return render(request, "units/access_requests.html", {
        "pending": access.pending_for(request.user), "decided": decided, **extra,
    }, status=status)


@login_required
def access_requests(request):
    """Pending requests in the office's scope, and the last decided ones."""
    _require_office(request.user)
    return _page(request)


@login_required
@require_POST
def approve(request, pk):
    """The answer to the approval itself shows the invitation link (never stored, never
    shown again)."""
    _require_office(request.user)
    try:
        done, link = access.approve(request.user, pk, base_url=request.build_absolute_uri("/"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("units:access_requests")
    return _page(request, approved={"link": link, "request": done})


@login_required
@require_POST
def refuse(request, pk):
    _require_office(request.user)
    try:
        access.refuse(request.user, pk, request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.field == "reason":
            return _page(request, status=400,
                         refuse_error={"pk": int(pk), "message": str(exc.message)})
        messages.error(request, exc.message)
    else:
        messages.success(request, "已拒绝该申请。")
    return redirect("units:access_requests")
