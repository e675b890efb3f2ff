"""API token pages for offices (issue 10 §5): /tokens/ lists the tokens in the office's scope
and creates one (the key is shown in the answer to the POST only, never stored); /tokens/<pk>/
shows one token and its call log (filterable); /tokens/<pk>/revoke/ revokes it. Thin views
over accounts.tokens and accounts.access_log; a token outside the scope is a 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hexie.core.errors import DomainError, OutOfScope
from hexie.core.pagination import CappedPaginator

from . import tokens
from .access_log import CallFilterForm, calls
from .people import manages_people

CALLS_PER_PAGE = 50
CALLS_COUNT_CAP = 1000


def _office(request):
    if not manages_people(request.user):
        raise PermissionDenied(_("只有三方办可以管理 API 令牌。"))


@never_cache
@login_required
def token_list(request):
    _office(request)
    errors, key, created, form = {}, None, None, {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("name", "region", "days")}
        form["write"] = request.POST.getlist("write")
        days = None
        if form["days"]:
            try:
                days = int(form["days"])
            except ValueError:
                errors["days"] = _("有效期应为整数天。")
        if not errors:
            try:
                created, key = tokens.create_token(request.user, form["name"], form["region"],
                                                   write=form["write"], days=days)
            except OutOfScope:
                errors["region"] = _("只能在本人管辖范围内的区划创建令牌。")
            except DomainError as exc:
                errors[exc.field or "name"] = exc.message
        if key:
            form = {}
    now_tokens = tokens.tokens_for(request.user).select_related("region").order_by(
        "revoked_at", "name")
    rows = [(token, tokens.state_of(token)) for token in now_tokens]
    return render(request, "accounts/tokens.html", {
        "rows": rows, "errors": errors, "key": key, "created": created, "form": form,
        "writable": tokens.writable_by(request.user),
        "days_default": settings.HEXIE_API_TOKEN_DAYS, "days_max": tokens.max_days(),
    }, status=400 if errors else 200)


@login_required
def token_detail(request, pk):
    _office(request)
    token = tokens.get_token(request.user, pk)
    form = CallFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        paginator = CappedPaginator(calls(token, data), CALLS_PER_PAGE, cap=CALLS_COUNT_CAP)
        page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "accounts/token_detail.html", {
        "token": token, "state": tokens.state_of(token), "form": form, "page": page,
        "query": params.urlencode(),
    }, status=200 if page is not None else 400)


@login_required
@require_POST
def token_revoke(request, pk):
    _office(request)
    token = tokens.get_token(request.user, pk)
    try:
        tokens.revoke_token(request.user, token, reason=request.POST.get("reason", "").strip())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("令牌“%(name)s”已撤销，此后使用它的调用都将被拒绝。")
                         % {"name": token.name})
    return redirect("token-detail", pk=token.pk)
