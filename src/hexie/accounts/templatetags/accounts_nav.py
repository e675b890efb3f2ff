"""The people item of the navigation (offices that may grant roles in a region)."""

from django import template

from ..people import manages_people

register = template.Library()


@register.simple_tag
def accounts_nav(user) -> bool:
    return bool(user is not None and user.is_authenticated and manages_people(user))
