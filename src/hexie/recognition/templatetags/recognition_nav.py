"""The recognition items of the navigation (the shared context processor knows nothing of
them)."""

from django import template

from hexie.accounts.roles import RECOGNITION_APPLY, RECOGNITION_VIEW
from hexie.core.scoping import scope_for

from .. import selectors

register = template.Library()


@register.simple_tag
def recognition_nav(user) -> dict:
    """Offices with a region scope see the applications; reviewers and assessors their
    review tasks; a unit admin its own applications."""
    if user is None or not user.is_authenticated:
        return {}
    return {"applications": bool(scope_for(user, RECOGNITION_VIEW).region_prefixes),
            "reviews": selectors.is_reviewer(user),
            "mine": bool(scope_for(user, RECOGNITION_APPLY).unit_ids)}
