"""Small template helpers of the health-check pages and the navigation item."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hexie.accounts.roles import HEALTHCHECK_VIEW
from hexie.core.scoping import scope_for

register = template.Library()

LEVEL_COLOURS = {"green": "success", "yellow": "warning", "red": "danger"}
LEVEL_LABELS = {"green": "绿色", "yellow": "黄色", "red": "红色"}


@register.simple_tag
def level_badge(level):
    """The level as a coloured badge (green, yellow, red); nothing while unscored."""
    if not level:
        return ""
    return format_html('<span class="badge text-bg-{}" data-level="{}">{}</span>',
                       LEVEL_COLOURS.get(level, "secondary"), level,
                       _(LEVEL_LABELS.get(level, level)))


@register.filter
def percent(share):
    """A 0–1 share as a whole percentage ('—' when the area had nothing to answer)."""
    if share is None:
        return "—"
    return f"{round(share * 100)}%"


@register.simple_tag(takes_context=True)
def healthcheck_nav(context):
    """The 用工体检 menu item, for everyone who may read health checks."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or scope_for(user, HEALTHCHECK_VIEW).is_empty:
        return ""
    return format_html('<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>',
                       reverse("healthcheck:index"), _("用工体检"))
