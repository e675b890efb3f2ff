"""Template helpers of publicity: whether the navigation shows the office pages."""

from django import template

from hexie.publicity import selectors

register = template.Library()


@register.simple_tag
def publicity_office(user) -> bool:
    """The office pages are for offices (a region scope for recognition); others have the
    public pages."""
    return bool(user.is_authenticated and selectors.office_prefixes(user))
