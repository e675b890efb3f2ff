"""The user's own messages (站内消息). Thin: one selector or service per request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services

PAGE_SIZE = 20


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {
        "page": page, "unread": selectors.unread_count(request.user),
    })


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one message read; ``open`` follows its link (a path inside this site only)."""
    notification = services.mark_read(request.user, selectors.get_notification(request.user, pk))
    if request.POST.get("open") and notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": count})
    return redirect("notifications:list")
