"""Small template helpers of the self-assessment pages and the navigation item."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hexie.accounts.roles import ASSESSMENTS_VIEW
from hexie.core.scoping import scope_for

register = template.Library()

STATUS = {"met": ("达标", "success"), "not_met": ("未达标", "danger"),
          "not_applicable": ("不适用", "secondary"), "pending": ("待填写", "warning")}


@register.filter
def get(mapping, key):
    """``mapping[key]`` or None (dicts of facts, errors and evidence keyed by name)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag
def status_badge(status):
    label, colour = STATUS.get(status, (status, "light"))
    return format_html('<span class="badge text-bg-{}" data-status="{}">{}</span>', colour,
                       status, _(label))


@register.simple_tag(takes_context=True)
def assessments_nav(context):
    """The 单位自评 menu item, for everyone who may read self-assessments."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or scope_for(user, ASSESSMENTS_VIEW).is_empty:
        return ""
    return format_html('<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>',
                       reverse("assessments:list"), _("单位自评"))
